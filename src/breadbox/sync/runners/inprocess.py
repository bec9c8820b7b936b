"""The embedded runner: syncs as asyncio tasks inside `breadbox serve` (or `breadbox worker`).

Each tick it queues due connectors, takes back stale runs, claims pending runs up to the
concurrency limit (a conditional UPDATE, so two runners never claim the same run), beats the
heart of the runs it owns, and cancels the tasks whose run was cancelled or whose connector was
deleted — within one tick (about a second).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid

from sqlalchemy import select, update

from breadbox.db.base import utcnow
from breadbox.db.session import Database
from breadbox.sync.claims import claim_run
from breadbox.sync.engine import SyncEngine
from breadbox.sync.models import SyncRun
from breadbox.sync.scheduler import enqueue_due, requeue_stale

log = logging.getLogger("breadbox.sync.runner")


class InProcessRunner:
    def __init__(
        self,
        database: Database,
        engine: SyncEngine,
        *,
        concurrency: int = 4,
        tick_seconds: float = 1.0,
        heartbeat_seconds: float = 5.0,
        stale_after_seconds: float = 60.0,
    ) -> None:
        self.database = database
        self.engine = engine
        self.concurrency = concurrency
        self.tick_seconds = tick_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_after_seconds = stale_after_seconds
        self.active: dict[uuid.UUID, asyncio.Task[str]] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._last_beat = 0.0
        self._stopping = False

    def stopping(self) -> bool:
        return self._stopping

    def healthy(self) -> bool:
        return self._loop_task is not None and not self._loop_task.done()

    async def start(self) -> None:
        self._loop_task = asyncio.create_task(self._loop(), name="breadbox-sync-runner")

    def wake(self) -> None:
        """Look for work now rather than at the next tick."""
        self._wake.set()

    async def stop(self, grace: float = 10.0) -> None:
        """Stop claiming; running syncs stop after their current batch (checkpointed) and go back
        to `pending`; after `grace` seconds the ones still busy are interrupted the same way. The
        next start, here or elsewhere, resumes them."""
        self._stopping = True
        if self._loop_task:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
        if self.active:
            _, pending = await asyncio.wait(list(self.active.values()), timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sync runner tick failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.tick_seconds)
            self._wake.clear()

    async def tick(self) -> None:
        async with self.database.session() as session:
            await requeue_stale(session, self.stale_after_seconds)
            await enqueue_due(session)
        await self._watch_active()
        await self._claim()

    async def _claim(self) -> None:
        free = self.concurrency - len(self.active)
        if free <= 0:
            return
        async with self.database.session() as session:
            candidates = (
                await session.scalars(
                    select(SyncRun.id)
                    .where(SyncRun.status == "pending")
                    .order_by(SyncRun.created_at)
                    .limit(free)
                )
            ).all()
        for run_id in candidates:
            async with self.database.session() as session:
                claimed = await claim_run(session, run_id)
            if claimed:
                self.active[run_id] = asyncio.create_task(self._run(run_id), name=f"sync:{run_id}")

    async def _run(self, run_id: uuid.UUID) -> str:
        try:
            return await self.engine.run(run_id, stopping=self.stopping)
        finally:
            self.active.pop(run_id, None)
            self.wake()

    async def _watch_active(self) -> None:
        if not self.active:
            return
        ids = list(self.active)
        async with self.database.session() as session:
            rows = (
                await session.execute(select(SyncRun.id, SyncRun.status).where(SyncRun.id.in_(ids)))
            ).all()
            alive = {row.id for row in rows if row.status == "in_progress"}
            if time.monotonic() - self._last_beat >= self.heartbeat_seconds and alive:
                await session.execute(
                    update(SyncRun)
                    .where(SyncRun.id.in_(alive), SyncRun.status == "in_progress")
                    .values(heartbeat_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
                self._last_beat = time.monotonic()
        for run_id in ids:
            if run_id not in alive and (task := self.active.get(run_id)) is not None and not task.done():
                log.info("sync %s was cancelled or its connector deleted; stopping it", run_id)
                task.cancel()
