"""API throughput, as ratios against the ceiling of the same server stack.

What runs where:
- the server is `create_app(settings)` under uvicorn (one worker, the same settings and logging as
  `breadbox serve`) in a child process on a free loopback port, with one extra route mounted here
  only: `GET /_bench/ceiling`, a bare JSON endpoint (no database, no auth) that still passes through
  our middleware and exception handlers: the most any route can do on this stack;
- the load generator is another child process: `wrk` (C, one thread) when installed, else the
  asyncio keep-alive client below (`python -m bench.api load ...`), with a few keep-alive
  connections for a fixed duration;
- this process only seeds the database, orchestrates and reports.

Endpoints are measured in alternating rounds (ceiling, GET one, first list page, list page at depth
10,000, rotated each round) and the ratios are medians over rounds of the ratios within a round, so
drift on a shared machine hits both sides of a ratio alike. The CPU used by the server process and
by the load generator is recorded for every run to show which one is the bottleneck.

Targets (issue 2, "Performance"): GET one >= 0.5x the ceiling; a list page at depth 10,000 (of
20,000 rows) within 1.3x of the first page.

    python -m bench api [--quick] [--backend sqlite|postgres|both] [--client wrk|python]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.common import (
    REPO_ROOT,
    ServerProcess,
    free_port,
    median,
    percentile,
    postgres_reachable,
    print_table,
    process_cpu_seconds,
    throwaway_postgres,
)

if TYPE_CHECKING:
    from fastapi import FastAPI

CEILING_PATH = "/_bench/ceiling"
GET_ONE_TARGET = 0.5
DEEP_PAGE_TARGET = 1.3
# A load generator using more than this share of a core may be what limits the figures.
CLIENT_CPU_LIMIT = 0.6
ENDPOINTS = ("ceiling", "get_one", "list_first", "list_deep")


@dataclass(frozen=True)
class Options:
    backends: list[str]
    client: str
    connections: int
    duration: float
    rounds: int
    warmup: float
    rows: int
    depth: int
    log_level: str


@dataclass
class Run:
    """One load-generator run against one endpoint."""

    rps: float
    requests: int
    failures: int  # non-2xx responses plus socket errors
    p50_ms: float
    p99_ms: float
    client_cpu: float  # share of one core used by the load generator
    server_cpu: float  # share of one core used by the server process


@dataclass
class Seeded:
    key: str
    newest_first: list[tuple[datetime, uuid.UUID]]


@dataclass
class BackendResult:
    backend: str
    runs: dict[str, list[Run]] = field(default_factory=lambda: {name: [] for name in ENDPOINTS})
    passed: bool = True


# --- the server (child process) ---------------------------------------------------------------


def add_ceiling(app: FastAPI) -> None:
    """Mount the bare JSON endpoint on the real app (bench only, never in the product)."""

    async def ceiling() -> dict[str, Any]:
        return {"object": "ceiling", "ok": True}

    app.add_api_route(CEILING_PATH, ceiling, methods=["GET"], response_model=None, include_in_schema=False)


def serve(argv: Sequence[str]) -> int:
    """`python -m bench.api serve --database-url URL --data-dir DIR --port N`: like `breadbox serve`."""
    import logging

    import uvicorn

    from breadbox.app import create_app
    from breadbox.config import Settings

    parser = argparse.ArgumentParser(prog="bench.api serve")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    settings = Settings(
        data_dir=Path(args.data_dir), database_url=args.database_url, log_level=args.log_level
    )
    app = create_app(settings)
    add_ceiling(app)
    # The same logging and uvicorn configuration as `breadbox serve` (breadbox/cli.py).
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level=settings.log_level, access_log=False)
    return 0


# --- the fallback load generator (child process) ----------------------------------------------


async def _load(url: str, seconds: float, connections: int, headers: list[str]) -> dict[str, Any]:
    """Keep-alive GETs of one URL on `connections` connections for `seconds`; raw HTTP/1.1."""
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\n" + "".join(f"{h}\r\n" for h in headers) + "\r\n"
    ).encode()
    latencies: list[float] = []
    counts = {"non2xx": 0, "errors": 0}
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while (started := time.perf_counter()) < deadline:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                at = head.lower().find(b"content-length:")
                length = int(head[at + 15 : head.index(b"\r\n", at)]) if at >= 0 else 0
                if length:
                    await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if head[9:10] != b"2":
                    counts["non2xx"] += 1
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            counts["errors"] += 1
        finally:
            writer.close()

    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - t0
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "non2xx": counts["non2xx"],
        "errors": counts["errors"],
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "cpu": (time.process_time() - cpu0) / elapsed,
    }


def load(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.api load")
    parser.add_argument("--url", required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args(argv)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    result = asyncio.run(_load(args.url, args.seconds, args.connections, args.header))
    print(json.dumps(result))
    return 0


# --- driving the load -------------------------------------------------------------------------


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk_ms(text: str, label: str) -> float:
    found = re.search(rf"^\s*{re.escape(label)}\s+([\d.]+)(us|ms|s)\b", text, re.M)
    return float(found.group(1)) * _UNITS[found.group(2)] if found else float("nan")


def _parse_wrk(text: str) -> dict[str, Any]:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    if not rps or not total:
        raise RuntimeError(f"unexpected wrk output:\n{text}")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return {
        "requests": int(total.group(1)),
        "rps": float(rps.group(1)),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "errors": sum(int(g) for g in sock.groups()) if sock else 0,
        "p50_ms": _wrk_ms(text, "50%"),
        "p99_ms": _wrk_ms(text, "99%"),
    }


def drive(opts: Options, url: str, key: str, server_pid: int, seconds: float) -> Run:
    """One load run against `url`, with CPU accounting of both processes."""
    header = f"Authorization: Bearer {key}"
    if opts.client == "wrk":
        whole = max(1, round(seconds))  # wrk takes whole seconds
        argv = ["wrk", "-t1", f"-c{opts.connections}", f"-d{whole}s", "--latency", "-H", header, url]
    else:
        argv = [sys.executable, "-m", "bench.api", "load", "--url", url, "--seconds", str(seconds)]
        argv += ["--connections", str(opts.connections), "--header", header]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    server_cpu0, t0 = process_cpu_seconds(server_pid), time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=REPO_ROOT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    wall = time.perf_counter() - t0
    server_cpu = (process_cpu_seconds(server_pid) - server_cpu0) / wall
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed ({proc.returncode}):\n{text}")
    if opts.client == "wrk":
        data = _parse_wrk(text)
        client_cpu = (usage.ru_utime + usage.ru_stime) / wall
    else:
        data = json.loads(text.strip().splitlines()[-1])
        client_cpu = float(data["cpu"])
    return Run(
        rps=float(data["rps"]),
        requests=int(data["requests"]),
        failures=int(data["non2xx"]) + int(data["errors"]),
        p50_ms=float(data["p50_ms"]),
        p99_ms=float(data["p99_ms"]),
        client_cpu=client_cpu,
        server_cpu=server_cpu,
    )


# --- seeding ----------------------------------------------------------------------------------


async def _seed(database_url: str, rows: int) -> Seeded:
    """One organization with a key and `rows` data sources, bulk-inserted in a few statements."""
    from sqlalchemy import insert, text

    import breadbox.db.models  # noqa: F401  (every table known to the metadata)
    from breadbox.auth.service import ApiKeyService
    from breadbox.data_sources.models import DataSource
    from breadbox.db.session import Database

    database = Database(database_url)
    try:
        async with database.session() as session:
            org, _, key = await ApiKeyService(session).create_for_organization("bench", "bench")
        base = datetime.now(UTC) - timedelta(days=30)
        values: list[dict[str, Any]] = []
        for i in range(rows):
            created = base + timedelta(milliseconds=i * 10, microseconds=i % 997)
            notion = i % 2 == 0
            values.append(
                {
                    "id": uuid.uuid4(),
                    "organization_id": org.id,
                    "type": "notion" if notion else "linear",
                    "name": f"Bench source {i}",
                    "metadata_": {"team": "bench", "index": i},
                    "auth_type": "api_key" if notion else "oauth2",
                    "credentials": os.urandom(64) if notion else None,
                    "auth_info": {"api_key": f"ntn_…{i % 10000:04d}"} if notion else {},
                    "auth_error": None,
                    "auth_updated_at": created,
                    "created_at": created,
                    "updated_at": created,
                }
            )
        async with database.session() as session:
            for start in range(0, rows, 2000):
                await session.execute(insert(DataSource), values[start : start + 2000])
        if not database.is_sqlite:
            # What autovacuum does soon after a bulk load; SQLite has no statistics by default.
            async with database.engine.begin() as conn:
                await conn.execute(text("ANALYZE data_sources"))
        newest_first = sorted(((v["created_at"], v["id"]) for v in values), reverse=True)
        return Seeded(key=key, newest_first=newest_first)
    finally:
        await database.dispose()


def _check(url: str, key: str, expect: dict[str, Any]) -> None:
    """One request before measuring: 200, and the data we expect (so the figures mean something)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.loads(response.read())
    for path, wanted in expect.items():
        value: Any = body
        for part in path.split("."):
            value = value[int(part)] if isinstance(value, list) else value[part]
        if value != wanted:
            raise RuntimeError(f"{url}: {path} is {value!r}, expected {wanted!r}")


