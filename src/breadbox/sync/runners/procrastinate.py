"""The scaled-out runner: sync jobs on Procrastinate, a task queue kept in PostgreSQL itself.

Jobs carry IDs only. A sync job names a connector; it claims that connector's pending run (the same
conditional UPDATE every runner uses) and drives the engine. Procrastinate gives the rest:

- `lock="connector:<id>"`: one running job per connector across every worker;
- `queueing_lock="connector:<id>"`: one waiting job per connector, so repeated triggers collapse
  (a trigger during a run still queues exactly one follow-up: the running job is not waiting);
- the job is inserted by `procrastinate_defer_jobs_v1` through the caller's own SQLAlchemy session,
  so it commits or rolls back with the write that asked for it (`ProcrastinateQueue.enqueue`);
- cancelling a connector flags its job `abort_requested`; the worker running it hears of it by
  LISTEN/NOTIFY (polling as a fallback) and cancels the job's task, which cancels the engine;
- a periodic task (deferred once per tick however many workers run: the periodic-defers table is
  unique on the tick) is the one scheduler: it queues due connectors, takes back runs whose heartbeat
  stopped, fails the jobs of dead workers so their locks free up, and queues any pending run that
  lost its job. It holds `lock="breadbox:scheduler"`, so two ticks never act at once.

Each process runs two Procrastinate workers: one for sync jobs (`concurrency` of them at once), one
for the scheduler, so a worker busy with long syncs never starves the schedule.

Shutdown (SIGTERM): the workers stop fetching; running syncs stop after the batch they are writing
(checkpointed), go back to `pending` and are queued again for another worker; after the grace
period a sync still busy is interrupted the same way (its last checkpoint is the previous batch).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy
from procrastinate.jobs import Status
from procrastinate.schema import SchemaManager
from procrastinate.worker import Worker
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.config import Settings
from breadbox.db.base import utcnow
from breadbox.db.session import Database
from breadbox.sync.claims import claim_run
from breadbox.sync.engine import SyncEngine
from breadbox.sync.models import SyncRun
from breadbox.sync.scheduler import enqueue_due, requeue_stale

log = logging.getLogger("breadbox.sync.procrastinate")

SYNC_QUEUE = "breadbox_sync"
SCHEDULER_QUEUE = "breadbox_scheduler"
SYNC_TASK = "breadbox.sync_connector"
SCHEDULER_TASK = "breadbox.scheduler"
SCHEDULER_LOCK = "breadbox:scheduler"
SCHEMA_LOCK_KEY = 0x62726561_6462_6F78 & 0x7FFFFFFFFFFFFFFF  # "breadbox": the schema's advisory lock

# Failures of the job itself (the database going away while claiming), not of the sync: those are
# recorded on the run and retried by the schedule with their own backoff (`engine.next_delay`).
JOB_RETRY = RetryStrategy(max_attempts=5, exponential_wait=2, retry_exceptions={DBAPIError, OSError})


def lock_for(connector_id: uuid.UUID | str) -> str:
    return f"connector:{connector_id}"


def conninfo(database_url: str) -> str:
    """The libpq form of our SQLAlchemy URL (`postgresql+psycopg://…` -> `postgresql://…`)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class ProcrastinateQueue:
    """The queue port in scaled-out mode: plain SQL through the caller's session."""

    name = "procrastinate"

    async def enqueue(self, session: AsyncSession, connector_id: uuid.UUID) -> None:
        lock = lock_for(connector_id)
        queued = await session.scalar(
            text("SELECT 1 FROM procrastinate_jobs WHERE queueing_lock = :lock AND status = 'todo'"),
            {"lock": lock},
        )
        if queued:
            return  # collapsed into the job already waiting
        args = json.dumps({"connector_id": str(connector_id)})
        try:
            async with session.begin_nested():
                await session.execute(
                    text(
                        "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, :lock, :lock, "
                        "CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1])"
                    ),
                    {"queue": SYNC_QUEUE, "task": SYNC_TASK, "lock": lock, "args": args},
                )
        except IntegrityError:
            pass  # a concurrent request queued it between our check and our insert: collapsed

    async def abort(self, session: AsyncSession, connector_id: uuid.UUID) -> None:
        await session.execute(
            text(
                "SELECT procrastinate_cancel_job_v1(id, true, false) FROM procrastinate_jobs "
                "WHERE lock = :lock AND status IN ('todo', 'doing')"
            ),
            {"lock": lock_for(connector_id)},
        )


async def ensure_schema(database_url: str) -> bool:
    """Apply Procrastinate's schema unless it is there; True if it was applied. Idempotent and
    safe to run from several processes at once (an advisory lock serialises them)."""
    async with await psycopg.AsyncConnection.connect(conninfo(database_url), autocommit=True) as conn:
        await conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
        try:
            row = await (await conn.execute("SELECT to_regclass('procrastinate_jobs')")).fetchone()
            if row is not None and row[0] is not None:
                return False
            async with conn.transaction():
                await conn.execute(SchemaManager.get_schema())
            return True
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))


