"""Keyset pagination over `(created_at, id)`, newest first, with opaque base64url JSON cursors.

A page costs O(limit) at any depth: the cursor becomes a row-value comparison that both SQLite and
PostgreSQL answer with a range scan on an `(owner, created_at, id)` index. `after` pages towards
older items, `before` towards newer ones; the data of a page is always newest first.

A `Keyset` holds the page statements of one base query with the cursor and the limit as bind
parameters, so a repository builds it once and every page runs an already compiled statement:
`Keyset.rows` runs Core column selects through `read_all` (the fast read path), `paginate` runs an
ORM entity select through the session for the repositories that hand out ORM objects.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Integer, Select, Uuid, bindparam, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from breadbox.db.base import UTCDateTime
from breadbox.db.session import ReadSource, Values, read_all
from breadbox.validation import invalid

T = TypeVar("T")

CURSOR_EXAMPLE = "eyJjcmVhdGVkX2F0IjoiMjAyNC0xMi0zMVQyMzo1OTo1OS4wMDBaIiwiaWQiOiJhYmMxMjMifQ=="


class CursorPaginationResponse(BaseModel):
    """Response model for cursor-based pagination."""

    has_more: bool = Field(
        description="Contextual direction-aware flag: True if more items exist in the requested pagination "
        "direction. For 'after': more items after this page. For 'before': more items before this page.",
        examples=[True, False],
    )
    first_cursor: str | None = Field(
        description="Cursor of the first item in this page. Use for backward pagination. None if page is empty.",
        examples=[CURSOR_EXAMPLE, None],
    )
    last_cursor: str | None = Field(
        description="Cursor of the last item in this page. Use for forward pagination. None if page is empty.",
        examples=[CURSOR_EXAMPLE, None],
    )
    total: int | None = Field(
        default=None,
        description="Total number of items available across all pages. Only included when include_total=true "
        "was requested. Expensive operation - use sparingly.",
        examples=[42, 0, None],
    )


@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        raw = json.dumps(
            {"created_at": self.created_at.isoformat(), "id": str(self.id)}, separators=(",", ":")
        )
        return base64.urlsafe_b64encode(raw.encode()).decode()

    @classmethod
    def decode(cls, value: str, param: str) -> Cursor:
        try:
            padded = value + "=" * (-len(value) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode()))
            created_at = datetime.fromisoformat(data["created_at"])
            if created_at.tzinfo is None:
                raise ValueError("naive timestamp")
            return cls(created_at=created_at, id=uuid.UUID(str(data["id"])))
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
            invalid(("query", param), "Invalid cursor", value)


@dataclass(frozen=True)
class CursorParams:
    limit: int
    after: str | None
    before: str | None
    include_total: bool


async def cursor_params(
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=100,
            description="Maximum number of items to return per page (1-100)",
            examples=[10, 20, 50],
        ),
    ] = 20,
    after: Annotated[
        str | None,
        Query(
            description="Cursor for forward pagination - get items after this position. Use last_cursor from "
            "previous response.",
            examples=[CURSOR_EXAMPLE],
        ),
    ] = None,
    before: Annotated[
        str | None,
        Query(
            description="Cursor for backward pagination - get items before this position. Use first_cursor from "
            "previous response.",
            examples=[CURSOR_EXAMPLE],
        ),
    ] = None,
    include_total: Annotated[
        bool,
        Query(
            description="Whether to include total count in response (expensive operation)",
            examples=[False, True],
        ),
    ] = False,
) -> CursorParams:
    return CursorParams(limit=limit, after=after, before=before, include_total=include_total)


@dataclass
class Page(Generic[T]):
    items: list[T]
    pagination: CursorPaginationResponse


class Keyset:
    """The statements for keyset pages of `stmt` (already filtered to its owner), built once.

    Bind parameters: `limit` (one more than the page size, to learn `has_more`), and for a cursor
    `cursor_created_at` and `cursor_id`; plus whatever `stmt` itself binds (its owner)."""

    def __init__(self, stmt: Select[Any], created_at: ColumnElement[Any], id_col: ColumnElement[Any]) -> None:
        key = tuple_(created_at, id_col)
        cursor = tuple_(
            bindparam("cursor_created_at", type_=UTCDateTime()), bindparam("cursor_id", type_=Uuid())
        )
        limit = bindparam("limit", type_=Integer())
        newest_first = (created_at.desc(), id_col.desc())
        self.first = stmt.order_by(*newest_first).limit(limit)
        self.after = stmt.where(key < cursor).order_by(*newest_first).limit(limit)
        self.before = stmt.where(key > cursor).order_by(created_at.asc(), id_col.asc()).limit(limit)
        self.count = select(func.count()).select_from(stmt.order_by(None).subquery())
        self.created_at_key = created_at.key
        self.id_key = id_col.key

    def choose(self, params: CursorParams) -> tuple[Select[Any], dict[str, Any]]:
        """The statement for the page `params` asks for, and its cursor and limit binds."""
        if params.after and params.before:
            invalid(("query", "before"), "Use either 'after' or 'before', not both", params.before)
        binds: dict[str, Any] = {"limit": params.limit + 1}
        if params.after is not None:
            stmt, cursor = self.after, Cursor.decode(params.after, "after")
        elif params.before is not None:
            stmt, cursor = self.before, Cursor.decode(params.before, "before")
        else:
            return self.first, binds
        binds.update(cursor_created_at=cursor.created_at, cursor_id=cursor.id)
        return stmt, binds

    async def rows(
        self, source: ReadSource, params: CursorParams, owner: dict[str, Any]
    ) -> tuple[list[Values], bool, int | None]:
        """One page of Core rows (tuples in column order, newest first), `has_more` and the total
        when asked for; `owner` binds the base statement's own parameters."""
        stmt, binds = self.choose(params)
        rows = await read_all(source, stmt, {**owner, **binds})
        total = None
        if params.include_total:
            total = await self.total(source, owner)
        rows, has_more = _trim(rows, params)
        return rows, has_more, total

    async def total(self, source: ReadSource, owner: dict[str, Any]) -> int:
        """How many rows the base statement has (a count: O(rows), only on request)."""
        return int((await read_all(source, self.count, owner))[0][0])


