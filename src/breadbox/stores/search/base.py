"""The search port: one request shape, one hit shape, one method; an adapter per database.

Adapters share everything but the ranking clause (`restrict` and `hit_columns` below), so filters,
store scoping and the returned fields cannot drift between SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.stores.models import StoreChunk, StoreFile
from breadbox.stores.schemas import FilterInput
from breadbox.stores.search.filters import compile_filter


@dataclass(frozen=True)
class SearchRequest:
    words: list[str]
    store_ids: list[uuid.UUID]
    top_k: int
    file_ids: list[uuid.UUID] | None = None
    exclude_file_ids: bool = False
    metadata_filter: FilterInput | None = None
    score_threshold: float = 0.0


@dataclass(frozen=True)
class SearchHit:
    score: float
    chunk_index: int
    offset: int
    text: str
    generated_metadata: dict[str, Any] | None
    file_id: uuid.UUID
    filename: str
    store_id: uuid.UUID
    external_id: str | None
    metadata: Any = field(default=None)


class SearchBackend(Protocol):
    """Ranks chunks of the given stores for a query; scores are in 0..1, best first."""

    async def stores(
        self,
        session: AsyncSession,
        organization_id: uuid.UUID,
        ids: Sequence[uuid.UUID],
        names: Sequence[str],
    ) -> list[tuple[uuid.UUID, str]]:
        """(id, name) of the organization's stores with these IDs or names (search resolves them
        on every request, so adapters answer it in one round trip)."""
        ...

    async def search(self, session: AsyncSession, request: SearchRequest) -> list[SearchHit]: ...

    async def optimize(self, session: AsyncSession) -> None:
        """Compact the full-text index after a large ingest (what tantivy's segment merging does);
        optional maintenance, e.g. at the end of a sync run. Costs about one index rewrite."""
        ...


# Candidates the full-text index ranks before the store/file restriction is applied; the adapters
# search again without this limit when fewer than `top_k` candidates survive it.
MIN_CANDIDATES = 20


def candidate_limit(top_k: int) -> int:
    return max(MIN_CANDIDATES, 2 * top_k)


def hit_columns() -> list[Any]:
    return [
        StoreChunk.chunk_index,
        StoreChunk.offset,
        StoreChunk.text,
        StoreChunk.generated_metadata,
        StoreFile.file_id,
        StoreFile.filename,
        StoreChunk.store_id,
        StoreFile.external_id,
        StoreFile.metadata_,
    ]


def restrict(stmt: Select[Any], request: SearchRequest, dialect: str) -> Select[Any]:
    """Store, file and metadata restrictions common to every adapter."""
    if len(request.store_ids) == 1:
        stmt = stmt.where(StoreChunk.store_id == request.store_ids[0])
    else:
        stmt = stmt.where(StoreChunk.store_id.in_(request.store_ids))
    if request.file_ids is not None:
        in_files = StoreFile.file_id.in_(request.file_ids)
        stmt = stmt.where(~in_files if request.exclude_file_ids else in_files)
    condition = compile_filter(request.metadata_filter, StoreFile.metadata_, dialect)
    if condition is not None:
        stmt = stmt.where(condition)
    return stmt


def to_hits(rows: Any, threshold: float, normalise: Callable[[Any], float]) -> list[SearchHit]:
    """Rows of (raw score, *hit columns) to hits with scores in 0..1, dropping those under `threshold`."""
    hits = []
    for row in rows:
        score = float(normalise(row[0]))
        if score >= threshold:
            hits.append(SearchHit(score, *row[1:]))
    return hits
