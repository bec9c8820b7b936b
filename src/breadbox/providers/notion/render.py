"""Block objects (notion.md 4.3) to `Node`s, following the rendering rules of notion.md 4.4.

Input blocks carry their fetched children under `CHILDREN` (the walker in `content.py` attaches
them). Child pages and databases become links, and their ids are collected for traversal: they
are documents of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .inline import escape, file_name, is_expiring, link, notion_url, plain, rich_text
from .nodes import Node

CHILDREN = "_children"
TEXT_KINDS = {
    "paragraph": "paragraph",
    "bulleted_list_item": "bullet",
    "numbered_list_item": "number",
    "to_do": "todo",
    "quote": "quote",
    "toggle": "paragraph",  # toggles open: summary, then the hidden content
    "template": "paragraph",
}
MEDIA_LABELS = {"image": "Image", "file": "File", "pdf": "PDF", "video": "Video", "audio": "Audio"}
SKIPPED = {"table_of_contents", "breadcrumb", "unsupported", "ai_block", "external_object_instance_page"}


def code_language(language: str | None) -> str:
    """Notion's language names as fence info strings ("plain text" means none)."""
    value = (language or "").strip().lower()
    return "" if value in ("", "plain text", "plaintext") else value.replace(" ", "-")


@dataclass
class Refs:
    """What traversal needs from a page's content: child pages and databases, by id."""

    pages: list[str] = field(default_factory=list)
    databases: list[str] = field(default_factory=list)
    # Child pages whose `child_page` block we saw: enough for their Document without a GET.
    stubs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_page(self, object_id: str) -> None:
        if object_id not in self.pages:
            self.pages.append(object_id)

    def add_database(self, object_id: str) -> None:
        if object_id not in self.databases:
            self.databases.append(object_id)


@dataclass
class BlockRenderer:
    """Renders the blocks of one page; `page_id` anchors links to hosted files."""

    page_id: str
    refs: Refs = field(default_factory=Refs)

    def nodes(self, blocks: list[dict[str, Any]]) -> list[Node]:
        out = []
        for block in blocks:
            node = self.node(block)
            if node is not None:
                out.append(node)
        return out

    def node(self, block: dict[str, Any]) -> Node | None:
        kind = str(block.get("type", ""))
        data = block.get(kind) or {}
        children = self.nodes(block.get(CHILDREN) or [])
        if block.get("in_trash") or block.get("archived"):
            return None
        if kind in TEXT_KINDS:
            node = Node(TEXT_KINDS[kind], rich_text(data.get("rich_text")), children)
            node.checked = bool(data.get("checked"))
            if kind == "numbered_list_item" and isinstance(data.get("list_start_index"), int):
                node.start = data["list_start_index"]
            if kind == "paragraph":
                node.text = _safe_start(node.text)
            return node
        if kind.startswith("heading_") and kind[-1].isdigit():
            return Node("heading", rich_text(data.get("rich_text")), children, level=int(kind[-1]))
        if kind == "callout":
            icon = data.get("icon") or {}
            emoji = icon.get("emoji", "") if icon.get("type") == "emoji" else ""
            text = rich_text(data.get("rich_text"))
            return Node("callout", f"{emoji} {text}".strip(), children)
        if kind == "code":
            return self._code(data)
        if kind == "equation":
            return Node("equation", str(data.get("expression", "")))
        if kind == "divider":
            return Node("divider")
        if kind == "table":
            rows = [
                [rich_text(cell) for cell in (row.get("table_row") or {}).get("cells", [])]
                for row in block.get(CHILDREN) or []
                if row.get("type") == "table_row"
            ]
            width = int(data.get("table_width") or 0)
            rows = [row + [""] * (width - len(row)) for row in rows]
            return Node("table", rows=rows, header=bool(data.get("has_column_header")))
        if kind in ("column_list", "column", "synced_block", "tab"):
            return Node("group", children=children)
        if kind == "child_page":
            self.refs.add_page(block["id"])
            self.refs.stubs[block["id"]] = page_stub(block)
            return Node("paragraph", link(escape(data.get("title") or "Untitled"), notion_url(block["id"])))
        if kind == "child_database":
            self.refs.add_database(block["id"])
            return Node("paragraph", link(escape(data.get("title") or "Untitled"), notion_url(block["id"])))
        if kind == "link_to_page":
            target = data.get(data.get("type", "")) or ""
            return Node("paragraph", link("Linked page", notion_url(target))) if target else None
        if kind in MEDIA_LABELS:
            return Node("paragraph", self._media(kind, data, block["id"]))
        if kind in ("bookmark", "embed", "link_preview"):
            url = str(data.get("url", ""))
            label = plain(data.get("caption")) or url
            return Node("paragraph", link(escape(label), url)) if url else None
        if kind in SKIPPED:
            return None
        if "rich_text" in data:  # a type newer than this renderer: keep its text
            return Node("paragraph", rich_text(data.get("rich_text")), children)
        return Node("group", children=children) if children else None

    def _code(self, data: dict[str, Any]) -> Node:
        body = plain(data.get("rich_text"))
        node = Node("code", body, lang=code_language(data.get("language")))
        caption = rich_text(data.get("caption"))
        if not caption:
            return node
        return Node("group", children=[node, Node("paragraph", f"*{caption}*")])

    def _media(self, kind: str, data: dict[str, Any], block_id: str) -> str:
        """Hosted files link to their block in Notion: the signed URL expires within the hour."""
        source = data.get(data.get("type", "")) or {}
        url = str(source.get("url", ""))
        caption = plain(data.get("caption"))
        name = str(data.get("name") or "") or (file_name(url) if url else "")
        label = f"{MEDIA_LABELS[kind]}: {escape(caption or name or kind)}"
        if not url or data.get("type") != "external" or is_expiring(url):
            return link(label, notion_url(self.page_id, block_id))
        if kind == "image":
            return f"!{link(escape(caption or name), url)}"
        return link(label, url)


def page_stub(block: dict[str, Any]) -> dict[str, Any]:
    """A page object made from a `child_page` block: a page is a block with the same id, so the
    block's timestamps and trash flag are the page's. Saves one `GET /v1/pages/{id}` per child."""
    title = str((block.get("child_page") or {}).get("title") or "")
    return {
        "object": "page",
        "id": block["id"],
        "created_time": block.get("created_time"),
        "last_edited_time": block.get("last_edited_time"),
        "in_trash": bool(block.get("in_trash") or block.get("archived")),
        "parent": block.get("parent") or {},
        "url": notion_url(block["id"]),
        "properties": {
            "title": {"id": "title", "type": "title", "title": [{"type": "text", "plain_text": title}]}
        },
    }


def _safe_start(text: str) -> str:
    """Escape what would turn a paragraph into a heading, list or quote."""
    stripped = text.lstrip()
    if (
        stripped[:1] in ("#", ">", "+", "=")
        or stripped.startswith(("- ", "-\t"))
        or (stripped.split(". ", 1)[0].isdigit() and ". " in stripped[:11])
    ):
        offset = len(text) - len(stripped)
        if stripped[:1].isdigit():
            head, tail = stripped.split(". ", 1)
            return text[:offset] + head + "\\. " + tail
        return text[:offset] + "\\" + stripped
    return text
