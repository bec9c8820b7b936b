"""Cluster-wide sync figures read from the database: what `/metrics` reports as gauges."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.sync.models import SyncRun


async def run_counts(session: AsyncSession) -> dict[str, int]:
    """Runs waiting (`pending`) and running (`in_progress`), across every worker."""
    rows = await session.execute(
        select(SyncRun.status, func.count())
        .where(SyncRun.status.in_(("pending", "in_progress")))
        .group_by(SyncRun.status)
    )
    counts = {"pending": 0, "in_progress": 0}
    counts.update({str(status): int(n) for status, n in rows.all()})
    return counts


async def live_workers(session: AsyncSession, stale_after: float) -> int:
    value = await session.scalar(
        text(
            "SELECT count(*) FROM procrastinate_workers "
            "WHERE last_heartbeat >= now() - make_interval(secs => :stale)"
        ),
        {"stale": stale_after},
    )
    return int(value or 0)
