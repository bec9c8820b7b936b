"""`GET /v1/pages/{id}/markdown`: the block tree as Notion-flavoured "enhanced markdown" (notion.md 3.8).

Plain Markdown where it exists, XML-ish tags for Notion-only blocks, and `<unknown .../>` (with
the id in `unknown_block_ids`) for what the endpoint does not render: bookmarks, embeds, link
previews, unsupported blocks, content not shared with the integration, and blocks past the
truncation limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .blocks import FILE_BLOCKS, Render, file_json, notion_url
from .model import Block, Page, Span

UNRENDERED = ("bookmark", "embed", "link_preview", "unsupported", "breadcrumb", "template", "tab")


def inline(spans: list[Span], r: Render) -> str:
    out = []
    for span in spans:
        if span.kind == "text":
            text = span.text
            if span.code:
                text = f"`{text}`"
            if span.bold:
                text = f"**{text}**"
            if span.italic:
                text = f"*{text}*"
            if span.link:
                text = f"[{text}]({span.link})"
            out.append(text)
        elif span.kind == "equation":
            out.append(f"${span.text}$")
        elif span.kind in ("mention_page", "mention_database"):
            tag = span.kind.replace("_", "-")
            out.append(
                f'<{tag} url="{notion_url(span.target or "")}">{r.ws.title_of(span.target or "")}</{tag}>'
            )
        elif span.kind == "mention_user":
            out.append(f'<mention-user url="user://{span.target}"/>')
        else:
            out.append(f'<mention-date start="{span.target}"/>')
    return "".join(out)


@dataclass
class _Walk:
    r: Render
    page: Page
    limit: int
    count: int = 0
    truncated: bool = False
    unknown: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def unknown_tag(self, block: Block, alt: str) -> str:
        self.unknown.append(block.id)
        return f'<unknown url="{notion_url(self.page.id)}#{block.id.replace("-", "")}" alt="{alt}"/>'

    def children(self, block_id: str, indent: str) -> list[str]:
        lines: list[str] = []
        for child_id in self.r.ws.children_of(block_id):
            lines.extend(self.block(self.r.ws.blocks[child_id], indent))
        return lines

    def block(self, block: Block, indent: str) -> list[str]:
        self.count += 1
        if self.count > self.limit:
            self.truncated = True
            return [indent + self.unknown_tag(block, block.type)]
        if block.id in self.seen:
            return []
        self.seen.add(block.id)
        lines = self._render(block, indent)
        return [indent + line if line else line for line in lines]

    def _render(self, b: Block, indent: str) -> list[str]:
        r, t, text = self.r, b.type, inline(b.rich, self.r)
        deeper = indent + "\t"
        if t in UNRENDERED:
            return [self.unknown_tag(b, t)]
        if t == "paragraph":
            return [text, *self.children(b.id, deeper)]
        if t.startswith("heading_"):
            head = "#" * int(t[-1]) + " " + text
            if b.data.get("is_toggleable"):
                return [head + ' {toggle="true"}', *self.children(b.id, deeper)]
            return [head]
        if t in ("bulleted_list_item", "numbered_list_item", "to_do"):
            marker = {"bulleted_list_item": "- ", "numbered_list_item": "1. "}.get(t)
            if marker is None:
                marker = "- [x] " if b.data.get("checked") else "- [ ] "
            return [marker + text, *self.children(b.id, deeper)]
        if t == "toggle":
            return ["<details>", f"<summary>{text}</summary>", *self.children(b.id, "\t"), "</details>"]
        if t == "quote":
            return ["> " + text, *self.children(b.id, deeper)]
        if t == "callout":
            icon = b.data.get("icon", "")
            return [f'<callout icon="{icon}">', "\t" + text, *self.children(b.id, "\t"), "</callout>"]
        if t == "code":
            return [f"```{b.data.get('language', '')}", *"".join(s.text for s in b.rich).split("\n"), "```"]
        if t == "equation":
            return ["$$", str(b.data.get("expression", "")), "$$"]
        if t == "divider":
            return ["---"]
        if t == "table_of_contents":
            return ["<table_of_contents/>"]
        if t == "table":
            header = "true" if b.data.get("has_column_header") else "false"
            rows = []
            for row_id in r.ws.children_of(b.id):
                self.count += 1
                cells = r.ws.blocks[row_id].data.get("cells", [])
                rows += ["\t<tr>", *[f"\t\t<td>{inline(cell, r)}</td>" for cell in cells], "\t</tr>"]
            return [f'<table header-row="{header}">', *rows, "</table>"]
        if t == "column_list":
            out = ["<columns>"]
            for column_id in r.ws.children_of(b.id):
                self.count += 1
                out += ["\t<column>", *self.children(column_id, "\t\t"), "\t</column>"]
            return [*out, "</columns>"]
        if t == "synced_block":
            origin = b.data.get("synced_from")
            tag = "synced_block_reference" if origin else "synced_block"
            url = notion_url(self.page.id) + "#" + str(origin or b.id).replace("-", "")
            return [f'<{tag} url="{url}">', *self.children(b.id, "\t"), f"</{tag}>"]
        if t == "child_page":
            if r.ws.visible_page(b.id) is None:
                return [self.unknown_tag(b, "page")]
            return [f'<page url="{notion_url(b.id, r.ws.title_of(b.id))}">{r.ws.title_of(b.id)}</page>']
        if t == "child_database":
            return [f'<database url="{notion_url(b.id)}" inline="true">{r.ws.title_of(b.id)}</database>']
        if t == "link_to_page":
            target = str(b.data.get("target", ""))
            return [f'<mention-page url="{notion_url(target)}"/>']
        if t in FILE_BLOCKS:
            return [self._file(b)]
        return [self.unknown_tag(b, t)]

    def _file(self, b: Block) -> str:
        info: dict[str, Any] = file_json(b, self.r)
        url = info[info["type"]]["url"]
        caption = inline(b.data.get("caption", []), self.r)
        if b.type == "image":
            return f"![{caption}]({url})"
        return f'<{b.type} src="{url}">{caption}</{b.type}>'


def page_markdown(page: Page, r: Render, limit: int) -> dict[str, Any]:
    walk = _Walk(r, page, limit)
    lines = walk.children(page.id, "")
    return {
        "object": "page_markdown",
        "id": page.id,
        "markdown": "\n".join(lines),
        "truncated": walk.truncated,
        "unknown_block_ids": walk.unknown,
    }
