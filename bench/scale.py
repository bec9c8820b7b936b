"""Scaled-out mode: sync throughput against the number of workers, and API latency under sync load.

    python -m bench scale [--quick]

1. Sync throughput (documents/s into the store) on one corpus: K connectors each syncing the same
   Notion simulator workspace (no rate limit, no latency) into their own store. Measured for the
   embedded runner (`breadbox serve`, SQLite) and for 1, 2 and 4 `breadbox worker` processes
   (PostgreSQL, Procrastinate) behind one `serve --no-worker`; printed as ratios to one worker.
   Each scenario also reports where the CPU went (workers, API, PostgreSQL, the simulator in this
   process) and how busy the machine's cores were: on a 2-core machine the ceiling is the cores.
2. API latency: 2 `serve --no-worker` replicas, GET one store with `wrk`, idle and then while 3
   workers sync; p50/p99 and requests/s, as ratios loaded/idle.

Every figure is a ratio between scenarios measured side by side in this run.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import (
    PG_ADMIN_DSN,
    free_port,
    postgres_reachable,
    print_table,
    process_cpu_seconds,
    throwaway_postgres,
)

BREADBOX = str(Path(sys.executable).with_name("breadbox"))


@dataclass
class Scenario:
    name: str
    workers: int
    documents: int = 0
    seconds: float = 0.0
    cpu: dict[str, float] | None = None
    busy: float = 0.0

    @property
    def rate(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all cores, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return float(sum(fields) - idle), float(sum(fields))


def postgres_cpu() -> float:
    total = 0.0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if Path(f"/proc/{pid}/comm").read_text().strip() in ("postgres", "postmaster"):
                    total += process_cpu_seconds(int(pid))
            except OSError:
                continue
    return total


class Proc:
    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self._log = log.open("w")
        self.proc = subprocess.Popen(
            [BREADBOX, *args], env=env, cwd=env["BREADBOX_DATA_DIR"], stdout=self._log, stderr=self._log
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()


def wait_http(url: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(url)


@dataclass
class Deployment:
    env: dict[str, str]
    apis: list[str]
    procs: dict[str, list[Proc]]
    key: str


@contextmanager
def deploy(
    tmp: Path, database_url: str | None, notion_url: str, apis: int, workers: int, concurrency: int
) -> Iterator[Deployment]:
    """`database_url=None`: embedded (one `serve` with its runner, SQLite); else scaled out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BREADBOX_")}
    env.update(
        BREADBOX_DATA_DIR=str(tmp),
        BREADBOX_LOG_LEVEL="warning",
        BREADBOX_SECRET_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        BREADBOX_NOTION_API_URL=notion_url,
        BREADBOX_NOTION_RATE_LIMIT="0",
        BREADBOX_SYNC_CONCURRENCY=str(concurrency),
        BREADBOX_SYNC_TICK_SECONDS="0.2",
        BREADBOX_SCHEDULER_SECONDS="1",
    )
    if database_url:
        env["BREADBOX_DATABASE_URL"] = database_url
    subprocess.run([BREADBOX, "migrate"], env=env, cwd=tmp, check=True, capture_output=True)
    key = subprocess.run(
        [BREADBOX, "keys", "create", "--name", "bench"],
        env=env,
        cwd=tmp,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    procs: dict[str, list[Proc]] = {"api": [], "worker": []}
    urls = []
    try:
        for i in range(apis):
            port = free_port()
            args = ["serve", "--port", str(port)] + (["--no-worker"] if database_url else [])
            procs["api"].append(Proc(args, env, tmp / f"api-{i}.log"))
            urls.append(f"http://127.0.0.1:{port}")
        for i in range(workers):
            procs["worker"].append(
                Proc(["worker", "--concurrency", str(concurrency)], env, tmp / f"worker-{i}.log")
            )
        for url in urls:
            wait_http(f"{url}/readyz")
        if workers:
            deadline = time.monotonic() + 60
            while (
                sum(
                    "procrastinate worker ids" in (tmp / f"worker-{i}.log").read_text()
                    for i in range(workers)
                )
                < workers
            ):
                if time.monotonic() > deadline:
                    raise TimeoutError("workers")
                time.sleep(0.1)
        yield Deployment(env, urls, procs, key)
    finally:
        for p in [*procs["api"], *procs["worker"]]:
            p.stop()


def create_connectors(dep: Deployment, notion_token: str, count: int) -> list[dict[str, Any]]:
    import httpx

    api = httpx.Client(base_url=dep.apis[0], headers={"Authorization": f"Bearer {dep.key}"}, timeout=30)
    ds = api.post(
        "/v1/data_sources/",
        json={"type": "notion", "name": "n", "auth_params": {"type": "api_key", "api_key": notion_token}},
    ).json()
    out = []
    for i in range(count):
        store = api.post("/v1/stores", json={"name": f"s{i}"}).json()
        out.append(api.post(f"/v1/data_sources/{ds['id']}/connectors", json={"store_id": store["id"]}).json())
    return out


def open_runs_and_documents(dep: Deployment) -> tuple[int, int]:
    url = dep.env.get("BREADBOX_DATABASE_URL")
    query_open = "SELECT count(*) FROM sync_runs WHERE status IN ('pending', 'in_progress')"
    query_docs = "SELECT count(*) FROM synced_documents"
    if url:
        import psycopg

        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
            open_runs = conn.execute(query_open).fetchone()
            docs = conn.execute(query_docs).fetchone()
    else:
        import sqlite3

        with sqlite3.connect(Path(dep.env["BREADBOX_DATA_DIR"]) / "breadbox.db") as conn:
            open_runs = conn.execute(query_open).fetchone()
            docs = conn.execute(query_docs).fetchone()
    return int(open_runs[0] if open_runs else 0), int(docs[0] if docs else 0)


def sync_scenario(
    name: str, workers: int, pg: bool, notion: Any, connectors: int, concurrency: int, tmp: Path
) -> Scenario:
    result = Scenario(name, workers)
    with ExitStack() as stack:
        url = stack.enter_context(throwaway_postgres("breadbox_bench_scale")) if pg else None
        dep = stack.enter_context(deploy(tmp, url, notion.url, 1, workers, concurrency))
        pids = {role: [p.proc.pid for p in ps] for role, ps in dep.procs.items()}
        cpu0 = {role: sum(process_cpu_seconds(pid) for pid in ps) for role, ps in pids.items()}
        pg0, me0, busy0 = postgres_cpu(), time.process_time(), machine_busy()
        started = time.monotonic()
        create_connectors(dep, notion.token, connectors)
        while True:
            open_runs, docs = open_runs_and_documents(dep)
            if open_runs == 0 and docs:
                break
            if time.monotonic() - started > 600:
                raise TimeoutError(name)
            time.sleep(0.1)
        result.seconds = time.monotonic() - started
        result.documents = docs
        busy1 = machine_busy()
        result.cpu = {
            role: sum(process_cpu_seconds(pid) for pid in ps) - cpu0[role] for role, ps in pids.items()
        }
        result.cpu["postgres"] = postgres_cpu() - pg0
        result.cpu["simulator+bench"] = time.process_time() - me0
        result.busy = (busy1[0] - busy0[0]) / max(1.0, busy1[1] - busy0[1])
    return result


WRK_LINE = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def api_under_load(notion: Any, tmp: Path, seconds: int, connectors: int) -> list[list[object]]:
    import httpx

    rows: list[list[object]] = []
    with throwaway_postgres("breadbox_bench_scale") as url, deploy(tmp, url, notion.url, 2, 3, 2) as dep:
        api = httpx.Client(base_url=dep.apis[0], headers={"Authorization": f"Bearer {dep.key}"}, timeout=30)
        store = api.post("/v1/stores", json={"name": "probe"}).json()
        targets = [f"{base}/v1/stores/{store['id']}" for base in dep.apis]

        def measure() -> tuple[float, float, float]:
            procs = [
                subprocess.Popen(
                    [
                        "wrk",
                        "-t1",
                        "-c8",
                        f"-d{seconds}s",
                        "--latency",
                        "-H",
                        f"Authorization: Bearer {dep.key}",
                        t,
                    ],
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for t in targets
            ]
            outs = [p.communicate()[0] for p in procs]
            scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
            p50s, p99s, rps = [], [], 0.0
            for out in outs:
                lat = {m.group(1): float(m.group(2)) * scale[m.group(3)] for m in WRK_LINE.finditer(out)}
                p50s.append(lat["50"])
                p99s.append(lat["99"])
                rps += float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
            return max(p50s), max(p99s), rps

        idle = measure()
        create_connectors(dep, notion.token, connectors)
        time.sleep(1.0)
        loaded = measure()
        still_running, _ = open_runs_and_documents(dep)
        rows.append(["idle (2 replicas)", idle[0], idle[1], idle[2], "-"])
        rows.append(["3 workers syncing", loaded[0], loaded[1], loaded[2], still_running])
        rows.append(["ratio loaded/idle", loaded[0] / idle[0], loaded[1] / idle[1], loaded[2] / idle[2], ""])
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small corpus, 1 and 2 workers only")
    args = parser.parse_args(argv)
    if not postgres_reachable():
        print(f"bench scale: PostgreSQL not reachable at {PG_ADMIN_DSN}; skipped")
        return 0
    from breadbox.simulators.notion import NotionSimConfig, start

    pages, connectors = (40, 6) if args.quick else (100, 12)
    worker_counts = (1, 2) if args.quick else (1, 2, 4)
    concurrency = 2
    tmp_root = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    failed = False
    try:
        config = NotionSimConfig(pages=pages, rate_limit_rps=0.0, child_page_ratio=0.0, seed=3)
        with start(config) as notion:
            scenarios: list[Scenario] = []
            for name, workers, pg in [
                ("embedded (SQLite, in-process runner)", 0, False),
                *[(f"{n} worker{'s' if n > 1 else ''} (PostgreSQL)", n, True) for n in worker_counts],
            ]:
                tmp = tmp_root / f"s{len(scenarios)}"
                tmp.mkdir()
                scenarios.append(sync_scenario(name, workers, pg, notion, connectors, concurrency, tmp))
            one = next(s for s in scenarios if s.workers == 1).rate
            embedded = scenarios[0].rate
            rows = []
            for s in scenarios:
                cpu = s.cpu or {}
                rows.append(
                    [
                        s.name,
                        s.documents,
                        s.seconds,
                        s.rate,
                        s.rate / one,
                        s.rate / embedded,
                        f"{s.busy:.0%}",
                        f"w {cpu.get('worker', 0):.1f} / api {cpu.get('api', 0):.1f} / pg {cpu.get('postgres', 0):.1f} "
                        f"/ sim {cpu.get('simulator+bench', 0):.1f}",
                    ]
                )
            print_table(
                [
                    "scenario",
                    "docs",
                    "seconds",
                    "docs/s",
                    "vs 1 worker",
                    "vs embedded",
                    "cores busy",
                    "CPU s",
                ],
                rows,
                title=f"Sync throughput: {connectors} connectors x {pages}-page workspace, concurrency {concurrency} per process",
            )
            two = next(s for s in scenarios if s.workers == 2).rate
            target = two / one >= 1.6
            print(f"2 workers / 1 worker = {two / one:.2f}x (target >= 1.6x): {'ok' if target else 'MISSED'}")
            # The profile that bounds scaling: CPU spent per document by every process involved
            # (worker, API, PostgreSQL, simulator), against the cores there are.
            cores = os.cpu_count() or 1
            for s in scenarios[1:]:
                cpu_ms = 1000 * sum((s.cpu or {}).values()) / max(1, s.documents)
                print(
                    f"  {s.name}: {cpu_ms:.1f} ms CPU per document across all processes -> "
                    f"a {cores}-core ceiling of {cores * 1000 / cpu_ms:.0f} docs/s; measured {s.rate:.0f} "
                    f"with the cores {s.busy:.0%} busy (other load on the machine included)"
                )
            print()
            tmp = tmp_root / "api"
            tmp.mkdir()
            load_rows = api_under_load(notion, tmp, 3 if args.quick else 5, 16 if args.quick else 40)
            print_table(
                ["GET /v1/stores/{id}", "p50 ms", "p99 ms", "req/s", "runs open after"],
                load_rows,
                title="API latency, 2 replicas (wrk, 8 connections each), idle vs 3 workers syncing",
            )
    except Exception as exc:  # report, do not hide
        print(f"bench scale failed: {type(exc).__name__}: {exc}")
        failed = True
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