# --- one backend ------------------------------------------------------------------------------


def bench_backend(opts: Options, backend: str, database_url: str, data_dir: Path) -> BackendResult:
    from breadbox.db.migrate import upgrade
    from breadbox.pagination import Cursor

    t0 = time.perf_counter()
    upgrade(database_url)
    seeded = asyncio.run(_seed(database_url, opts.rows))
    print(f"[{backend}] migrated and seeded {opts.rows:,} data sources in {time.perf_counter() - t0:.1f}s")
    rows = seeded.newest_first
    depth = min(opts.depth, len(rows) - 1)
    deep_cursor = Cursor(*rows[depth - 1]).encode()
    target_id = rows[len(rows) // 2][1]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    urls = {
        "ceiling": base + CEILING_PATH,
        "get_one": f"{base}/v1/data_sources/{target_id}",
        "list_first": f"{base}/v1/data_sources/?limit=20",
        "list_deep": f"{base}/v1/data_sources/?limit=20&after={deep_cursor}",
    }
    serve_args = ["serve", "--database-url", database_url, "--data-dir", str(data_dir)]
    serve_args += ["--port", str(port), "--log-level", opts.log_level]
    server = ServerProcess(
        "bench.api", serve_args, health_url=f"{base}/healthz", log_path=data_dir / "server.log"
    )
    result = BackendResult(backend)
    with server:
        _check(urls["ceiling"], seeded.key, {"ok": True})
        _check(urls["get_one"], seeded.key, {"id": str(target_id)})
        _check(urls["list_first"], seeded.key, {"data.0.id": str(rows[0][1]), "pagination.has_more": True})
        _check(
            urls["list_deep"],
            seeded.key,
            {"data.0.id": str(rows[depth][1]), "data.19.id": str(rows[depth + 19][1])},
        )
        for name in ENDPOINTS:  # warm caches, pools and compiled statements
            drive(opts, urls[name], seeded.key, server.pid, opts.warmup)
        for round_no in range(opts.rounds):
            order = ENDPOINTS[round_no % 4 :] + ENDPOINTS[: round_no % 4]
            for name in order:
                result.runs[name].append(drive(opts, urls[name], seeded.key, server.pid, opts.duration))
            print(
                f"[{backend}] round {round_no + 1}/{opts.rounds}: "
                + ", ".join(f"{n} {result.runs[n][-1].rps:,.0f}/s" for n in ENDPOINTS),
                flush=True,
            )
    report(opts, result, depth)
    return result