def page_of(items: list[T], has_more: bool, total: int | None, cursor_of: Callable[[T], Cursor]) -> Page[T]:
    """A page of `items` (newest first) with its pagination block."""
    return Page(
        items=items,
        pagination=CursorPaginationResponse(
            has_more=has_more,
            first_cursor=cursor_of(items[0]).encode() if items else None,
            last_cursor=cursor_of(items[-1]).encode() if items else None,
            total=total,
        ),
    )


def _trim(rows: list[Any], params: CursorParams) -> tuple[list[Any], bool]:
    has_more = len(rows) > params.limit
    rows = rows[: params.limit]
    if params.before is not None:
        rows.reverse()
    return rows, has_more


async def paginate(
    session: AsyncSession,
    stmt: Select[Any],
    created_at: InstrumentedAttribute[Any],
    id_col: InstrumentedAttribute[Any],
    params: CursorParams,
) -> Page[Any]:
    """Run the ORM entity select `stmt` (already filtered to its owner) as one keyset page of ORM
    objects, newest first, through the session."""
    keyset = Keyset(stmt, created_at, id_col)  # type: ignore[arg-type]
    page_stmt, binds = keyset.choose(params)
    rows, has_more = _trim(list((await session.scalars(page_stmt, binds)).all()), params)
    total = None
    if params.include_total:
        total = await session.scalar(keyset.count)
    return page_of(
        rows, has_more, total, lambda row: Cursor(getattr(row, created_at.key), getattr(row, id_col.key))
    )
