"""PostgreSQL adapter: `tsvector` + GIN, ranked by `ts_rank_cd` (cover density).

Normalisation 1|32: divide by 1 + log(document length) (long chunks do not win by size alone),
then rank / (rank + 1), which puts scores in 0..1.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnClause, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.stores.models import StoreChunk, StoreFile
from breadbox.stores.search.base import SearchHit, SearchRequest, hit_columns, restrict, to_hits
from breadbox.stores.search.ddl import TSV_COLUMN
from breadbox.stores.search.query import tsquery

_tsv: ColumnClause[Any] = literal_column(f"store_chunks.{TSV_COLUMN}")
_config: ColumnClause[Any] = literal_column("'english'::regconfig")


class PostgresSearch:
    async def search(self, session: AsyncSession, request: SearchRequest) -> list[SearchHit]:
        if not request.words or not request.store_ids:
            return []
        query = func.to_tsquery(_config, tsquery(request.words))
        rank = func.ts_rank_cd(_tsv, query, 33)
        stmt = (
            select(rank, *hit_columns())
            .select_from(StoreChunk)
            .join(StoreFile, StoreFile.id == StoreChunk.store_file_id)
            .where(_tsv.op("@@")(query))
        )
        stmt = restrict(stmt, request, "postgresql").order_by(rank.desc()).limit(request.top_k)
        rows = (await session.execute(stmt)).all()
        return to_hits(rows, request.score_threshold, float)
