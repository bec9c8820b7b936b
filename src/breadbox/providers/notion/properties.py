"""Database row properties (notion.md 4.1) as a readable header and a flat metadata summary.

Every value type is rendered from the page object alone (no extra requests). File properties
show names, never their signed URLs. Relations show page links; Notion truncates relation and
people values at 25 references in page objects (notion.md 6.10), which we mark with "…".
"""

from __future__ import annotations

from typing import Any

from .inline import escape, link, notion_url, plain, rich_text

USER_TYPES = ("created_by", "last_edited_by")


def title_of(properties: dict[str, Any]) -> str:
    """The title property's text, whatever the schema named it."""
    for value in properties.values():
        if isinstance(value, dict) and value.get("type") == "title":
            return plain(value.get("title"))
    return ""


def _user(user: Any) -> str:
    if not isinstance(user, dict):
        return ""
    return str(user.get("name") or (user.get("person") or {}).get("email") or user.get("id", ""))


def _date(value: Any) -> str:
    if not isinstance(value, dict) or not value.get("start"):
        return ""
    out = str(value["start"])
    if value.get("end"):
        out += f" → {value['end']}"
    return out


def _number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def value_text(prop: dict[str, Any], markdown: bool = True) -> str:
    """One property value as text (inline Markdown when `markdown`); "" when empty."""
    kind = str(prop.get("type", ""))
    value = prop.get(kind)
    if kind in ("title", "rich_text"):
        return rich_text(value) if markdown else plain(value)
    if kind in ("select", "status"):
        return escape(str(value.get("name", ""))) if isinstance(value, dict) else ""
    if kind == "multi_select":
        return ", ".join(escape(str(opt.get("name", ""))) for opt in value or [])
    if kind == "number":
        return _number(value)
    if kind == "checkbox":
        return "Yes" if value else "No"
    if kind == "date":
        return _date(value)
    if kind == "people":
        return ", ".join(_user(user) for user in value or [])
    if kind in USER_TYPES:
        return _user(value)
    if kind in ("created_time", "last_edited_time", "url", "email", "phone_number"):
        return str(value or "")
    if kind == "files":
        return ", ".join(escape(str(item.get("name", ""))) for item in value or [])
    if kind == "relation":
        refs = [ref.get("id", "") for ref in value or [] if isinstance(ref, dict)]
        shown = ", ".join(link(ref[:8], notion_url(ref)) if markdown else ref for ref in refs)
        return shown + (", …" if prop.get("has_more") else "")
    if kind == "formula" and isinstance(value, dict):
        inner = value.get("type", "")
        result = value.get(inner)
        return (
            _date(result)
            if inner == "date"
            else (_number(result) if inner == "number" else str(result or ""))
        )
    if kind == "rollup" and isinstance(value, dict):
        inner = value.get("type", "")
        if inner == "array":
            parts = [
                value_text(item, markdown) for item in value.get("array") or [] if isinstance(item, dict)
            ]
            return ", ".join(part for part in parts if part)
        result = value.get(inner)
        return _date(result) if inner == "date" else _number(result)
    if kind == "unique_id" and isinstance(value, dict):
        prefix = value.get("prefix")
        return f"{prefix}-{value.get('number')}" if prefix else str(value.get("number", ""))
    if kind == "verification" and isinstance(value, dict):
        return str(value.get("state", ""))
    if kind == "place" and isinstance(value, dict):
        return str(value.get("name") or value.get("address") or "")
    return ""  # button and types this renderer does not know


def header(properties: dict[str, Any]) -> str:
    """`- **Name:** value` lines for every non-empty property except the title, in schema order."""
    lines = []
    for name, prop in properties.items():
        if not isinstance(prop, dict) or prop.get("type") == "title":
            continue
        text = value_text(prop)
        if text:
            lines.append(f"- **{escape(name)}:** {text}")
    return "\n".join(lines)


def summary(properties: dict[str, Any]) -> dict[str, str]:
    """Plain-text values for metadata (filters want strings, not Markdown)."""
    out = {}
    for name, prop in properties.items():
        if isinstance(prop, dict):
            text = value_text(prop, markdown=False)
            if text:
                out[name] = text[:500]
    return out
