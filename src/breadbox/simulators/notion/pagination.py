"""Opaque, signed cursors and `page_size` checks shared by every list endpoint (notion.md 3.0).

A cursor is bound to the listing it came from (its scope); garbage, tampered or foreign cursors
are rejected with 400 "The start_cursor provided is invalid", as the real API does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any, TypeVar

from .errors import validation

T = TypeVar("T")
MAX_PAGE_SIZE = 100


class Cursors:
    def __init__(self, secret: bytes, ttl: float | None = None) -> None:
        self._secret = secret
        self.ttl = ttl

    def _sig(self, scope: str, payload: str) -> str:
        return hmac.new(self._secret, f"{scope}|{payload}".encode(), hashlib.sha256).hexdigest()[:20]

    def encode(self, scope: str, offset: int, now: float) -> str:
        payload = f"{offset}.{int(now)}"
        raw = f"{payload}.{self._sig(scope, payload)}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: Any, scope: str, now: float, where: str) -> int:
        if not isinstance(cursor, str):
            raise validation(
                f"{where} failed validation: {where}.start_cursor should be a string, "
                f"instead was `{cursor!r}`."
            )
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            offset_s, issued_s, sig = raw.split(".")
            payload = f"{offset_s}.{issued_s}"
            ok = hmac.compare_digest(sig, self._sig(scope, payload))
            offset, issued = int(offset_s), int(issued_s)
        except (ValueError, UnicodeDecodeError):
            ok, offset, issued = False, 0, 0
        if not ok or offset < 0 or (self.ttl is not None and now - issued > self.ttl):
            raise validation(f"The start_cursor provided is invalid: {cursor}")
        return offset


def page_size(raw: Any, where: str) -> int:
    """`where` is "body" or "query"; query values arrive as strings."""
    if raw is None:
        return MAX_PAGE_SIZE
    value: Any = raw
    if isinstance(raw, str) and where == "query":
        try:
            value = int(raw)
        except ValueError:
            value = raw
    if not isinstance(value, int) or isinstance(value, bool):
        raise validation(
            f"{where} failed validation: {where}.page_size should be a number, instead was `{raw!r}`."
        )
    if value < 1 or value > MAX_PAGE_SIZE:
        raise validation(
            f"{where} failed validation: {where}.page_size should be ≤ `{MAX_PAGE_SIZE}` and ≥ `1`, "
            f"instead was `{value}`."
        )
    return value


def paginate(
    items: list[T], params: dict[str, Any], scope: str, cursors: Cursors, now: float, where: str
) -> tuple[list[T], str | None, bool]:
    """Slice `items` by `start_cursor`/`page_size` from `params`; returns (page, next_cursor, has_more)."""
    size = page_size(params.get("page_size"), where)
    start = cursors.decode(params["start_cursor"], scope, now, where) if "start_cursor" in params else 0
    chunk = items[start : start + size]
    end = start + len(chunk)
    more = end < len(items)
    return chunk, cursors.encode(scope, end, now) if more else None, more


def list_json(
    results: list[Any], next_cursor: str | None, has_more: bool, type_: str, **extra: Any
) -> dict[str, Any]:
    return {
        "object": "list",
        "results": results,
        "next_cursor": next_cursor,
        "has_more": has_more,
        "type": type_,
        type_: {},
        **extra,
    }
