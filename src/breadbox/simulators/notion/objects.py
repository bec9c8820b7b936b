"""JSON shapes of pages, property values, databases, data sources, users and comments.

Version differences (notion.md 1.3, 3.4, 3.5) are decided here: old versions get databases with
`properties` and `database_id` row parents, new ones get data sources.
"""

from __future__ import annotations

from typing import Any

from .blocks import Render, notion_url, parent_json, rich_text, user_ref
from .model import Comment, Database, DataSource, Page, Span, User, iso

SCHEMA_CONFIG_KEYS = {
    "select": ("options",),
    "multi_select": ("options",),
    "status": ("options",),
    "number": ("format",),
}


def page_json(page: Page, r: Render) -> dict[str, Any]:
    trashed = r.ws.trashed(page)
    out: dict[str, Any] = {
        "object": "page",
        "id": page.id,
        "created_time": iso(page.created),
        "last_edited_time": iso(page.edited),
        "created_by": user_ref(page.created_by or r.ws.bot.id),
        "last_edited_by": user_ref(page.edited_by or r.ws.bot.id),
        "cover": None,
        "icon": {"type": "emoji", "emoji": page.icon} if page.icon else None,
        "parent": parent_json(page.parent_type, page.parent_id, r),
        "in_trash": trashed,
        "is_locked": False,
        "properties": properties_json(page, r),
        "url": notion_url(page.id, page.title),
        "public_url": None,
    }
    if r.has_archived:
        out["archived"] = trashed
    return out


def properties_json(page: Page, r: Render) -> dict[str, Any]:
    title = {"id": "title", "type": "title", "title": rich_text([Span(page.title)], r)}
    if page.parent_type != "data_source_id" or page.parent_id is None:
        return {"title": title}
    schema = r.ws.data_sources[page.parent_id].schema
    return {name: _value(name, spec, page, r) for name, spec in schema.items()}


def _option(spec: dict[str, Any], name: Any) -> dict[str, Any] | None:
    return next((dict(opt) for opt in spec.get("options", []) if opt["name"] == name), None)


def _value(name: str, spec: dict[str, Any], page: Page, r: Render) -> dict[str, Any]:
    kind, raw = spec["type"], page.props.get(name)
    value: Any
    if kind == "title":
        value = rich_text([Span(page.title)], r)
    elif kind == "rich_text":
        value = rich_text([Span(raw)] if raw else [], r)
    elif kind in ("select", "status"):
        value = _option(spec, raw) if raw else None
    elif kind == "multi_select":
        value = [opt for opt in (_option(spec, item) for item in raw or []) if opt]
    elif kind == "checkbox":
        value = bool(raw)
    elif kind == "date":
        value = {"start": raw, "end": None, "time_zone": None} if raw else None
    elif kind == "people":
        value = [person_json(r.ws.user(uid)) for uid in (raw or [])][:25]
    elif kind == "created_time":
        value = iso(page.created)
    elif kind == "last_edited_time":
        value = iso(page.edited)
    else:  # number, url, email, phone_number
        value = raw
    return {"id": spec["id"], "type": kind, kind: value}


def schema_json(source: DataSource) -> dict[str, Any]:
    out = {}
    for name, spec in source.schema.items():
        config = {key: spec[key] for key in SCHEMA_CONFIG_KEYS.get(spec["type"], ()) if key in spec}
        if spec["type"] == "status":
            config["groups"] = []
        out[name] = {
            "id": spec["id"],
            "name": name,
            "description": "",
            "type": spec["type"],
            spec["type"]: config,
        }
    return out


def database_json(db: Database, r: Render) -> dict[str, Any]:
    """New versions: a container listing its data sources; old ones: the single source's schema."""
    trashed = r.ws.trashed(db)
    out: dict[str, Any] = {
        "object": "database",
        "id": db.id,
        "title": rich_text([Span(db.title)], r),
        "description": [],
        "parent": parent_json(db.parent_type, db.parent_id, r),
        "is_inline": db.is_inline,
        "in_trash": trashed,
        "is_locked": False,
        "created_time": iso(db.created),
        "last_edited_time": iso(db.edited),
        "icon": None,
        "cover": None,
        "url": notion_url(db.id, db.title),
        "public_url": None,
    }
    if r.has_archived:
        out["archived"] = trashed
    if r.old:
        out["created_by"] = out["last_edited_by"] = user_ref(r.ws.bot.id)
        out["properties"] = schema_json(r.ws.data_sources[db.data_sources[0]])
    else:
        out["data_sources"] = [{"id": sid, "name": r.ws.data_sources[sid].name} for sid in db.data_sources]
    return out


def data_source_json(source: DataSource, r: Render) -> dict[str, Any]:
    db = r.ws.databases[source.database_id]
    trashed = r.ws.trashed(db)
    out: dict[str, Any] = {
        "object": "data_source",
        "id": source.id,
        "title": rich_text([Span(source.name)], r),
        "description": [],
        "parent": {"type": "database_id", "database_id": db.id},
        "database_parent": parent_json(db.parent_type, db.parent_id, r),
        "is_inline": db.is_inline,
        "in_trash": trashed,
        "created_time": iso(db.created),
        "last_edited_time": iso(db.edited),
        "created_by": user_ref(r.ws.bot.id),
        "last_edited_by": user_ref(r.ws.bot.id),
        "properties": schema_json(source),
        "icon": None,
        "cover": None,
        "url": notion_url(db.id, db.title),
        "public_url": None,
    }
    if r.has_archived:
        out["archived"] = trashed
    return out


def person_json(user: User) -> dict[str, Any]:
    if user.kind == "bot":
        return {
            "object": "user",
            "id": user.id,
            "name": user.name,
            "avatar_url": None,
            "type": "bot",
            "bot": {},
        }
    return {
        "object": "user",
        "id": user.id,
        "name": user.name,
        "avatar_url": None,
        "type": "person",
        "person": {"email": user.email},
    }


def bot_json(bot_id: str, name: str, ws_id: str, ws_name: str, owner: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "user",
        "id": bot_id,
        "name": name,
        "avatar_url": None,
        "type": "bot",
        "bot": {
            "owner": owner,
            "workspace_id": ws_id,
            "workspace_name": ws_name,
            "workspace_limits": {"max_file_upload_size_in_bytes": 5_368_709_120},
        },
    }


def comment_json(comment: Comment, r: Render) -> dict[str, Any]:
    author = r.ws.user(comment.author)
    return {
        "object": "comment",
        "id": comment.id,
        "parent": {"type": comment.parent_type, comment.parent_type: comment.parent_id},
        "discussion_id": comment.discussion_id,
        "created_time": iso(comment.created),
        "last_edited_time": iso(comment.created),
        "created_by": user_ref(author.id),
        "rich_text": rich_text(comment.rich, r),
        "display_name": {"type": "user", "resolved_name": author.name},
    }
