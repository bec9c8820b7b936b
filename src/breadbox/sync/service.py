"""Requesting, cancelling and listing syncs. A request is a row written in the caller's
transaction, so a write that rolls back requests nothing and a write that commits always gets its
sync; the runner (whichever adapter) picks pending rows up. The queue adapter on the session (see
`queue.py`) is told in the same transaction: a job to run, or a running job to abort."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.connectors.models import Connector
from breadbox.db.base import utcnow
from breadbox.sync.models import SyncRun
from breadbox.sync.queue import queue_of
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
        if (queue := queue_of(self.session)) is not None:
            await queue.enqueue(self.session, connector.id)
        return run

    async def requeue(self, run: SyncRun) -> None:
        """An `in_progress` run goes back to `pending`, keeping its checkpoint (the connector's
        in-flight state names the run, so the engine resumes it), and is queued again. A
        follow-up queued meanwhile is folded into it (one pending run per connector)."""
        follow_up = await self.session.scalar(
            select(SyncRun).where(SyncRun.connector_id == run.connector_id, SyncRun.status == "pending")
        )
        if follow_up is not None:
            run.full = run.full or follow_up.full
            run.force = run.force or follow_up.force
            await self.session.execute(delete(SyncRun).where(SyncRun.id == follow_up.id))
        await self.session.flush()
        await self.session.execute(
            update(SyncRun)
            .where(SyncRun.id == run.id, SyncRun.status == "in_progress")
            .values(status="pending")
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            update(Connector)
            .where(Connector.id == run.connector_id)
            .values(status="pending", next_sync_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if (queue := queue_of(self.session)) is not None:
            await queue.enqueue(self.session, run.connector_id)

    async def resume_after_reauthorization(self, data_source_id: uuid.UUID) -> int:
        """Queue a sync for every connector of the data source that stopped because its
        credentials needed a human: they pick up from their checkpoint. Returns how many."""
        stopped = (
            await self.session.scalars(
                select(Connector).where(
                    Connector.data_source_id == data_source_id, Connector.status == "failed"
                )
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
        if cancelled and (queue := queue_of(self.session)) is not None:
            await queue.abort(self.session, connector.id)
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
