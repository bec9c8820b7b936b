"""Keyset pagination over `(created_at, id)`, newest first, with opaque base64url JSON cursors.

A page costs O(limit) at any depth: the cursor becomes a row-value comparison that both SQLite and
PostgreSQL answer with a range scan on an `(owner, created_at, id)` index. `after` pages towards
older items, `before` towards newer ones; the data of a page is always newest first.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import Select, Uuid, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from breadbox.db.base import UTCDateTime
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


def cursor_params(
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


def _cursor_of(row: Any, created_at: InstrumentedAttribute[Any], id_col: InstrumentedAttribute[Any]) -> str:
    return Cursor(getattr(row, created_at.key), getattr(row, id_col.key)).encode()


async def paginate(
    session: AsyncSession,
    stmt: Select[Any],
    created_at: InstrumentedAttribute[Any],
    id_col: InstrumentedAttribute[Any],
    params: CursorParams,
) -> Page[Any]:
    """Run `stmt` (already filtered to its owner) as one keyset page, newest first."""
    if params.after and params.before:
        invalid(("query", "before"), "Use either 'after' or 'before', not both", params.before)
    key = tuple_(created_at, id_col)
    page_stmt = stmt
    backwards = params.before is not None
    if params.after is not None:
        c = Cursor.decode(params.after, "after")
        page_stmt = page_stmt.where(key < tuple_(_bind_ts(c.created_at), _bind_id(c.id)))
    elif params.before is not None:
        c = Cursor.decode(params.before, "before")
        page_stmt = page_stmt.where(key > tuple_(_bind_ts(c.created_at), _bind_id(c.id)))
    order = (created_at.asc(), id_col.asc()) if backwards else (created_at.desc(), id_col.desc())
    rows = list((await session.scalars(page_stmt.order_by(*order).limit(params.limit + 1))).all())
    has_more = len(rows) > params.limit
    rows = rows[: params.limit]
    if backwards:
        rows.reverse()
    total = None
    if params.include_total:
        total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return Page(
        items=rows,
        pagination=CursorPaginationResponse(
            has_more=has_more,
            first_cursor=_cursor_of(rows[0], created_at, id_col) if rows else None,
            last_cursor=_cursor_of(rows[-1], created_at, id_col) if rows else None,
            total=total,
        ),
    )


def _bind_ts(value: datetime) -> Any:
    return literal(value, UTCDateTime())


def _bind_id(value: uuid.UUID) -> Any:
    return literal(value, Uuid())
