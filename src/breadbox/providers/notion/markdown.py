"""Notion's "enhanced markdown" (`GET /v1/pages/{id}/markdown`, notion.md 3.8) to `Node`s.

The endpoint nests children by tab indentation and wraps Notion-only blocks in XML-ish tags
(`<details>`, `<callout>`, `<columns>`, `<table>`, `<synced_block>`, `<page>`, `<database>`,
`<unknown>`). We parse it into the same `Node`s the block walk makes, so both paths print the
same CommonMark. Children are "any deeper line", not "exactly one tab deeper", which keeps the
parser robust to over-indented nesting.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .inline import canonical_url, escape, file_name, id_from_url, is_expiring, link, notion_url
from .nodes import Node
from .render import MEDIA_LABELS, Refs, code_language

_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_TRAILING_ATTRS = re.compile(r'\s*\{(?:\s*[\w-]+="[^"]*")+\s*\}\s*$')
_MENTION_PAIR = re.compile(r"<mention-(page|database) ([^>]*)>(.*?)</mention-\1>")
_MENTION_SELF = re.compile(r"<mention-(page|database|user|date)\b([^>]*)/>")
_SPAN = re.compile(r"</?(?:span|u|color|br)\b[^>]*>")
_LIST = re.compile(r"^(- \[( |x|X)\] |[-*+] |(\d+)[.)] )")
_MEDIA_TAG = re.compile(r"^<(file|pdf|video|audio|image)\b([^>]*)>(.*?)</\1>$")
_IMAGE = re.compile(r"^!\[(.*?)\]\((\S+?)\)$")
_OBJECT_TAG = re.compile(r"^<(page|database)\b([^>]*)>(.*?)</\1>$")


def attrs(tag: str) -> dict[str, str]:
    return dict(_ATTR.findall(tag))


@dataclass
class Line:
    depth: int
    text: str


@dataclass
class EnhancedMarkdown:
    """Converts one page's enhanced markdown; `user_name` resolves `<mention-user>` ids."""

    page_id: str
    user_name: Callable[[str], str | None] = lambda _: None
    refs: Refs = field(default_factory=Refs)
    unknown: list[str] = field(default_factory=list)
    # Ids of unknown blocks and child pages at the top level: one children listing finds them all.
    top_level: set[str] = field(default_factory=set)

    def parse(self, markdown: str) -> list[Node]:
        lines = [
            Line(len(raw) - len(raw.lstrip("\t")), raw.lstrip("\t").rstrip()) for raw in markdown.split("\n")
        ]
        nodes, _ = self._blocks(lines, 0, 0)
        return nodes

    # ---- blocks ------------------------------------------------------------------------------
    def _blocks(self, lines: list[Line], i: int, min_depth: int) -> tuple[list[Node], int]:
        """Sibling blocks from line `i` while lines are at least `min_depth` deep."""
        out: list[Node] = []
        while i < len(lines):
            line = lines[i]
            if not line.text:
                i += 1
                continue
            if line.depth < min_depth or line.text.startswith("</"):
                break
            node, i = self._block(lines, i)
            if node is not None:
                out.append(node)
        return out, i

    def _children(self, lines: list[Line], i: int, depth: int) -> tuple[list[Node], int]:
        return self._blocks(lines, i, depth + 1)

    def _block(self, lines: list[Line], i: int) -> tuple[Node | None, int]:
        line = lines[i]
        text, d = line.text, line.depth
        if text.startswith("```"):
            return self._fenced(lines, i, text[3:].strip())
        if text == "$$":
            end = next((j for j in range(i + 1, len(lines)) if lines[j].text == "$$"), len(lines))
            return Node("equation", "\n".join(x.text for x in lines[i + 1 : end])), end + 1
        if text.startswith("<") and not text.startswith(("<mention-", "<span")):
            return self._tag(lines, i)
        if text == "---":
            return Node("divider"), i + 1
        image = _IMAGE.match(text)
        if image:
            return Node("paragraph", self._media("image", image.group(2), image.group(1))), i + 1
        heading = re.match(r"^(#{1,6}) (.*)$", text)
        children, j = self._children(lines, i + 1, d)
        if heading:
            body = _TRAILING_ATTRS.sub("", heading.group(2))
            return Node("heading", self.inline(body), children, level=len(heading.group(1))), j
        marker = _LIST.match(text)
        if marker:
            body = self.inline(_TRAILING_ATTRS.sub("", text[marker.end() :]))
            if marker.group(2) is not None:
                return Node("todo", body, children, checked=marker.group(2) in "xX"), j
            if marker.group(3) is not None:
                return Node("number", body, children, start=int(marker.group(3))), j
            return Node("bullet", body, children), j
        if text.startswith(">"):
            body = self.inline(_TRAILING_ATTRS.sub("", text[1:].strip()))
            return Node("quote", body, children), j
        return Node("paragraph", self.inline(_TRAILING_ATTRS.sub("", text)), children), j

    def _fenced(self, lines: list[Line], i: int, info: str) -> tuple[Node, int]:
        depth = lines[i].depth
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not (lines[j].text.startswith("```") and lines[j].depth <= depth):
            body.append("\t" * max(lines[j].depth - depth, 0) + lines[j].text)
            j += 1
        return Node("code", "\n".join(body), lang=code_language(info)), j + 1

    def _until_close(self, lines: list[Line], i: int, name: str) -> int:
        """Skip the closing tag `</name>` if it is next."""
        while i < len(lines) and not lines[i].text:
            i += 1
        return i + 1 if i < len(lines) and lines[i].text.startswith(f"</{name}") else i

    def _tag(self, lines: list[Line], i: int) -> tuple[Node | None, int]:
        line = lines[i]
        text, d = line.text, line.depth
        name = re.match(r"^<([\w-]+)", text)
        tag = name.group(1) if name else ""
        found = _OBJECT_TAG.match(text)
        if found:
            object_id = id_from_url(attrs(found.group(2)).get("url", ""))
            if object_id is None:
                return None, i + 1
            (self.refs.add_page if found.group(1) == "page" else self.refs.add_database)(object_id)
            if line.depth == 0 and found.group(1) == "page":
                self.top_level.add(object_id)
            return Node("paragraph", link(escape(found.group(3) or "Untitled"), notion_url(object_id))), i + 1
        media = _MEDIA_TAG.match(text)
        if media:
            src = attrs(media.group(2)).get("src", "")
            return Node("paragraph", self._media(media.group(1), src, media.group(3))), i + 1
        if tag == "unknown":
            url = attrs(text).get("url", "")
            fragment = url.rsplit("#", 1)[-1] if "#" in url else ""
            if len(fragment.replace("-", "")) == 32:
                block_id = id_from_url("/" + fragment) or ""
                self.unknown.append(block_id)
                if line.depth == 0:
                    self.top_level.add(block_id)
                return Node("unknown", block_id=block_id), i + 1
            return None, i + 1
        if text.endswith("/>"):  # <table_of_contents/>, <empty-block/>, <breadcrumb/>
            return None, i + 1
        if tag == "details":
            summary = ""
            j = i + 1
            if j < len(lines) and lines[j].text.startswith("<summary>"):
                summary = self.inline(re.sub(r"</?summary>", "", lines[j].text))
                j += 1
            children, j = self._blocks(lines, j, d + 1)
            return Node("paragraph", summary, children), self._until_close(lines, j, tag)
        if tag == "callout":
            icon = attrs(text).get("icon", "")
            children, j = self._blocks(lines, i + 1, d + 1)
            first = children.pop(0) if children and children[0].kind == "paragraph" else None
            body = first.text if first else ""
            if first and first.children:
                children = first.children + children
            return Node("callout", f"{icon} {body}".strip(), children), self._until_close(lines, j, tag)
        if tag == "table":
            return self._table(lines, i)
        if tag in ("columns", "column", "synced_block", "synced_block_reference"):
            children, j = self._blocks(lines, i + 1, d + 1)
            return Node("group", children=children), self._until_close(lines, j, tag)
        # An unknown container: keep whatever it holds.
        children, j = self._blocks(lines, i + 1, d + 1)
        return (Node("group", children=children) if children else None), self._until_close(lines, j, tag)

    def _table(self, lines: list[Line], i: int) -> tuple[Node, int]:
        header = attrs(lines[i].text).get("header-row") == "true"
        rows: list[list[str]] = []
        j = i + 1
        while j < len(lines) and not lines[j].text.startswith("</table"):
            text = lines[j].text
            if text.startswith("<tr"):
                rows.append([])
            cells = re.findall(r"<td[^>]*>(.*?)</td>", text)
            if cells and rows:
                rows[-1].extend(self.inline(cell) for cell in cells)
            j += 1
        return Node("table", rows=rows, header=header), j + 1

    def _media(self, kind: str, url: str, caption: str) -> str:
        """Signed (expiring) file URLs are replaced by a link to the page in Notion."""
        label_text = re.sub(r"<[^>]+>", "", caption).strip() or file_name(url) or kind
        if is_expiring(url) or not url:
            return link(f"{MEDIA_LABELS.get(kind, 'File')}: {label_text}", notion_url(self.page_id))
        if kind == "image":
            return f"!{link(label_text, url)}"
        return link(f"{MEDIA_LABELS.get(kind, 'File')}: {label_text}", url)

    # ---- inline ------------------------------------------------------------------------------
    def inline(self, text: str) -> str:
        text = _MENTION_PAIR.sub(self._mention_pair, text)
        text = _MENTION_SELF.sub(self._mention_self, text)
        text = re.sub(r"<unknown\b[^>]*/>", "", text)
        text = _SPAN.sub("", text)
        return re.sub(
            r"\]\((https?://[^)\s]*notion\.so[^)\s]*)\)", lambda m: f"]({canonical_url(m.group(1))})", text
        )

    def _mention_pair(self, match: re.Match[str]) -> str:
        url = attrs(match.group(2)).get("url", "")
        object_id = id_from_url(url)
        title = match.group(3) or "Untitled"
        return link(title, notion_url(object_id)) if object_id else title

    def _mention_self(self, match: re.Match[str]) -> str:
        kind, values = match.group(1), attrs(match.group(2))
        if kind == "user":
            user_id = values.get("url", "").removeprefix("user://").strip("{}")
            return "@" + (self.user_name(user_id) or "user")
        if kind == "date":
            start, end = values.get("start", ""), values.get("end", "")
            return f"{start} → {end}" if end else start
        object_id = id_from_url(values.get("url", ""))
        return link("Linked page", notion_url(object_id)) if object_id else ""
