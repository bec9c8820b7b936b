"""Requesting syncs. The request is a row written in the caller's transaction, so a write that
rolls back requests nothing and a write that commits always gets its sync."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.connectors.models import Connector
from breadbox.db.base import utcnow
from breadbox.sync.models import SyncRun
from breadbox.sync.repository import SyncRunRepository


class SyncRequests:
    def __init__(self, session: AsyncSession) -> None:
        self.runs = SyncRunRepository(session)

    async def request(
        self, connector: Connector, trigger: str, *, full: bool = False, force: bool = False
    ) -> SyncRun:
        """Mark the connector `pending` and record one pending run; a second request while one is
        already pending collapses into it (widening it to a full sync if asked)."""
        run = await self.runs.pending_for(connector.id)
        if run is None:
            run = SyncRun(connector_id=connector.id, trigger=trigger, full=full, force=force)
            self.runs.add(run)
        else:
            run.full = run.full or full
            run.force = run.force or force
        if connector.status != "in_progress":
            connector.status = "pending"
        connector.next_sync_at = utcnow()
        return run
