"""SQL for sync runs."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.db.base import new_id, utcnow
from breadbox.sync.models import SyncRun


class SyncRunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def pending_for(self, connector_id: uuid.UUID) -> SyncRun | None:
        return await self.session.scalar(
            select(SyncRun)
            .where(SyncRun.connector_id == connector_id, SyncRun.status == "pending")
            .limit(1)
            .execution_options(populate_existing=True)
        )

    async def insert_pending(self, connector_id: uuid.UUID, trigger: str, *, full: bool, force: bool) -> None:
        insert = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        values = {
            "id": new_id(),
            "connector_id": connector_id,
            "trigger": trigger,
            "status": "pending",
            "full": full,
            "force": force,
            "created_at": utcnow(),
        }
        await self.session.execute(insert(SyncRun).values(**values).on_conflict_do_nothing())
