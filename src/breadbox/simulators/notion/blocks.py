"""JSON shapes of rich text and blocks (notion.md 4.2, 4.3), rendered per request and version.

Only this module and `objects.py` know the wire format; the store stays version-neutral.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .config import LATEST_VERSION, NEW_VERSION
from .model import Block, Span, iso
from .workspace import Workspace

TEXT_BLOCKS = (
    "paragraph",
    "heading_1",
    "heading_2",
    "heading_3",
    "bulleted_list_item",
    "numbered_list_item",
    "to_do",
    "toggle",
    "quote",
    "callout",
)
FILE_BLOCKS = ("image", "file", "pdf", "video", "audio")


@dataclass
class Render:
    """What a renderer needs to know about the current request."""

    ws: Workspace
    version: str
    now: float
    sign_file: Callable[[str, str, float], str]  # (block id, file name, expiry) -> signed URL
    file_ttl: float = 3600.0

    @property
    def old(self) -> bool:
        return self.version < NEW_VERSION

    @property
    def has_archived(self) -> bool:
        return self.version < LATEST_VERSION


def notion_url(object_id: str, title: str = "") -> str:
    slug = "-".join(part for part in title.replace("/", " ").split() if part.isalnum())
    compact = object_id.replace("-", "")
    return f"https://www.notion.so/{slug}-{compact}" if slug else f"https://www.notion.so/{compact}"


def user_ref(user_id: str) -> dict[str, Any]:
    return {"object": "user", "id": user_id}


_PLAIN_ANNOTATIONS = {
    "bold": False,
    "italic": False,
    "strikethrough": False,
    "underline": False,
    "code": False,
    "color": "default",
}


def rich_text(spans: list[Span], r: Render) -> list[dict[str, Any]]:
    return [span_json(span, r) for span in spans]


def span_json(span: Span, r: Render) -> dict[str, Any]:
    annotations = dict(_PLAIN_ANNOTATIONS)
    annotations.update(bold=span.bold, italic=span.italic, code=span.code)
    out: dict[str, Any]
    if span.kind == "text":
        link = {"url": span.link} if span.link else None
        out = {
            "type": "text",
            "text": {"content": span.text, "link": link},
            "plain_text": span.text,
            "href": span.link,
        }
    elif span.kind == "equation":
        out = {
            "type": "equation",
            "equation": {"expression": span.text},
            "plain_text": span.text,
            "href": None,
        }
    elif span.kind in ("mention_page", "mention_database"):
        target = span.target or ""
        kind = span.kind.removeprefix("mention_")
        node = r.ws.pages.get(target) or r.ws.databases.get(target)
        shown = node is not None and r.ws.visible(node)
        out = {
            "type": "mention",
            "mention": {"type": kind, kind: {"id": target}},
            "plain_text": r.ws.title_of(target) if shown else "Untitled",
            "href": "https://www.notion.so/" + target.replace("-", ""),
        }
    elif span.kind == "mention_user":
        out = {
            "type": "mention",
            "mention": {"type": "user", "user": user_ref(span.target or "")},
            "plain_text": span.text,
            "href": None,
        }
    else:  # mention_date
        out = {
            "type": "mention",
            "mention": {"type": "date", "date": {"start": span.target, "end": None, "time_zone": None}},
            "plain_text": span.text,
            "href": None,
        }
    out["annotations"] = annotations
    return out


def parent_json(parent_type: str, parent_id: str | None, r: Render) -> dict[str, Any]:
    if parent_type == "workspace" or parent_id is None:
        return {"type": "workspace", "workspace": True}
    if parent_type == "data_source_id":
        source = r.ws.data_sources[parent_id]
        if r.old:
            return {"type": "database_id", "database_id": source.database_id}
        return {"type": "data_source_id", "data_source_id": parent_id, "database_id": source.database_id}
    return {"type": parent_type, parent_type: parent_id}


def file_json(block: Block, r: Render) -> dict[str, Any]:
    """A Notion-hosted file gets a signed URL valid for `file_ttl` (notion.md 6.8)."""
    if block.data.get("hosted"):
        expiry = r.now + r.file_ttl
        name = str(block.data.get("name", "file"))
        return {
            "type": "file",
            "file": {"url": r.sign_file(block.id, name, expiry), "expiry_time": iso(expiry, False)},
        }
    return {"type": "external", "external": {"url": block.data.get("url", "")}}


def payload(block: Block, r: Render) -> dict[str, Any]:
    """The `<type>` object of a block."""
    d, t = block.data, block.type
    if t in TEXT_BLOCKS:
        out: dict[str, Any] = {"rich_text": rich_text(block.rich, r), "color": d.get("color", "default")}
        if t.startswith("heading_"):
            out["is_toggleable"] = bool(d.get("is_toggleable", False))
        if t == "to_do":
            out["checked"] = bool(d.get("checked", False))
        if t == "callout":
            out["icon"] = {"type": "emoji", "emoji": d.get("icon", "💡")}
        return out
    if t == "code":
        return {
            "rich_text": rich_text(block.rich, r),
            "caption": rich_text(d.get("caption", []), r),
            "language": d.get("language", "plain text"),
        }
    if t == "equation":
        return {"expression": d.get("expression", "")}
    if t in ("child_page", "child_database"):
        return {"title": r.ws.title_of(block.id)}
    if t == "link_to_page":
        return {"type": "page_id", "page_id": d.get("target")}
    if t == "synced_block":
        origin = d.get("synced_from")
        return {"synced_from": {"type": "block_id", "block_id": origin} if origin else None}
    if t == "column":
        return {"width_ratio": d["width_ratio"]} if "width_ratio" in d else {}
    if t == "table":
        return {k: d[k] for k in ("table_width", "has_column_header", "has_row_header")}
    if t == "table_row":
        return {"cells": [rich_text(cell, r) for cell in d.get("cells", [])]}
    if t in FILE_BLOCKS:
        out = {"caption": rich_text(d.get("caption", []), r), **file_json(block, r)}
        if t == "file":
            out["name"] = d.get("name", "file")
        return out
    if t in ("bookmark", "embed"):
        return {"url": d.get("url", ""), "caption": rich_text(d.get("caption", []), r)}
    if t == "table_of_contents":
        return {"color": "default"}
    if t == "unsupported":
        return {"block_type": d.get("block_type", "form")}
    return {}


def block_json(block: Block, r: Render) -> dict[str, Any]:
    ws = r.ws
    created, edited, trashed = block.created, block.edited, block.in_trash
    if block.type == "child_page" and block.id in ws.pages:
        page = ws.pages[block.id]
        created, edited, trashed = page.created, page.edited, ws.trashed(page)
    elif block.type == "child_database" and block.id in ws.databases:
        db = ws.databases[block.id]
        created, edited, trashed = db.created, db.edited, ws.trashed(db)
    owner = ws.page_of_block(block.id)
    author = user_ref(owner.edited_by if owner and owner.edited_by else ws.bot.id)
    out: dict[str, Any] = {
        "object": "block",
        "id": block.id,
        "parent": parent_json(block.parent_type, block.parent_id, r),
        "created_time": iso(created),
        "last_edited_time": iso(edited),
        "created_by": author,
        "last_edited_by": author,
        "has_children": ws.has_children(block),
        "in_trash": trashed,
        "type": block.type,
        block.type: payload(block, r),
    }
    if r.has_archived:
        out["archived"] = trashed
    return out
