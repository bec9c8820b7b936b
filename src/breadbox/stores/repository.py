"""SQL for stores, store files and chunks. Callers pass the organization; nothing here trusts an ID alone."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, delete, func, insert, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.files.repository import IN_LIST_SIZE
from breadbox.pagination import CursorParams, Page, paginate
from breadbox.stores.models import Store, StoreChunk, StoreFile

STORE_FILES = cast(Table, StoreFile.__table__)
STORE_CHUNKS = cast(Table, StoreChunk.__table__)


@dataclass(frozen=True)
class StoredVersion:
    """What the sink needs to know about the live store file for an external ID (a Core row)."""

    id: uuid.UUID
    file_id: uuid.UUID
    connector_id: str | None
    content_hash: str | None
    status: str


@dataclass
class StoreStats:
    counts: dict[str, int] = field(default_factory=dict)
    usage_bytes: int = 0
    usage_tokens: int = 0


class StoreRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: Store) -> None:
        self.session.add(row)

    async def by_id(self, organization_id: uuid.UUID, store_id: uuid.UUID) -> Store | None:
        stmt = select(Store).where(Store.organization_id == organization_id, Store.id == store_id)
        return (await self.session.scalars(stmt)).one_or_none()

    async def by_name(self, organization_id: uuid.UUID, name: str) -> Store | None:
        stmt = select(Store).where(Store.organization_id == organization_id, Store.name == name)
        return (await self.session.scalars(stmt)).one_or_none()

    async def page(self, organization_id: uuid.UUID, params: CursorParams, q: str | None) -> Page[Store]:
        stmt = select(Store).where(Store.organization_id == organization_id)
        if q:
            stmt = stmt.where(or_(Store.name.ilike(f"%{q}%"), Store.description.ilike(f"%{q}%")))
        return await paginate(self.session, stmt, Store.created_at, Store.id, params)

    async def stats(self, store_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, StoreStats]:
        """File counts by status and usage, aggregated from the store files (one query for a page)."""
        out = {sid: StoreStats() for sid in store_ids}
        if not store_ids:
            return out
        stmt = (
            select(
                StoreFile.store_id,
                StoreFile.status,
                func.count(),
                func.coalesce(func.sum(StoreFile.usage_bytes), 0),
                func.coalesce(func.sum(StoreFile.usage_tokens), 0),
            )
            .where(StoreFile.store_id.in_(store_ids))
            .group_by(StoreFile.store_id, StoreFile.status)
        )
        for store_id, status, count, usage_bytes, usage_tokens in (await self.session.execute(stmt)).all():
            s = out[store_id]
            s.counts[status] = int(count)
            s.usage_bytes += int(usage_bytes)
            s.usage_tokens += int(usage_tokens)
        return out

    async def connectors_using(self, organization_id: uuid.UUID, store: Store, *, by_id: bool = True) -> int:
        """Connectors point at a store by ID or by name (their `store_id` is the identifier they were
        given); `by_id=False` counts only those that use its name."""
        stmt = text(
            "SELECT count(*) FROM connectors WHERE organization_id = :org AND store_id IN (:id, :name)"
        ).bindparams(org=organization_id, id=str(store.id) if by_id else store.name, name=store.name)
        return int((await self.session.execute(stmt)).scalar_one())

    async def delete(self, row: Store) -> None:
        await self.session.delete(row)
        await self.session.flush()


class StoreFileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, store_id: uuid.UUID, identifier: str) -> StoreFile | None:
        """By file ID first, then by external ID (an external ID may itself look like a UUID)."""
        try:
            file_id: uuid.UUID | None = uuid.UUID(identifier)
        except ValueError:
            file_id = None
        if file_id is not None:
            row = await self.by_file_id(store_id, file_id)
            if row is not None:
                return row
        return await self.by_external_id(store_id, identifier)

    async def by_file_id(self, store_id: uuid.UUID, file_id: uuid.UUID) -> StoreFile | None:
        stmt = select(StoreFile).where(StoreFile.store_id == store_id, StoreFile.file_id == file_id)
        return (await self.session.scalars(stmt)).one_or_none()

    async def by_external_id(self, store_id: uuid.UUID, external_id: str) -> StoreFile | None:
        stmt = select(StoreFile).where(StoreFile.store_id == store_id, StoreFile.external_id == external_id)
        return (await self.session.scalars(stmt)).one_or_none()

    async def versions(self, store_id: uuid.UUID, external_ids: Sequence[str]) -> dict[str, StoredVersion]:
        """The live store files for these external IDs, by external ID (one query per 500 IDs)."""
        t = STORE_FILES
        cols = (t.c.external_id, t.c.id, t.c.file_id, t.c.connector_id, t.c.content_hash, t.c.status)
        out: dict[str, StoredVersion] = {}
        for start in range(0, len(external_ids), IN_LIST_SIZE):
            part = list(external_ids[start : start + IN_LIST_SIZE])
            stmt = select(*cols).where(t.c.store_id == store_id, t.c.external_id.in_(part))
            for external_id, *rest in (await self.session.execute(stmt)).all():
                out[external_id] = StoredVersion(*rest)
        return out

    async def page(
        self,
        store_id: uuid.UUID,
        params: CursorParams,
        statuses: Sequence[str] | None = None,
        condition: ColumnElement[bool] | None = None,
        q: str | None = None,
    ) -> Page[StoreFile]:
        stmt = select(StoreFile).where(StoreFile.store_id == store_id)
        if statuses:
            stmt = stmt.where(StoreFile.status.in_(statuses))
        if condition is not None:
            stmt = stmt.where(condition)
        if q:
            stmt = stmt.where(or_(StoreFile.filename.ilike(f"%{q}%"), StoreFile.external_id.ilike(f"%{q}%")))
        return await paginate(self.session, stmt, StoreFile.created_at, StoreFile.file_id, params)

    async def external_ids(self, store_id: uuid.UUID, connector_id: str) -> set[str]:
        stmt = select(StoreFile.external_id).where(
            StoreFile.store_id == store_id,
            StoreFile.connector_id == connector_id,
            StoreFile.external_id.is_not(None),
        )
        return {e for e in (await self.session.scalars(stmt)).all() if e is not None}

    async def owned_by(self, store_id: uuid.UUID, connector_id: str) -> list[StoredVersion]:
        t = STORE_FILES
        cols = (t.c.id, t.c.file_id, t.c.connector_id, t.c.content_hash, t.c.status)
        stmt = select(*cols).where(t.c.store_id == store_id, t.c.connector_id == connector_id)
        return [StoredVersion(*row) for row in (await self.session.execute(stmt)).all()]

    async def delete(self, row: StoreFile) -> None:
        await self.delete_many([row.id])
        self.session.expunge(row)

    async def delete_many(self, store_file_ids: Sequence[uuid.UUID]) -> None:
        """Chunks and their index entries go with the rows (ON DELETE CASCADE, FTS triggers)."""
        t = STORE_FILES
        for start in range(0, len(store_file_ids), IN_LIST_SIZE):
            part = list(store_file_ids[start : start + IN_LIST_SIZE])
            await self.session.execute(delete(t).where(t.c.id.in_(part)))

    async def insert_many(self, rows: Sequence[dict[str, Any]], chunks: Sequence[dict[str, Any]]) -> None:
        """Store files and then their chunks, one `executemany` per table (keys are column names)."""
        if rows:
            await self.session.execute(insert(STORE_FILES), list(rows))
        if chunks:
            await self.session.execute(insert(STORE_CHUNKS), list(chunks))

    async def chunks(
        self, store_file_id: uuid.UUID, indices: Sequence[int] | None = None
    ) -> list[StoreChunk]:
        stmt = select(StoreChunk).where(StoreChunk.store_file_id == store_file_id)
        if indices is not None:
            stmt = stmt.where(StoreChunk.chunk_index.in_(indices))
        return list((await self.session.scalars(stmt.order_by(StoreChunk.chunk_index))).all())
