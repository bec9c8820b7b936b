"""`breadbox sync`: one sync in the foreground, reporting progress while it runs.

It queues a run like the API does, then claims it itself; when a server's runner got there first,
it follows that run's progress instead, so the two never run the same connector twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from breadbox.config import Settings
from breadbox.connectors.models import Connector
from breadbox.crypto import SecretBox
from breadbox.db.session import Database
from breadbox.errors import NotFoundError
from breadbox.sync.claims import claim_run
from breadbox.sync.models import SyncRun
from breadbox.sync.service import SyncRequests
from breadbox.sync.worker import build_engine

FINAL = ("completed", "failed", "cancelled")


@dataclass
class ForegroundResult:
    status: str
    counters: dict[str, Any]
    error: dict[str, Any] | None
    ran_here: bool


async def sync_in_foreground(
    settings: Settings,
    box: SecretBox,
    connector_id: uuid.UUID,
    *,
    full: bool,
    force: bool,
    on_progress: Callable[[str, dict[str, Any]], None],
    poll_seconds: float = 0.5,
) -> ForegroundResult:
    database = Database(settings.resolved_database_url)
    try:
        async with database.session() as session:
            connector = await session.get(Connector, connector_id)
            if connector is None:
                raise NotFoundError(f"Connector {connector_id} not found")
            run = await SyncRequests(session).request(connector, "cli", full=full, force=force)
            run_id = run.id
        async with database.session() as session:
            ran_here = await claim_run(session, run_id)
        task = asyncio.create_task(build_engine(settings, database, box).run(run_id)) if ran_here else None
        try:
            while True:
                async with database.session() as session:
                    row = await session.get(SyncRun, run_id)
                if row is None:
                    return ForegroundResult("cancelled", {}, None, ran_here)
                on_progress(row.status, row.counters or {})
                if row.status in FINAL and (task is None or task.done()):
                    return ForegroundResult(row.status, row.counters or {}, row.error, ran_here)
                await asyncio.sleep(poll_seconds)
        finally:
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    finally:
        await database.dispose()
