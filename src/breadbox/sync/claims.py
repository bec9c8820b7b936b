"""Claiming a queued run: the one conditional UPDATE every runner (and `breadbox sync`) uses, so a
run is claimed once, and never while its connector has another run in progress."""

from __future__ import annotations

import uuid

from sqlalchemy import and_, exists, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from breadbox.db.base import utcnow
from breadbox.sync.models import SyncRun


async def claim_run(session: AsyncSession, run_id: uuid.UUID) -> bool:
    running = aliased(SyncRun)
    now = utcnow()
    result = await session.execute(
        update(SyncRun)
        .where(
            SyncRun.id == run_id,
            SyncRun.status == "pending",
            ~exists().where(
                and_(running.connector_id == SyncRun.connector_id, running.status == "in_progress")
            ),
        )
        .values(status="in_progress", started_at=now, heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1
