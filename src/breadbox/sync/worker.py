"""Assembling the sync machinery from settings: token service, provider registry, engine, runner.
Every entry point that runs syncs (`serve`, `worker`, `sync`, tests) builds it here."""

from __future__ import annotations

from functools import partial

from breadbox.config import Settings
from breadbox.crypto import SecretBox
from breadbox.db.session import Database
from breadbox.oauth.tokens import TokenService
from breadbox.providers.registry import build_connector
from breadbox.sync.engine import SyncEngine
from breadbox.sync.runner import InProcessRunner


def build_engine(settings: Settings, database: Database, box: SecretBox) -> SyncEngine:
    tokens = TokenService(database, box, settings)
    return SyncEngine(database, settings, tokens, partial(build_connector, settings))


def build_runner(settings: Settings, database: Database, box: SecretBox) -> InProcessRunner:
    return InProcessRunner(
        database,
        build_engine(settings, database, box),
        concurrency=settings.sync_concurrency,
        tick_seconds=settings.sync_tick_seconds,
        heartbeat_seconds=settings.heartbeat_seconds,
        stale_after_seconds=settings.stale_after_seconds,
    )
