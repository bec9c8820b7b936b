"""`Document`s from Notion page, row and data source objects plus rendered content.

`source_id` is the dashed Notion id (stable across renames and moves); content starts with the
title as a heading, then (rows) the properties header, the body and (optionally) comments.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from breadbox.providers.base import Document

from .inline import escape, is_expiring, notion_url, plain
from .properties import header, summary, title_of

ROW_PARENTS = ("data_source_id", "database_id")
_URL_IN_LINK = re.compile(r"\]\((\S+?)\)")


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def is_trashed(obj: dict[str, Any]) -> bool:
    """`in_trash` since 2024, `archived` before (dropped in 2026-03-11): tolerate both."""
    return bool(obj.get("in_trash") or obj.get("archived") or obj.get("is_archived"))


def parent_of(obj: dict[str, Any]) -> tuple[str, str | None]:
    parent = obj.get("parent") or {}
    kind = str(parent.get("type", "workspace"))
    value = parent.get(kind)
    return kind, value if isinstance(value, str) else None


def kind_of(page: dict[str, Any]) -> str:
    return "database_row" if parent_of(page)[0] in ROW_PARENTS else "page"


def _no_signed_urls(markdown: str, fallback: str) -> str:
    """Last line of defence: no signed file URL ever reaches the store (they expire in 1 h)."""
    return _URL_IN_LINK.sub(lambda m: f"]({fallback})" if is_expiring(m.group(1)) else m.group(0), markdown)


def page_document(
    page: dict[str, Any], body: str, discovered_by: str, comments: list[str] | None = None
) -> Document:
    properties = page.get("properties") or {}
    title = title_of(properties).strip() or "Untitled"
    kind = kind_of(page)
    heading = f"# {escape(title)}"
    parts = [heading]
    if kind == "database_row":
        props = header(properties)
        if props:
            parts.append(props)
    body = body.strip()
    if body.startswith(heading):  # pages that repeat their title as a first heading
        body = body[len(heading) :].lstrip("\n")
    if body:
        parts.append(body)
    if comments:
        parts.append("## Comments\n\n" + "\n".join(comments))
    url = str(page.get("url") or notion_url(page["id"]))
    parent_type, parent_id = parent_of(page)
    metadata: dict[str, Any] = {
        "notion_id": page["id"],
        "notion_object": "page",
        "parent_type": parent_type,
        "parent_id": parent_id,
    }
    parent = page.get("parent") or {}
    if kind == "database_row":
        metadata["database_id"] = parent.get("database_id")
        metadata["data_source_id"] = parent.get("data_source_id")
        metadata["properties"] = summary(properties)
    return Document(
        source_id=page["id"],
        kind=kind,
        title=title,
        content=_no_signed_urls("\n\n".join(parts) + "\n", notion_url(page["id"])),
        url=url,
        created_at=parse_time(page.get("created_time")),
        updated_at=parse_time(page.get("last_edited_time")),
        metadata=metadata,
        discovered_by=discovered_by,
    )


def source_document(
    source: dict[str, Any], discovered_by: str, database_title: str | None = None
) -> Document:
    """A data source (a database's table) as its own small document: title, description, schema."""
    title = plain(source.get("title")).strip() or database_title or "Untitled database"
    parts = [f"# {escape(title)}"]
    description = plain(source.get("description")).strip()
    if description:
        parts.append(escape(description))
    schema = source.get("properties") or {}
    if schema:
        parts.append(
            "Properties: "
            + ", ".join(f"{escape(name)} ({spec.get('type', '?')})" for name, spec in schema.items())
        )
    database_id = (source.get("parent") or {}).get("database_id")
    parent_type, parent_id = parent_of({"parent": source.get("database_parent") or {}})
    return Document(
        source_id=source["id"],
        kind="database",
        title=title,
        content="\n\n".join(parts) + "\n",
        url=str(source.get("url") or notion_url(database_id or source["id"])),
        created_at=parse_time(source.get("created_time")),
        updated_at=parse_time(source.get("last_edited_time")),
        metadata={
            "notion_id": source["id"],
            "notion_object": "data_source",
            "database_id": database_id,
            "parent_type": parent_type,
            "parent_id": parent_id,
        },
        discovered_by=discovered_by,
    )
