"""Metadata filters (`SearchFilter` / `SearchFilterCondition`) compiled to SQL on both backends.

A condition's `key` is a path into the file's metadata object, dots separating levels
(`author.name`). Comparisons are typed by the value given:

- numbers (and, for `gt`/`gte`/`lt`/`lte`/`eq`, strings that read as numbers) compare numerically
  with numeric metadata;
- strings compare with string metadata (ISO dates therefore order correctly);
- booleans and null match only booleans and null (a missing key counts as null);
- `in` / `not_in` take a list and mean "equal to one of" / "equal to none of";
- `like` / `not_like` are case-insensitive SQL LIKE patterns (`%`, `_`); a pattern without
  wildcards matches as a substring; `starts_with` is a literal prefix.

Every condition is total (never SQL NULL), so `not_eq`, `not_in` and `none` also match files that
lack the key. `regex` is refused with a 400: SQLite has no regular expressions by default and both
backends must answer the same.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Numeric, and_, case, cast, false, func, not_, or_, true

from breadbox.errors import BadRequestError
from breadbox.stores.schemas import FilterInput, SearchFilter, SearchFilterCondition

MAX_DEPTH = 8
MAX_CONDITIONS = 200

Comparator = Callable[[Any, Any], Any]
ORDERING: dict[str, Comparator] = {
    "eq": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


class _Accessor:
    """Typed access to one metadata path on one dialect."""

    def __init__(self, column: Any, path: list[str], dialect: str) -> None:
        self.sqlite = dialect == "sqlite"
        if self.sqlite:
            json_path = "$" + "".join('."' + p.replace('"', '\\"') + '"' for p in path)
            self.kind = func.json_type(column, json_path)
            self.value = func.json_extract(column, json_path)
        else:
            self.kind = func.jsonb_typeof(func.jsonb_extract_path(column, *path))
            self.value = func.jsonb_extract_path_text(column, *path)

    def is_number(self) -> ColumnElement[bool]:
        return self.kind.in_(("integer", "real")) if self.sqlite else self.kind == "number"

    def number(self) -> ColumnElement[Any]:
        if self.sqlite:
            return self.value
        # The CASE guards the cast: PostgreSQL may evaluate it before the type test of an AND.
        return case((self.kind == "number", cast(self.value, Numeric)), else_=None)

    def is_string(self) -> ColumnElement[bool]:
        return self.kind == ("text" if self.sqlite else "string")

    def is_bool(self, value: bool) -> ColumnElement[bool]:
        if self.sqlite:
            return self.kind == ("true" if value else "false")
        return and_(self.kind == "boolean", self.value == ("true" if value else "false"))

    def is_null(self) -> ColumnElement[bool]:
        return or_(self.kind.is_(None), self.kind == "null")


def compile_filter(filters: FilterInput | None, column: Any, dialect: str) -> ColumnElement[bool] | None:
    """The SQL condition for `filters` over the JSON `column`, or None when there is nothing to filter."""
    if filters is None:
        return None
    counter = [0]
    if isinstance(filters, list):
        return and_(true(), *(_node(f, column, dialect, 1, counter) for f in filters))
    return _node(filters, column, dialect, 1, counter)


def _node(
    node: SearchFilter | SearchFilterCondition, column: Any, dialect: str, depth: int, counter: list[int]
) -> ColumnElement[bool]:
    if depth > MAX_DEPTH:
        raise BadRequestError(
            f"Filters may nest at most {MAX_DEPTH} levels deep", error_type="invalid_filter"
        )
    if isinstance(node, SearchFilterCondition):
        counter[0] += 1
        if counter[0] > MAX_CONDITIONS:
            raise BadRequestError(
                f"Filters may have at most {MAX_CONDITIONS} conditions", error_type="invalid_filter"
            )
        return _condition(node, column, dialect)
    parts: list[ColumnElement[bool]] = []
    if node.all is not None:
        parts.append(and_(true(), *(_node(n, column, dialect, depth + 1, counter) for n in node.all)))
    if node.any is not None and node.any:
        parts.append(or_(false(), *(_node(n, column, dialect, depth + 1, counter) for n in node.any)))
    if node.none is not None and node.none:
        parts.append(not_(or_(false(), *(_node(n, column, dialect, depth + 1, counter) for n in node.none))))
    return and_(true(), *parts)


def _condition(cond: SearchFilterCondition, column: Any, dialect: str) -> ColumnElement[bool]:
    path = [p for p in cond.key.split(".") if p]
    if not path:
        raise BadRequestError("A filter condition needs a non-empty key", error_type="invalid_filter")
    acc = _Accessor(column, path, dialect)
    op = cond.operator
    value = cond.value
    if op == "regex":
        raise BadRequestError(
            "The 'regex' filter operator is not supported by the embedded store; use 'like' or 'starts_with'",
            error_type="invalid_filter",
        )
    if op in ("in", "not_in"):
        if not isinstance(value, list):
            raise BadRequestError(
                f"The '{op}' operator needs a list value (key '{cond.key}')", error_type="invalid_filter"
            )
        matched = _total(or_(false(), *(_compare(acc, "eq", v) for v in value)))
        return not_(matched) if op == "not_in" else matched
    if op in ("like", "not_like", "starts_with"):
        if not isinstance(value, str):
            raise BadRequestError(
                f"The '{op}' operator needs a string value (key '{cond.key}')", error_type="invalid_filter"
            )
        pattern = _escape(value) + "%" if op == "starts_with" else _like_pattern(value)
        escape = "\\" if op == "starts_with" else None
        matched = _total(and_(acc.is_string(), acc.value.ilike(pattern, escape=escape)))
        return not_(matched) if op == "not_like" else matched
    if op == "not_eq":
        return not_(_total(_compare(acc, "eq", value)))
    return _total(_compare(acc, op, value))


def _compare(acc: _Accessor, op: str, value: Any) -> ColumnElement[bool]:
    if isinstance(value, list | dict):
        raise BadRequestError(f"The '{op}' operator needs a scalar value", error_type="invalid_filter")
    compare = ORDERING[op]
    options: list[ColumnElement[bool]] = []
    if isinstance(value, bool):
        if op != "eq":
            raise BadRequestError(f"The '{op}' operator cannot compare booleans", error_type="invalid_filter")
        return acc.is_bool(value)
    if value is None:
        if op != "eq":
            raise BadRequestError(
                f"The '{op}' operator cannot compare with null", error_type="invalid_filter"
            )
        return acc.is_null()
    number = _as_number(value)
    if number is not None:
        options.append(and_(acc.is_number(), compare(acc.number(), number)))
    if isinstance(value, str):
        options.append(and_(acc.is_string(), compare(acc.value, value)))
    return or_(false(), *options)


def _total(expr: ColumnElement[bool]) -> ColumnElement[bool]:
    """NULL (a missing key, a NULL comparison) becomes false, so negations behave."""
    return func.coalesce(expr, false(), type_=Boolean)


def _as_number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return int(number) if number.is_integer() and "." not in value else number
    return None


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like_pattern(value: str) -> str:
    return value if ("%" in value or "_" in value) else f"%{value}%"
