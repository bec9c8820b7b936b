"""Requesting, cancelling and listing syncs. A request is a row written in the caller's
transaction, so a write that rolls back requests nothing and a write that commits always gets its
sync; the runner (whichever adapter) picks pending rows up."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.connectors.models import Connector
from breadbox.db.base import utcnow
from breadbox.sync.models import SyncRun
from breadbox.sync.repository import SyncRunRepository


class SyncRequests:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.runs = SyncRunRepository(session)

    async def request(
        self, connector: Connector, trigger: str, *, full: bool = False, force: bool = False
    ) -> SyncRun:
        """Queue one run; a request while one is already queued collapses into it (widening it to
        a full or forced sync if asked). A request during a running sync queues one follow-up."""
        run = await self.runs.pending_for(connector.id)
        if run is None:
            # INSERT … ON CONFLICT DO NOTHING against the one-pending-run index: a concurrent request
            # that queued one between our read and our insert is joined instead of failing.
            await self.runs.insert_pending(connector.id, trigger, full=full, force=force)
            run = await self.runs.pending_for(connector.id)
            assert run is not None
        run.full = run.full or full
        run.force = run.force or force
        if connector.status != "in_progress":
            connector.status = "pending"
        connector.next_sync_at = utcnow()
        return run

    async def resume_after_reauthorization(self, data_source_id: uuid.UUID) -> int:
        """Queue a sync for every connector of the data source that stopped because its
        credentials needed a human: they pick up from their checkpoint. Returns how many."""
        stopped = (
            await self.session.scalars(
                select(Connector).where(Connector.data_source_id == data_source_id, Connector.status == "failed")
            )
        ).all()
        resumed = 0
        for connector in stopped:
            if (connector.error or {}).get("type") == "reauthorization_required":
                await self.request(connector, "reauthorized")
                resumed += 1
        return resumed

    async def cancel(self, connector: Connector) -> int:
        """Cancel the queued and the running sync of a connector; the runner stops a running one
        within seconds. Returns how many runs were cancelled."""
        result = await self.session.execute(
            update(SyncRun)
            .where(SyncRun.connector_id == connector.id, SyncRun.status.in_(("pending", "in_progress")))
            .values(status="cancelled", finished_at=utcnow())
        )
        cancelled = int(getattr(result, "rowcount", 0) or 0)
        if cancelled and connector.status in ("pending", "in_progress"):
            connector.status = "cancelled"
            connector.finished_at = utcnow()
            # Not due again until a polling interval has passed, or the scheduler would requeue it.
            connector.next_sync_at = utcnow() + timedelta(seconds=connector.polling_interval)
        return cancelled

    async def history(self, connector_id: uuid.UUID, limit: int) -> Sequence[SyncRun]:
        stmt = (
            select(SyncRun)
            .where(SyncRun.connector_id == connector_id)
            .order_by(SyncRun.created_at.desc(), SyncRun.id.desc())
            .limit(limit)
        )
        return (await self.session.scalars(stmt)).all()
