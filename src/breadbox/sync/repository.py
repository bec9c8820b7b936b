"""SQL for sync runs."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.sync.models import SyncRun


class SyncRunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def pending_for(self, connector_id: uuid.UUID) -> SyncRun | None:
        return await self.session.scalar(
            select(SyncRun).where(SyncRun.connector_id == connector_id, SyncRun.status == "pending").limit(1)
        )

    def add(self, run: SyncRun) -> None:
        self.session.add(run)
