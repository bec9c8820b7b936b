"""Evaluation of Linear's `filter` arguments (IssueFilter, CommentFilter, DateComparator, ...).

The filter is interpreted generically against entity attributes: a dict on a to-one relation
is a nested filter, on a to-many relation a collection filter (some/every/length), on a scalar a
comparator. Keys the simulator cannot interpret are ignored and counted in the stats as
`unsupported_filter:<key>`, so a test can notice that a filter was not applied.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import isodate

from .workspace import ms

Related = Callable[[object, str], Any]
"""Reads an attribute, including derived to-many relations (resolvers.related), or MISSING."""

MISSING: Any = object()


class FilterError(ValueError):
    """A comparator value the API would reject as invalid input."""


def parse_moment(value: Any, now: datetime) -> datetime:
    """A DateTimeOrDuration: ISO 8601 (also shortcuts such as `2021`) or a duration from now."""
    if isinstance(value, datetime):
        return value
    text = str(value).strip()
    try:
        if text.startswith(("P", "-P", "+P")):
            sign = -1 if text.startswith("-") else 1
            return ms(now + sign * isodate.parse_duration(text.lstrip("+-")))
        if re.fullmatch(r"\d{4}", text):
            return datetime(int(text), 1, 1, tzinfo=UTC)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return datetime(int(text[:4]), int(text[5:7]), 1, tzinfo=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, isodate.ISO8601Error) as exc:
        raise FilterError(f"Invalid date: {text}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _coerce(actual: Any, value: Any, now: datetime) -> Any:
    if isinstance(actual, datetime):
        return parse_moment(value, now)
    if isinstance(actual, date) and isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(actual, float) and isinstance(value, int | float):
        return float(value)
    return value


def compare(actual: Any, comparator: dict[str, Any], now: datetime) -> bool:
    """One comparator object such as `{gt: "2024-01-01", lte: "-P1D"}` against a value."""
    for op, raw in comparator.items():
        if raw is None and op != "null":
            continue
        if op == "null":
            if (actual is None) != bool(raw):
                return False
            continue
        if op in ("in", "nin"):
            values = [_coerce(actual, v, now) for v in raw]
            if (actual in values) != (op == "in"):
                return False
            continue
        if actual is None:
            if op == "neq":
                continue
            return False
        value = _coerce(actual, raw, now)
        if not _apply(op, actual, value):
            return False
    return True


def _apply(op: str, actual: Any, value: Any) -> bool:
    if op == "eq":
        return bool(actual == value)
    if op == "neq":
        return bool(actual != value)
    if op in ("gt", "gte", "lt", "lte"):
        try:
            return bool(
                {"gt": actual > value, "gte": actual >= value, "lt": actual < value, "lte": actual <= value}[
                    op
                ]
            )
        except TypeError:
            return False
    text, needle = str(actual), str(value)
    ops: dict[str, Callable[[], bool]] = {
        "contains": lambda: needle in text,
        "notContains": lambda: needle not in text,
        "containsIgnoreCase": lambda: needle.lower() in text.lower(),
        "notContainsIgnoreCase": lambda: needle.lower() not in text.lower(),
        "eqIgnoreCase": lambda: needle.lower() == text.lower(),
        "neqIgnoreCase": lambda: needle.lower() != text.lower(),
        "startsWith": lambda: text.startswith(needle),
        "startsWithIgnoreCase": lambda: text.lower().startswith(needle.lower()),
        "notStartsWith": lambda: not text.startswith(needle),
        "endsWith": lambda: text.endswith(needle),
        "notEndsWith": lambda: not text.endswith(needle),
    }
    if op in ops:
        return ops[op]()
    raise KeyError(op)


COLLECTION_KEYS = {"some", "every", "none", "length"}


class Matcher:
    """Applies one filter tree to entities; `unsupported` collects keys it could not interpret."""

    def __init__(self, related: Related, now: datetime) -> None:
        self.related = related
        self.now = now
        self.unsupported: set[str] = set()

    def matches(self, entity: object, spec: dict[str, Any] | None) -> bool:
        if not spec:
            return True
        for key, sub in spec.items():
            if sub is None:
                continue
            if key == "and":
                if not all(self.matches(entity, part) for part in sub):
                    return False
            elif key == "or":
                if sub and not any(self.matches(entity, part) for part in sub):
                    return False
            elif not self._field(entity, key, sub):
                return False
        return True

    def _field(self, entity: object, key: str, sub: Any) -> bool:
        if entity is None:
            return bool(isinstance(sub, dict) and sub.get("null") is True)
        actual = self.related(entity, key)
        if actual is MISSING:
            self.unsupported.add(key)
            return True
        if isinstance(actual, list):
            return self._collection(actual, key, sub)
        if actual is not None and hasattr(actual, "id") and not isinstance(actual, str | datetime):
            return self.matches(actual, {k: v for k, v in sub.items() if k != "null"}) and (
                sub.get("null") is not True
            )
        if actual is None and isinstance(sub, dict) and not _is_comparator(sub):
            return sub.get("null") is True
        try:
            return compare(actual, sub, self.now)
        except KeyError as exc:
            self.unsupported.add(f"{key}.{exc.args[0]}")
            return True

    def _collection(self, items: list[Any], key: str, sub: dict[str, Any]) -> bool:
        if items and not hasattr(items[0], "id"):  # a list of scalars, e.g. previousIdentifiers
            return any(compare(item, sub, self.now) for item in items) if sub else True
        plain = {k: v for k, v in sub.items() if k not in COLLECTION_KEYS}
        if "some" in sub and sub["some"] is not None and not any(self.matches(i, sub["some"]) for i in items):
            return False
        if (
            "every" in sub
            and sub["every"] is not None
            and not all(self.matches(i, sub["every"]) for i in items)
        ):
            return False
        if "none" in sub and sub["none"] is not None and any(self.matches(i, sub["none"]) for i in items):
            return False
        if "length" in sub and sub["length"] is not None and not compare(len(items), sub["length"], self.now):
            return False
        return not plain or any(self.matches(i, plain) for i in items)


def _is_comparator(sub: dict[str, Any]) -> bool:
    return any(k in sub for k in ("eq", "neq", "in", "nin", "gt", "gte", "lt", "lte", "contains"))