async def queue_ready(session: AsyncSession) -> None:
    """Raises unless the jobs table answers (readiness)."""
    await session.execute(text("SELECT 1 FROM procrastinate_jobs LIMIT 1"))


async def queue_depth(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        text(
            "SELECT status::text, count(*) FROM procrastinate_jobs "
            "WHERE status IN ('todo', 'doing') AND queue_name = :queue GROUP BY status"
        ),
        {"queue": SYNC_QUEUE},
    )
    return {str(status): int(count) for status, count in rows.all()}


@dataclass
class WorkerRow:
    id: int
    last_heartbeat: datetime
    alive: bool
    jobs: list[str]


async def list_workers(session: AsyncSession, stale_after: float) -> list[WorkerRow]:
    """Procrastinate's workers table (one row per worker, with its heartbeat) and what each runs."""
    rows = await session.execute(
        text(
            "SELECT w.id, w.last_heartbeat, "
            "w.last_heartbeat >= now() - make_interval(secs => :stale) AS alive, "
            "coalesce(array_agg(j.task_name || ' ' || coalesce(j.args->>'connector_id', '')) "
            "FILTER (WHERE j.id IS NOT NULL), '{}') "
            "FROM procrastinate_workers w "
            "LEFT JOIN procrastinate_jobs j ON j.worker_id = w.id AND j.status = 'doing' "
            "GROUP BY w.id ORDER BY w.id"
        ),
        {"stale": stale_after},
    )
    return [WorkerRow(int(r[0]), r[1], bool(r[2]), [str(j).strip() for j in r[3]]) for r in rows.all()]


async def enqueue_orphans(session: AsyncSession, queue: ProcrastinateQueue) -> int:
    """Pending runs whose job went missing (queued by `breadbox sync`, or before the switch to this
    queue) get one: the rows are the truth, the jobs only carry the news."""
    orphans = (
        await session.execute(
            text(
                "SELECT DISTINCT r.connector_id FROM sync_runs r WHERE r.status = 'pending' "
                "AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs j "
                "WHERE j.lock = 'connector:' || r.connector_id::text AND j.status IN ('todo', 'doing'))"
            )
        )
    ).all()
    for (connector_id,) in orphans:
        await queue.enqueue(session, uuid.UUID(str(connector_id)))
    return len(orphans)