def _ratios(runs: dict[str, list[Run]], num: str, den: str) -> list[float]:
    return [a.rps / b.rps for a, b in zip(runs[num], runs[den], strict=True) if b.rps > 0]


def report(opts: Options, result: BackendResult, depth: int) -> None:
    runs = result.runs
    rps = {name: median([r.rps for r in runs[name]]) for name in ENDPOINTS}
    get_one = median(_ratios(runs, "get_one", "ceiling"))
    first = median(_ratios(runs, "list_first", "ceiling"))
    deep = median(_ratios(runs, "list_first", "list_deep"))  # cost of the deep page vs the first
    failures = sum(r.failures for name in ENDPOINTS for r in runs[name])
    get_ok = get_one >= GET_ONE_TARGET
    deep_ok = deep <= DEEP_PAGE_TARGET
    result.passed = get_ok and deep_ok and failures == 0
    verdict = {True: "PASS", False: "FAIL"}
    ceiling_row = ["ceiling: GET /_bench/ceiling (no DB, no auth)", f"{rps['ceiling']:,.0f} req/s"]
    ceiling_row += ["1.00", "reference", ""]
    get_row = ["GET one data source", f"{rps['get_one']:,.0f} req/s", f"{get_one:.2f} of ceiling"]
    get_row += [f">= {GET_ONE_TARGET:.2f} of ceiling", verdict[get_ok]]
    first_row = ["GET list, first page (limit 20)", f"{rps['list_first']:,.0f} req/s"]
    first_row += [f"{first:.2f} of ceiling", "(info)", ""]
    deep_row = [f"GET list, page at depth {depth:,} of {opts.rows:,}", f"{rps['list_deep']:,.0f} req/s"]
    deep_row += [f"{deep:.2f}x first-page cost", f"<= {DEEP_PAGE_TARGET:.2f}x", verdict[deep_ok]]
    fail_row = ["failed requests (non-2xx, socket errors)", str(failures), "", "0", verdict[failures == 0]]
    print()
    print_table(
        ["metric", "value", "ratio", "target", "result"],
        [ceiling_row, get_row, first_row, deep_row, fail_row],
        title=f"== api bench on {result.backend}: {opts.rounds} rounds x {opts.duration:g}s per endpoint, "
        f"{opts.connections} keep-alive connections, client {opts.client} (medians) ==",
    )
    print()
    rows = []
    for name in ENDPOINTS:
        r = runs[name]
        rows.append(
            [
                name,
                f"{min(x.rps for x in r):,.0f}-{max(x.rps for x in r):,.0f}",
                f"{median([x.p50_ms for x in r]):.2f}",
                f"{median([x.p99_ms for x in r]):.2f}",
                f"{median([x.server_cpu for x in r]) * 100:.0f}%",
                f"{max(x.client_cpu for x in r) * 100:.0f}%",
            ]
        )
    print_table(
        ["endpoint", "req/s range", "p50 ms", "p99 ms", "server CPU", "client CPU (max)"],
        rows,
        title="details (CPU as a share of one core):",
    )
    client_peak = max(x.client_cpu for name in ENDPOINTS for x in runs[name])
    ceiling_cpu = median([x.server_cpu for x in runs["ceiling"]])
    if client_peak < CLIENT_CPU_LIMIT:
        print(
            f"load generator: at most {client_peak * 100:.0f}% of a core (server process: "
            f"{ceiling_cpu * 100:.0f}% on the ceiling), so it is not what limits the figures."
        )
    else:
        print(
            f"WARNING: the load generator used up to {client_peak * 100:.0f}% of a core: figures may be "
            "limited by the client; try --client wrk."
        )
    load1 = os.getloadavg()[0]
    if ceiling_cpu < 0.8 or load1 > (os.cpu_count() or 1):
        print(
            f"note: the machine is busy (load average {load1:.1f} on {os.cpu_count()} cores; the server got "
            f"{ceiling_cpu * 100:.0f}% of a core on the ceiling): absolute figures are low and noisy; "
            "the ratios compare runs of the same rounds."
        )
    print(flush=True)


