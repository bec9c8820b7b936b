"""Assembling the sync machinery from settings: token service, provider registry, engine, runner.
Every entry point that runs syncs (`serve`, `worker`, `sync`, tests) builds it here."""

from __future__ import annotations

from functools import partial

# Every mapper, so the ORM resolves foreign keys in processes that serve no routes
# (`breadbox worker`, `breadbox sync`), from their first query on.
import breadbox.db.models  # noqa: F401
from breadbox.config import Settings
from breadbox.crypto import SecretBox
from breadbox.db.session import Database
from breadbox.oauth.tokens import TokenService
from breadbox.providers.registry import build_connector
from breadbox.sync.engine import SyncEngine
from breadbox.sync.queue import InProcessQueue, Runner, SyncQueue, attach


def build_engine(settings: Settings, database: Database, box: SecretBox) -> SyncEngine:

    tokens = TokenService(database, box, settings)
    return SyncEngine(database, settings, tokens, partial(build_connector, settings))


def build_queue(settings: Settings) -> SyncQueue:
    if settings.resolved_queue == "procrastinate":
        from breadbox.sync.runners.procrastinate import ProcrastinateQueue

        return ProcrastinateQueue()
    return InProcessQueue()


def attach_queue(settings: Settings, database: Database) -> SyncQueue:
    """Give every session of `database` the configured queue adapter (see `queue.py`)."""
    queue = build_queue(settings)
    attach(database, queue)
    return queue


def build_runner(
    settings: Settings, database: Database, box: SecretBox, *, concurrency: int | None = None
) -> Runner:
    """The runner of the configured queue; attaches the queue adapter to `database` too."""
    attach_queue(settings, database)
    engine = build_engine(settings, database, box)
    if settings.resolved_queue == "procrastinate":
        from breadbox.sync.runners.procrastinate import ProcrastinateRunner

        return ProcrastinateRunner(database, engine, settings, concurrency=concurrency)
    from breadbox.sync.runners.inprocess import InProcessRunner

    return InProcessRunner(
        database,
        engine,
        concurrency=concurrency or settings.sync_concurrency,
        tick_seconds=settings.sync_tick_seconds,
        heartbeat_seconds=settings.heartbeat_seconds,
        stale_after_seconds=settings.stale_after_seconds,
    )
