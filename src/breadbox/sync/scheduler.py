"""What the runner does each tick besides running syncs: queue due connectors, and take back
runs whose worker died (heartbeat too old) so they resume from their checkpoint."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
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
    """Runs `in_progress` whose heartbeat stopped go back to `pending`, keeping their checkpoint,
    and are queued again (`SyncRequests.requeue`)."""
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
    requests = SyncRequests(session)
    for run in stale:
        await requests.requeue(run)
    return len(stale)
