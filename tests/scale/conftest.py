"""Scaled-out mode under test: real `breadbox serve --no-worker` and `breadbox worker` processes on
loopback, one throwaway PostgreSQL database, the simulators in this process (their ports passed to
the processes), and short intervals so the whole directory stays within a few minutes."""

from __future__ import annotations

import base64
import os
import re
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.plugins.processes import (
    Proc,
    ServeProcess,
    ThrowawayPostgres,
    cli_env,
    last_line,
    run_cli,
    wait_until,
)

FINAL = ("completed", "failed", "cancelled")


class ApiProc(ServeProcess):
    """An API replica (`serve --no-worker`), ready once `/readyz` (database and queue) answers."""

    probe = "/readyz"

    def __init__(self, env: dict[str, str], log_dir: Path, label: str) -> None:
        super().__init__(env, log_dir, "--no-worker", label=label)


class WorkerProc(Proc):
    def __init__(self, env: dict[str, str], log_dir: Path, label: str, concurrency: int) -> None:
        super().__init__(env, log_dir, ["worker", "--concurrency", str(concurrency)], label)

    def worker_ids(self) -> dict[str, int]:
        """The Procrastinate worker ids this process announced (empty until it has started)."""
        found = re.search(r"procrastinate worker ids (.*)", self.err_path.read_text())
        if not found:
            return {}
        return {k: int(v) for k, v in (pair.split("=") for pair in found.group(1).strip().split(", "))}

    def ready(self) -> bool:
        self.alive()
        return bool(self.worker_ids())


@dataclass
class Cluster:
    env: dict[str, str]
    log_dir: Path
    dsn: str
    key: str
    apis: list[ApiProc] = field(default_factory=list)
    workers: list[WorkerProc] = field(default_factory=list)
    _count: int = 0

    def _label(self, kind: str) -> str:
        self._count += 1
        return f"{kind}-{self._count}"

    def start(self, apis: int = 0, workers: int = 0, concurrency: int = 2) -> list[Proc]:
        """Start processes side by side (each costs seconds of imports) and wait until ready."""
        new: list[Proc] = []
        for _ in range(apis):
            api = ApiProc(self.env, self.log_dir, self._label("api"))
            self.apis.append(api)
            new.append(api)
        for _ in range(workers):
            worker = WorkerProc(self.env, self.log_dir, self._label("worker"), concurrency)
            self.workers.append(worker)
            new.append(worker)
        for proc in new:
            proc.spawn()
        for proc in new:
            wait_until(proc.ready, 60, proc.label)  # type: ignore[attr-defined]
        return new

    def client(self, index: int = 0) -> httpx.Client:
        live = [a for a in self.apis if a.process is not None and a.process.poll() is None]
        api = live[index % len(live)]
        return httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {self.key}"}, timeout=30)

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            return list(conn.execute(query, params).fetchall())  # type: ignore[arg-type]

    def stop_all(self) -> None:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda p: p.stop(), [*self.apis, *self.workers]))


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Any]:
    """A factory: `cluster(notion_url=..., linear_url=..., **settings)` -> a migrated database and
    an API key; start processes with `.start(apis=, workers=)`. Everything stops at test end."""
    made: list[tuple[Cluster, ThrowawayPostgres]] = []

    def make(notion_url: str | None = None, linear_url: str | None = None, **settings: str) -> Cluster:
        pg = ThrowawayPostgres()
        url = pg.create()
        env = cli_env(tmp_path, url)
        env.update(
            BREADBOX_QUEUE="procrastinate",
            BREADBOX_LOG_LEVEL="warning",
            # One key for every process (each would otherwise race to create the key file).
            BREADBOX_SECRET_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
            BREADBOX_NOTION_RATE_LIMIT="0",
            BREADBOX_SYNC_TICK_SECONDS="0.2",
            BREADBOX_SCHEDULER_SECONDS="1",
            BREADBOX_HEARTBEAT_SECONDS="0.5",
            BREADBOX_STALE_AFTER_SECONDS="3",
            BREADBOX_SHUTDOWN_GRACE_SECONDS="5",
        )
        if notion_url:
            env["BREADBOX_NOTION_API_URL"] = notion_url
        if linear_url:
            env["BREADBOX_LINEAR_API_URL"] = linear_url
        env.update({f"BREADBOX_{k.upper()}": v for k, v in settings.items()})
        run_cli(env, "migrate")
        key = last_line(run_cli(env, "keys", "create", "--name", "scale").stdout)
        c = Cluster(env=env, log_dir=tmp_path, dsn=url, key=key)
        made.append((c, pg))
        return c

    try:
        yield make
    finally:
        for c, pg in made:
            c.stop_all()
            pg.drop()


# --- API helpers ---------------------------------------------------------------------------------


def create(api: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = api.post(path, json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def connector_path(c: dict[str, Any]) -> str:
    return f"/v1/data_sources/{c['data_source_id']}/connectors/{c['id']}"


def runs_of(api: httpx.Client, c: dict[str, Any]) -> list[dict[str, Any]]:
    return api.get(f"{connector_path(c)}/syncs").json()["data"]  # type: ignore[no-any-return]


def files_of(api: httpx.Client, store_id: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"after": after} if after else {})}
        body = api.get(f"/v1/stores/{store_id}/files", params=params).json()
        out.extend(body["data"])
        if not body["pagination"]["has_more"]:
            return out
        after = body["pagination"]["last_cursor"]


def wait_all_done(cluster: Cluster, timeout: float) -> None:
    """Every run in the database ended, and no run is waiting."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        open_runs = cluster.sql("SELECT count(*) FROM sync_runs WHERE status IN ('pending', 'in_progress')")[
            0
        ][0]
        if open_runs == 0:
            return
        time.sleep(0.25)
    rows = cluster.sql(
        "SELECT connector_id, status, counters FROM sync_runs WHERE status NOT IN ('completed')"
    )
    raise AssertionError(f"runs still open after {timeout}s: {rows[:10]}")


def assert_no_overlapping_runs(cluster: Cluster) -> None:
    """The run table: no connector ever had two runs in progress at once."""
    overlaps = cluster.sql(
        "SELECT a.connector_id FROM sync_runs a JOIN sync_runs b "
        "ON a.connector_id = b.connector_id AND a.id < b.id "
        "AND a.started_at < coalesce(b.finished_at, now()) AND b.started_at < coalesce(a.finished_at, now())"
    )
    assert overlaps == [], f"overlapping runs: {overlaps}"


def kill(proc: Proc) -> None:
    proc.signal(signal.SIGKILL)
    proc.wait(timeout=10)