# --- entry point ------------------------------------------------------------------------------


def parse(argv: Sequence[str]) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench api", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a ~30 s smoke run")
    parser.add_argument(
        "--backend",
        choices=["sqlite", "postgres", "both"],
        help="default: both when PostgreSQL answers at 127.0.0.1:5432, else sqlite (--quick: sqlite)",
    )
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=float, help="seconds per run (default 2, quick 1)")
    parser.add_argument("--rounds", type=int, help="alternating rounds (default 6, quick 2)")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--depth", type=int, default=10_000)
    parser.add_argument("--log-level", default="info", help="server log level (default: as `breadbox serve`)")
    args = parser.parse_args(argv)
    if args.backend is None and args.quick:
        backends = ["sqlite"]  # a smoke run: one backend
    elif args.backend in (None, "both"):
        reachable = postgres_reachable()
        if args.backend == "both" and not reachable:
            parser.error("PostgreSQL is not reachable at 127.0.0.1:5432")
        backends = ["sqlite", "postgres"] if reachable else ["sqlite"]
        if not reachable:
            print("PostgreSQL not reachable at 127.0.0.1:5432: SQLite only.")
    else:
        backends = [args.backend]
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    elif client == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed")
    return Options(
        backends=backends,
        client=client,
        connections=args.connections,
        duration=args.duration or (1.0 if args.quick else 2.0),
        rounds=args.rounds or (2 if args.quick else 6),
        warmup=1.0,
        rows=args.rows,
        depth=args.depth,
        log_level=args.log_level,
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["serve"]:
        return serve(argv[1:])
    if argv[:1] == ["load"]:
        return load(argv[1:])
    opts = parse(argv)
    results: list[BackendResult] = []
    for backend in opts.backends:
        with tempfile.TemporaryDirectory(prefix=f"breadbox-bench-{backend}-") as tmp:
            data_dir = Path(tmp)
            if backend == "postgres":
                with throwaway_postgres() as url:
                    results.append(bench_backend(opts, backend, url, data_dir))
            else:
                url = f"sqlite+aiosqlite:///{data_dir / 'breadbox.db'}"
                results.append(bench_backend(opts, backend, url, data_dir))
    print("api bench:", ", ".join(f"{r.backend} {'PASS' if r.passed else 'FAIL'}" for r in results))
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
