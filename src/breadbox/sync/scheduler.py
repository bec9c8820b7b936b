"""What the runner does each tick besides running syncs: queue due connectors, and take back
runs whose worker died (heartbeat too old) so they resume from their checkpoint."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.connectors.models import Connector
from breadbox.db.base import utcnow
from breadbox.sync.models import SyncRun
from breadbox.sync.service import SyncRequests

IDLE_STATUSES = ("idle", "completed", "failed", "cancelled")


async def enqueue_due(session: AsyncSession, limit: int = 500) -> int:
    """Queue a `schedule` run for each connector whose next sync time has come."""
    now = utcnow()
    due = (
        await session.scalars(
            select(Connector)
            .where(Connector.next_sync_at <= now, Connector.status.in_(IDLE_STATUSES))
            .order_by(Connector.next_sync_at)
            .limit(limit)
        )
    ).all()
    requests = SyncRequests(session)
    for connector in due:
        await requests.request(connector, "schedule")
    return len(due)


async def requeue_stale(session: AsyncSession, stale_after: float) -> int:
    """Runs `in_progress` whose heartbeat stopped go back to `pending`, keeping their checkpoint
    (the connector's in-flight state names the run, so the engine resumes it). A follow-up queued
    meanwhile is folded into the resumed run."""
    cutoff = utcnow() - timedelta(seconds=stale_after)
    stale = (
        await session.scalars(
            select(SyncRun).where(
                SyncRun.status == "in_progress",
                (SyncRun.heartbeat_at < cutoff)
                | (SyncRun.heartbeat_at.is_(None) & (SyncRun.started_at < cutoff)),
            )
        )
    ).all()
    for run in stale:
        follow_up = await session.scalar(
            select(SyncRun).where(SyncRun.connector_id == run.connector_id, SyncRun.status == "pending")
        )
        if follow_up is not None:
            run.full = run.full or follow_up.full
            run.force = run.force or follow_up.force
            await session.execute(delete(SyncRun).where(SyncRun.id == follow_up.id))
        await session.execute(
            update(SyncRun)
            .where(SyncRun.id == run.id, SyncRun.status == "in_progress")
            .values(status="pending")
        )
        await session.execute(
            update(Connector)
            .where(Connector.id == run.connector_id)
            .values(status="pending", next_sync_at=utcnow())
        )
    return len(stale)
