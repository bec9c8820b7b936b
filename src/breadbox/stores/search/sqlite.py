"""SQLite FTS5 adapter: BM25 over chunk text (weight 1.0) and title/heading context (0.5).

One statement answers a search: FTS5 picks its best-ranked candidates itself (`ORDER BY rank
LIMIT n` with the `bm25(1.0, 0.5)` rank function, which FTS5 sorts internally), and only those are
joined to their chunk and store-file rows and restricted to the requested stores and files. When
fewer than `top_k` candidates survive the restriction (the store is a small part of the database,
or few chunks match), the same statement runs again without the candidate limit, so the answer is
always the exact top `top_k` of the requested stores.

Requests without metadata filters (the common case) skip SQLAlchemy: the SQL is fixed, sent as one
`execute_fetchall` on the session's own aiosqlite connection (one hop to its thread instead of
four per statement), and the columns are decoded here. Metadata filters are SQLAlchemy
expressions, so those requests run the same statement built with SQLAlchemy Core.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnClause, column, literal_column, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.stores.models import StoreChunk, StoreFile
from breadbox.stores.search.base import (
    SearchHit,
    SearchRequest,
    candidate_limit,
    hit_columns,
    restrict,
    to_hits,
)
from breadbox.stores.search.ddl import FTS_TABLE
from breadbox.stores.search.query import fts5_match

RANK = "bm25(1.0, 0.5)"
_fts_column: ColumnClause[Any] = literal_column(FTS_TABLE)

_FAST_SQL = f"""
WITH hits AS (
    SELECT rowid AS id, rank AS score FROM {FTS_TABLE}
    WHERE {FTS_TABLE} MATCH ? AND rank MATCH '{RANK}' ORDER BY rank LIMIT ?
)
SELECT hits.score, c.chunk_index, c."offset", c.text, c.generated_metadata,
       f.file_id, f.filename, c.store_id, f.external_id, f.metadata
FROM hits
JOIN store_chunks AS c ON c.id = hits.id
JOIN store_files AS f ON f.id = c.store_file_id
WHERE c.store_id IN ({{stores}}){{files}}
ORDER BY hits.score LIMIT ?"""


def bm25_to_unit(raw: float) -> float:
    """FTS5's bm25() is negative, lower is better; -bm25 / (1 - bm25) maps it onto 0..1, monotonic."""
    positive = max(-float(raw), 0.0)
    return positive / (positive + 1.0)


class SqliteSearch:
    async def stores(
        self,
        session: AsyncSession,
        organization_id: uuid.UUID,
        ids: Sequence[uuid.UUID],
        names: Sequence[str],
    ) -> list[tuple[uuid.UUID, str]]:
        sql = (
            f"SELECT id, name FROM stores WHERE organization_id = ? AND (id IN ({', '.join('?' * len(ids))})"
            f" OR name IN ({', '.join('?' * len(names))}))"
        )
        rows = await _fetch(session, sql, [organization_id.hex, *(i.hex for i in ids), *names])
        return [(uuid.UUID(store_id), name) for store_id, name in rows]

    async def search(self, session: AsyncSession, request: SearchRequest) -> list[SearchHit]:
        if not request.words or not request.store_ids:
            return []
        match = fts5_match(request.words)
        run = self._fast if request.metadata_filter is None else self._core
        limit = candidate_limit(request.top_k)
        rows = await run(session, request, match, limit)
        if len(rows) < request.top_k and limit >= 0:
            rows = await run(session, request, match, -1)  # exact: every candidate (LIMIT -1)
        return to_hits(rows, request.score_threshold, bm25_to_unit)

    async def optimize(self, session: AsyncSession) -> None:
        """Merge FTS5's segments into one (each committed batch adds a segment; queries read all)."""
        await session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))

    async def _fast(
        self, session: AsyncSession, request: SearchRequest, match: str, limit: int
    ) -> list[tuple[Any, ...]]:
        files = ""
        params: list[Any] = [match, limit, *(s.hex for s in request.store_ids)]
        if request.file_ids is not None:
            marks = ", ".join("?" * len(request.file_ids))
            files = f" AND f.file_id {'NOT IN' if request.exclude_file_ids else 'IN'} ({marks})"
            params.extend(f.hex for f in request.file_ids)
        params.append(request.top_k)
        sql = _FAST_SQL.format(stores=", ".join("?" * len(request.store_ids)), files=files)
        return [_decode(row) for row in await _fetch(session, sql, params)]

    async def _core(
        self, session: AsyncSession, request: SearchRequest, match: str, limit: int
    ) -> list[tuple[Any, ...]]:
        fts = table(FTS_TABLE, column("rowid"), column("rank"))
        hits = (
            select(fts.c.rowid.label("id"), fts.c.rank.label("score"))
            .where(_fts_column.op("MATCH")(match), fts.c.rank.op("MATCH")(RANK))
            .order_by(fts.c.rank)
            .limit(limit)
            .cte("hits")
        )
        stmt = (
            select(hits.c.score, *hit_columns())
            .select_from(hits)
            .join(StoreChunk, StoreChunk.id == hits.c.id)
            .join(StoreFile, StoreFile.id == StoreChunk.store_file_id)
        )
        stmt = restrict(stmt, request, "sqlite").order_by(hits.c.score).limit(request.top_k)
        return [tuple(row) for row in (await session.execute(stmt)).all()]


async def _fetch(session: AsyncSession, sql: str, params: Sequence[Any]) -> Iterable[Any]:
    """One read on the session's own connection, in one call to aiosqlite's thread."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return await raw.driver_connection.execute_fetchall(sql, params)  # type: ignore[union-attr, no-any-return]


def _decode(row: Any) -> tuple[Any, ...]:
    """A raw row as SQLAlchemy would return it: UUIDs from their hex text, JSON parsed."""
    score, chunk_index, offset, text, meta, file_id, filename, store_id, external_id, metadata = row
    return (
        score, chunk_index, offset, text, _json(meta), uuid.UUID(file_id), filename,
        uuid.UUID(store_id), external_id, _json(metadata),
    )  # fmt: skip


def _json(value: str | None) -> Any:
    return None if value is None else json.loads(value)
