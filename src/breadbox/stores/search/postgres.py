"""PostgreSQL adapter: `tsvector` + GIN, ranked by `ts_rank_cd` (cover density).

The query is `to_tsquery` over the ORed, sanitised words (`query.tsquery`): `plainto_tsquery` and
`websearch_to_tsquery` AND the words, which would find far less than FTS5 and tantivy do for
the same query. Ranking is exact: every GIN match of the requested stores is ranked, cut to
`top_k` in a CTE, and only those rows are joined to their store files and returned.

Normalisation 1|32: divide by 1 + log(document length) (long chunks do not win by size alone),
then rank / (rank + 1), which puts scores in 0..1.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnClause, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.stores.models import Store, StoreChunk, StoreFile
from breadbox.stores.search.base import SearchHit, SearchRequest, hit_columns, restrict, to_hits
from breadbox.stores.search.ddl import TSV_COLUMN
from breadbox.stores.search.query import tsquery

_tsv: ColumnClause[Any] = literal_column(f"store_chunks.{TSV_COLUMN}")
_config: ColumnClause[Any] = literal_column("'english'::regconfig")


class PostgresSearch:
    async def stores(
        self,
        session: AsyncSession,
        organization_id: uuid.UUID,
        ids: Sequence[uuid.UUID],
        names: Sequence[str],
    ) -> list[tuple[uuid.UUID, str]]:
        stmt = select(Store.id, Store.name).where(
            Store.organization_id == organization_id, or_(Store.id.in_(ids), Store.name.in_(names))
        )
        return [(store_id, name) for store_id, name in (await session.execute(stmt)).all()]

    async def optimize(self, session: AsyncSession) -> None:
        """Nothing to do: GIN's pending list is merged by autovacuum (or at `gin_pending_list_limit`)."""

    async def search(self, session: AsyncSession, request: SearchRequest) -> list[SearchHit]:
        if not request.words or not request.store_ids:
            return []
        query = func.to_tsquery(_config, tsquery(request.words))
        rank = func.ts_rank_cd(_tsv, query, 33).label("score")
        # Rank and cut to top_k over the chunk rows alone (the GIN index finds the matches);
        # the store-file join is needed inside only when files or metadata restrict the search.
        top = select(StoreChunk.id, rank).where(_tsv.op("@@")(query))
        if request.file_ids is not None or request.metadata_filter is not None:
            top = top.join(StoreFile, StoreFile.id == StoreChunk.store_file_id)
        ranked = restrict(top, request, "postgresql").order_by(rank.desc()).limit(request.top_k).cte("ranked")
        stmt = (
            select(ranked.c.score, *hit_columns())
            .select_from(ranked)
            .join(StoreChunk, StoreChunk.id == ranked.c.id)
            .join(StoreFile, StoreFile.id == StoreChunk.store_file_id)
            .order_by(ranked.c.score.desc())
        )
        rows = (await session.execute(stmt)).all()
        return to_hits(rows, request.score_threshold, float)
