"""SQL for the engine's ledger of synced documents."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.sync.models import SyncedDocument


class Ledger:
    def __init__(self, session: AsyncSession, connector_id: uuid.UUID) -> None:
        self.session = session
        self.connector_id = connector_id

    async def get(self, source_id: str) -> SyncedDocument | None:
        return await self.session.scalar(
            select(SyncedDocument).where(
                SyncedDocument.connector_id == self.connector_id, SyncedDocument.source_id == source_id
            )
        )

    async def get_many(self, source_ids: list[str]) -> dict[str, SyncedDocument]:
        if not source_ids:
            return {}
        rows = await self.session.scalars(
            select(SyncedDocument).where(
                SyncedDocument.connector_id == self.connector_id,
                SyncedDocument.source_id.in_(set(source_ids)),
            )
        )
        return {row.source_id: row for row in rows}

    async def count(self) -> int:
        stmt = select(func.count()).where(SyncedDocument.connector_id == self.connector_id)
        return int(await self.session.scalar(stmt) or 0)

    async def untouched(self, run_id: uuid.UUID, discovered_by: frozenset[str]) -> Sequence[SyncedDocument]:
        """Entries this run did not write, among those found in ways a listing covers."""
        stmt = select(SyncedDocument).where(
            SyncedDocument.connector_id == self.connector_id,
            SyncedDocument.discovered_by.in_(discovered_by),
            (SyncedDocument.last_run_id != run_id) | SyncedDocument.last_run_id.is_(None),
        )
        return (await self.session.scalars(stmt)).all()

    def add(self, row: SyncedDocument) -> None:
        self.session.add(row)

    async def remove(self, source_id: str) -> None:
        await self.session.execute(
            delete(SyncedDocument).where(
                SyncedDocument.connector_id == self.connector_id, SyncedDocument.source_id == source_id
            )
        )
