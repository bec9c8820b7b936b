"""Filters and sorts of data source queries (notion.md 3.5): timestamp, property and compound.

Comparisons use the minute-floored timestamps clients see, so a watermark taken from a response
behaves the way it would against the real API.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .errors import validation
from .model import DataSource, Page, floor_minute
from .workspace import Workspace

TEXT_TYPES = ("title", "rich_text", "url", "email", "phone_number")


def _parse(value: Any) -> tuple[float, bool]:
    """(epoch seconds, date-only?) of an ISO date or datetime."""
    if not isinstance(value, str):
        raise validation(f"body failed validation: date value should be a string, instead was `{value!r}`.")
    try:
        if len(value) == 10:
            return datetime.fromisoformat(value).replace(tzinfo=UTC).timestamp(), True
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise validation(f"body failed validation: `{value}` is not a valid ISO 8601 date.") from exc
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp(), False


def _date_match(actual: float | None, cond: dict[str, Any], now: float) -> bool:
    if not isinstance(cond, dict) or len(cond) != 1:
        raise validation("body failed validation: a date filter needs exactly one condition.")
    op, arg = next(iter(cond.items()))
    if op == "is_empty":
        return actual is None
    if op == "is_not_empty":
        return actual is not None
    if actual is None:
        return False
    if op in ("past_week", "past_month", "past_year", "next_week", "next_month", "next_year", "this_week"):
        days = {"week": 7, "month": 30, "year": 365}[op.split("_")[1]]
        if op.startswith("past") or op == "this_week":
            return now - days * 86400 <= actual <= now
        return now <= actual <= now + days * 86400
    target, date_only = _parse(arg)
    if date_only:
        day = datetime.fromtimestamp(actual, UTC).date()
        tday = datetime.fromtimestamp(target, UTC).date()
        left, right = day, tday
        pairs = {
            "equals": left == right,
            "before": left < right,
            "after": left > right,
            "on_or_before": left <= right,
            "on_or_after": left >= right,
        }
    else:
        pairs = {
            "equals": actual == target,
            "before": actual < target,
            "after": actual > target,
            "on_or_before": actual <= target,
            "on_or_after": actual >= target,
        }
    if op not in pairs:
        raise validation(f"body failed validation: unknown date condition `{op}`.")
    return pairs[op]


def _text_match(actual: str, cond: dict[str, Any]) -> bool:
    op, arg = next(iter(cond.items()))
    a, b = actual.lower(), str(arg).lower()
    table = {
        "equals": a == b,
        "does_not_equal": a != b,
        "contains": b in a,
        "does_not_contain": b not in a,
        "starts_with": a.startswith(b),
        "ends_with": a.endswith(b),
        "is_empty": not a,
        "is_not_empty": bool(a),
    }
    if op not in table:
        raise validation(f"body failed validation: unknown text condition `{op}`.")
    return table[op]


def _number_match(actual: Any, cond: dict[str, Any]) -> bool:
    op, arg = next(iter(cond.items()))
    if op in ("is_empty", "is_not_empty"):
        return (actual is None) == (op == "is_empty")
    if actual is None:
        return False
    table = {
        "equals": actual == arg,
        "does_not_equal": actual != arg,
        "greater_than": actual > arg,
        "less_than": actual < arg,
        "greater_than_or_equal_to": actual >= arg,
        "less_than_or_equal_to": actual <= arg,
    }
    if op not in table:
        raise validation(f"body failed validation: unknown number condition `{op}`.")
    return table[op]


def _list_match(actual: list[Any], cond: dict[str, Any]) -> bool:
    op, arg = next(iter(cond.items()))
    table = {
        "contains": arg in actual,
        "does_not_contain": arg not in actual,
        "is_empty": not actual,
        "is_not_empty": bool(actual),
    }
    if op not in table:
        raise validation(f"body failed validation: unknown condition `{op}`.")
    return table[op]


def matches(page: Page, flt: dict[str, Any], source: DataSource, now: float) -> bool:
    if not isinstance(flt, dict):
        raise validation("body failed validation: body.filter should be an object.")
    if "and" in flt:
        return all(matches(page, sub, source, now) for sub in flt["and"])
    if "or" in flt:
        return any(matches(page, sub, source, now) for sub in flt["or"])
    if "timestamp" in flt:
        kind = flt["timestamp"]
        if kind not in ("created_time", "last_edited_time") or kind not in flt:
            raise validation(
                "body failed validation: body.filter.timestamp should be `created_time` or "
                "`last_edited_time` with a matching condition."
            )
        actual = floor_minute(page.created if kind == "created_time" else page.edited)
        return _date_match(actual, flt[kind], now)
    name = flt.get("property")
    spec = source.schema.get(name) if isinstance(name, str) else None
    if spec is None and isinstance(name, str):
        spec = next((s for s in source.schema.values() if s["id"] == name), None)
        name = next((n for n, s in source.schema.items() if s["id"] == flt.get("property")), name)
    if spec is None:
        raise validation(f"Could not find property with name or id: {flt.get('property')}")
    kind = spec["type"]
    cond_key = next((k for k in flt if k != "property"), None)
    if cond_key is None or not isinstance(flt[cond_key], dict) or len(flt[cond_key]) != 1:
        raise validation("body failed validation: the property filter needs one condition object.")
    cond, raw = flt[cond_key], page.props.get(str(name))
    if kind == "title":
        return _text_match(page.title, cond)
    if kind in TEXT_TYPES:
        return _text_match(str(raw or ""), cond)
    if kind == "number":
        return _number_match(raw, cond)
    if kind == "checkbox":
        op, arg = next(iter(cond.items()))
        return bool(raw) == bool(arg) if op == "equals" else bool(raw) != bool(arg)
    if kind in ("select", "status"):
        op, arg = next(iter(cond.items()))
        table = {
            "equals": raw == arg,
            "does_not_equal": raw != arg,
            "is_empty": raw is None,
            "is_not_empty": raw is not None,
        }
        return table.get(op, False)
    if kind in ("multi_select", "people"):
        return _list_match(list(raw or []), cond)
    if kind in ("created_time", "last_edited_time"):
        return _date_match(floor_minute(page.created if kind == "created_time" else page.edited), cond, now)
    if kind == "date":
        return _date_match(_parse(raw)[0] if raw else None, cond, now)
    raise validation(f"body failed validation: filtering on {kind} properties is not supported.")


def sort_rows(rows: list[Page], sorts: Any, source: DataSource) -> list[Page]:
    """Apply `sorts` (last key least significant); default: created_time ascending."""
    if sorts is None:
        sorts = [{"timestamp": "created_time", "direction": "ascending"}]
    if not isinstance(sorts, list):
        raise validation("body failed validation: body.sorts should be an array.")
    ordered = sorted(rows, key=lambda p: p.id)
    for sort in reversed(sorts):
        direction = sort.get("direction", "ascending") if isinstance(sort, dict) else None
        if direction not in ("ascending", "descending"):
            raise validation("body failed validation: sort direction should be `ascending` or `descending`.")
        ordered.sort(key=_sort_key(sort, source), reverse=direction == "descending")
    return ordered


def _sort_key(sort: dict[str, Any], source: DataSource) -> Any:
    if "timestamp" in sort:
        field = sort["timestamp"]
        if field not in ("created_time", "last_edited_time"):
            raise validation(
                "body failed validation: sort timestamp should be created_time or last_edited_time."
            )
        return lambda p: floor_minute(p.created if field == "created_time" else p.edited)
    name = sort.get("property")
    if name not in source.schema:
        raise validation(f"Could not find sort property with name or id: {name}")
    if source.schema[name]["type"] == "title":
        return lambda p: p.title.lower()
    return lambda p: (p.props.get(name) is None, str(p.props.get(name)))


def visible_rows(ws: Workspace, source: DataSource, in_trash: bool) -> list[Page]:
    out = []
    for row_id in source.rows:
        row = ws.pages.get(row_id)
        if row is None or row.deleted or row.revoked:
            continue
        if (row.in_trash or ws.trashed(row)) != in_trash:
            continue
        out.append(row)
    return out