class ProcrastinateRunner:
    """Sync jobs and the scheduler on Procrastinate workers inside this process."""

    def __init__(
        self,
        database: Database,
        engine: SyncEngine,
        settings: Settings,
        *,
        concurrency: int | None = None,
        schedule: bool = True,
    ) -> None:
        self.database = database
        self.engine = engine
        self.settings = settings
        self.concurrency = concurrency or settings.sync_concurrency
        self.schedule = schedule
        self.queue = ProcrastinateQueue()
        self.app = App(connector=PsycopgConnector(conninfo=conninfo(settings.resolved_database_url)))
        self.active: dict[uuid.UUID, asyncio.Task[str]] = {}
        self._stopping = False
        self._workers: list[Worker] = []
        self._tasks: list[asyncio.Task[None]] = []
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._register()

    # --- tasks --------------------------------------------------------------------------------

    def _register(self) -> None:
        @self.app.task(name=SYNC_TASK, queue=SYNC_QUEUE, pass_context=True, retry=JOB_RETRY)
        async def sync_connector(context: JobContext, connector_id: str) -> str:
            return await self.sync_connector(uuid.UUID(connector_id))

        tick = max(1, round(self.settings.scheduler_seconds))
        cron = f"* * * * * */{tick}" if tick < 60 else "* * * * *"

        @self.app.periodic(cron=cron, periodic_id="scheduler")
        @self.app.task(
            name=SCHEDULER_TASK, queue=SCHEDULER_QUEUE, lock=SCHEDULER_LOCK, queueing_lock=SCHEDULER_LOCK
        )
        async def scheduler(timestamp: int) -> dict[str, int]:
            return await self.scheduler_tick()

        del sync_connector, scheduler

    async def sync_connector(self, connector_id: uuid.UUID) -> str:
        """The sync job: claim the connector's pending run and drive it to its end.

        A failure of the job itself (the database went away) is retried by Procrastinate with
        backoff, unless another job of the connector is already waiting: that one does the work,
        and retrying this one would collide with it on the queueing lock."""
        try:
            return await self._sync(connector_id)
        except (DBAPIError, OSError):
            if await self._twin_waiting(connector_id):
                log.warning("sync job of %s failed; the job waiting behind it takes over", connector_id)
                return "left to the waiting job"
            raise

    async def _twin_waiting(self, connector_id: uuid.UUID) -> bool:
        try:
            async with self.database.session() as session:
                found = await session.scalar(
                    text("SELECT 1 FROM procrastinate_jobs WHERE queueing_lock = :lock AND status = 'todo'"),
                    {"lock": lock_for(connector_id)},
                )
                return bool(found)
        except (DBAPIError, OSError):
            return False

    async def _sync(self, connector_id: uuid.UUID) -> str:
        async with self.database.session() as session:
            run_id = await session.scalar(
                select(SyncRun.id).where(SyncRun.connector_id == connector_id, SyncRun.status == "pending")
            )
            claimed = run_id is not None and await claim_run(session, run_id)
        if not claimed or run_id is None:
            # Nothing queued (a duplicate trigger, or `breadbox sync` took it), or a run of this
            # connector is still in progress under a heartbeat: the scheduler takes that one back
            # if its worker died, and queues it again.
            return "nothing to run"
        return await self._drive(run_id)

    async def _drive(self, run_id: uuid.UUID) -> str:
        task = asyncio.create_task(self.engine.run(run_id, stopping=self.stopping), name=f"sync:{run_id}")
        self.active[run_id] = task
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=self.settings.heartbeat_seconds)
                if done:
                    if task.cancelled():
                        return "interrupted" if self._stopping else "cancelled"
                    return task.result()
                if not await self._beat(run_id):
                    # Cancelled or deleted, and the abort did not reach us first: stop anyway.
                    task.cancel()
        except asyncio.CancelledError:
            # Procrastinate aborts the job (the connector was cancelled or deleted): cancel the engine,
            # which records the run as cancelled.
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            raise
        finally:
            self.active.pop(run_id, None)

    async def _beat(self, run_id: uuid.UUID) -> bool:
        """The run's heartbeat; False once it is no longer ours to run."""
        try:
            async with self.database.session() as session:
                result = await session.execute(
                    update(SyncRun)
                    .where(SyncRun.id == run_id, SyncRun.status == "in_progress")
                    .values(heartbeat_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
                return bool(getattr(result, "rowcount", 0))
        except DBAPIError:
            log.warning("heartbeat of sync run %s failed; retrying at the next beat", run_id)
            return True

    async def scheduler_tick(self) -> dict[str, int]:
        """The one scheduler: due connectors, stale runs, jobs of dead workers, orphaned runs."""
        stale = self.settings.stale_after_seconds
        async with self.database.session() as session:
            requeued = await requeue_stale(session, stale)
            due = await enqueue_due(session)
        stalled = 0
        for job in await self.app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stale):
            if job.id is None:
                continue
            # Its worker is dead; the run it held was (or is about to be) taken back from its
            # heartbeat and queued again, so failing the job only frees the connector's lock.
            with contextlib.suppress(psycopg.Error):
                await self.app.job_manager.finish_job_by_id_async(job.id, Status.FAILED, delete_job=False)
                stalled += 1
                log.warning("job %s of a dead worker released (%s)", job.id, job.call_string)
        await self.app.job_manager.prune_stalled_workers(stale)
        async with self.database.session() as session:
            orphans = await enqueue_orphans(session, self.queue)
        return {"requeued": requeued, "due": due, "stalled_jobs": stalled, "orphans": orphans}

    # --- lifecycle ----------------------------------------------------------------------------

    def stopping(self) -> bool:
        return self._stopping

    def healthy(self) -> bool:
        workers = [t for t in self._tasks if t.get_name() != "procrastinate-announce"]
        return bool(workers) and not any(t.done() for t in workers)

    async def start(self) -> None:
        await self.app.open_async()
        common: dict[str, Any] = {
            "wait": True,
            "fetch_job_polling_interval": max(0.2, self.settings.sync_tick_seconds),
            "abort_job_polling_interval": 1.0,
            "shutdown_graceful_timeout": None,  # we interrupt our own syncs (see stop)
            "listen_notify": True,
            "delete_jobs": "successful",
            "install_signal_handlers": False,
            "update_heartbeat_interval": self.settings.heartbeat_seconds,
            "stalled_worker_timeout": self.settings.stale_after_seconds,
        }
        self._workers = [
            Worker(self.app, queues=[SYNC_QUEUE], name="sync", concurrency=self.concurrency, **common)
        ]
        if self.schedule:
            self._workers.append(
                Worker(self.app, queues=[SCHEDULER_QUEUE], name="scheduler", concurrency=1, **common)
            )
        self._tasks = [
            asyncio.create_task(self._run_worker(w), name=f"procrastinate-{w.worker_name}")
            for w in self._workers
        ]
        self._tasks.append(asyncio.create_task(self._announce(), name="procrastinate-announce"))

    async def _announce(self) -> None:
        """Log which Procrastinate worker ids this process holds (`breadbox workers` lists ids)."""
        while any(w.worker_id is None for w in self._workers):
            await asyncio.sleep(0.05)
        ids = ", ".join(f"{w.worker_name}={w.worker_id}" for w in self._workers)
        log.warning("breadbox worker %s started: procrastinate worker ids %s", self.name, ids)

    async def _run_worker(self, worker: Worker) -> None:
        try:
            await worker.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("procrastinate worker %s stopped on an error", worker.worker_name)
            raise

    async def stop(self, grace: float = 10.0) -> None:
        """Stop fetching jobs; running syncs checkpoint at their next batch and are queued again;
        after `grace` seconds the ones still busy are interrupted the same way."""
        self._stopping = True
        for worker in self._workers:
            worker.stop()
        if self.active:
            _, busy = await asyncio.wait(list(self.active.values()), timeout=grace)
            for task in busy:
                task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self.app.close_async()
