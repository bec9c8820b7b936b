"""`breadbox worker`: a process that runs sync jobs (and takes its turn as the scheduler) until it
is told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal

from breadbox.config import Settings
from breadbox.crypto import SecretBox, load_secret_key
from breadbox.db.session import Database
from breadbox.sync.runners.procrastinate import ensure_schema
from breadbox.sync.worker import build_runner

log = logging.getLogger("breadbox.worker")


async def run_worker(settings: Settings, concurrency: int | None) -> int:
    """Run until SIGTERM/SIGINT: then stop fetching, let running syncs checkpoint (they are queued
    again for another worker) and exit 0. A second signal exits at once: the runs it held are
    taken back from their heartbeat by the scheduler, like those of a crashed worker."""
    await ensure_schema(settings.resolved_database_url)
    database = Database(settings.resolved_database_url)
    runner = build_runner(settings, database, SecretBox(load_secret_key(settings)), concurrency=concurrency)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(signum: int) -> None:
        if stop.is_set():
            log.warning("second signal: exiting now; running syncs resume elsewhere")
            os._exit(128 + signum)
        log.info("signal %s: finishing the current batches, then exiting", signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    if settings.worker_metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.worker_metrics_port, addr=settings.host)
    code = 0
    try:
        await runner.start()
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
            if not runner.healthy():
                log.error("the worker stopped on an error; exiting")
                code = 1
                break
        await runner.stop(settings.shutdown_grace_seconds)
    finally:
        await database.dispose()
    return code
