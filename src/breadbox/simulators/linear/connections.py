"""Relay connections: filtering, ordering, keyset cursors and `pageInfo`.

Cursors are opaque keyset positions (order field, value, id), so rows edited while a client
pages move to where their new `updatedAt` puts them, exactly the hazard a real keyset API has:
with descending `updatedAt`, an edited row jumps to the front and a running scan misses it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .filters import Matcher

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class CursorError(ValueError):
    """An `after`/`before` value this server never issued."""


def encode_cursor(order: str, value: Any, ident: str) -> str:
    raw = json.dumps([order, value.isoformat() if isinstance(value, datetime) else value, ident])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, order: str) -> tuple[Any, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        field_name, value, ident = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if field_name != order:
            raise CursorError(f"cursor was issued for orderBy {field_name}")
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return (value if value is not None else EPOCH), str(ident)
    except CursorError:
        raise
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise CursorError("Invalid cursor") from exc


@dataclass
class PageInfo:
    hasNextPage: bool
    hasPreviousPage: bool
    startCursor: str | None
    endCursor: str | None


@dataclass
class Edge:
    node: object
    cursor: str


class Connection:
    """What a `…Connection` field resolves to; edges are built only when selected."""

    def __init__(self, nodes: list[Any], order: str, page_info: PageInfo) -> None:
        self.nodes = nodes
        self.order = order
        self.pageInfo = page_info

    @property
    def edges(self) -> list[Edge]:
        return [Edge(n, encode_cursor(self.order, sort_value(n, self.order), n.id)) for n in self.nodes]


def sort_value(item: object, order: str) -> Any:
    value = getattr(item, order, None)
    return value if value is not None else EPOCH


def paginate(
    items: list[Any], args: dict[str, Any], matcher: Matcher, default_size: int, descending: bool
) -> Connection:
    """Apply includeArchived, filter, orderBy, after/before and first/last to `items`."""
    order = args.get("orderBy") or "createdAt"
    include_archived = bool(args.get("includeArchived"))
    spec = args.get("filter")
    rows = [
        item
        for item in items
        if (include_archived or getattr(item, "archivedAt", None) is None) and matcher.matches(item, spec)
    ]
    rows.sort(key=lambda item: (sort_value(item, order), item.id), reverse=descending)

    def beyond(item: object, key: tuple[Any, str]) -> bool:
        own = (sort_value(item, order), item.id)  # type: ignore[attr-defined]
        return own < key if descending else own > key

    start, stop = 0, len(rows)
    if args.get("after"):
        key = decode_cursor(args["after"], order)
        start = next((i for i, item in enumerate(rows) if beyond(item, key)), len(rows))
    if args.get("before"):
        key = decode_cursor(args["before"], order)
        stop = next(
            (
                i
                for i, item in enumerate(rows)
                if beyond(item, key) or (sort_value(item, order), item.id) == key
            ),
            len(rows),
        )
        stop = max(stop, start)
    window = rows[start:stop]
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        first = default_size
    has_next = stop < len(rows)
    has_prev = start > 0
    if first is not None and len(window) > first:
        window, has_next = window[:first], True
    if last is not None and len(window) > last:
        window, has_prev = window[len(window) - last :], True
    cursors = [encode_cursor(order, sort_value(n, order), n.id) for n in (window[:1] + window[-1:])]
    info = PageInfo(has_next, has_prev, cursors[0] if cursors else None, cursors[-1] if cursors else None)
    return Connection(window, order, info)
