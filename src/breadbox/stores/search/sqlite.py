"""SQLite FTS5 adapter: BM25 over chunk text (weight 1.0) and title/heading context (0.5)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnClause, column, func, literal_column, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.stores.models import StoreChunk, StoreFile
from breadbox.stores.search.base import SearchHit, SearchRequest, hit_columns, restrict, to_hits
from breadbox.stores.search.ddl import FTS_TABLE
from breadbox.stores.search.query import fts5_match

_fts = table(FTS_TABLE, column("rowid"))
_fts_column: ColumnClause[Any] = literal_column(FTS_TABLE)


def bm25_to_unit(raw: float) -> float:
    """FTS5's bm25() is negative, lower is better; -bm25 / (1 - bm25) maps it onto 0..1, monotonic."""
    positive = max(-float(raw), 0.0)
    return positive / (positive + 1.0)


class SqliteSearch:
    async def search(self, session: AsyncSession, request: SearchRequest) -> list[SearchHit]:
        if not request.words or not request.store_ids:
            return []
        rank = func.bm25(_fts_column, 1.0, 0.5)
        stmt = (
            select(rank, *hit_columns())
            .select_from(_fts)
            .join(StoreChunk, StoreChunk.id == _fts.c.rowid)
            .join(StoreFile, StoreFile.id == StoreChunk.store_file_id)
            .where(_fts_column.op("MATCH")(fts5_match(request.words)))
        )
        stmt = restrict(stmt, request, "sqlite").order_by(rank).limit(request.top_k)
        rows = (await session.execute(stmt)).all()
        return to_hits(rows, request.score_threshold, bm25_to_unit)
