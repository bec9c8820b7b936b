"""Helpers shared by the bench scripts (`python -m bench`): small on purpose.

- `free_port()`: a loopback port the OS just handed out.
- `postgres_reachable()` / `throwaway_postgres()`: a PostgreSQL database created for one run and
  dropped afterwards (admin DSN from `BREADBOX_BENCH_PG`, default `postgres@127.0.0.1:5432`).
- `ServerProcess`: a server in a child process (never in the measuring process), stopped cleanly.
- `process_cpu_seconds(pid)`: user+system CPU of a process, to show who is the bottleneck.
- `median()` / `percentile()` and `print_table()` for reporting.

Benches print ratios against a reference measured in the same run, never bare absolute times:
the absolute figures depend on the machine, the ratios are what the targets are about.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "PG_ADMIN_DSN",
    "REPO_ROOT",
    "ServerProcess",
    "free_port",
    "median",
    "percentile",
    "postgres_reachable",
    "print_table",
    "process_cpu_seconds",
    "throwaway_postgres",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_DSN = os.environ.get("BREADBOX_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago (the OS picks it). Kept here, not imported from
    `breadbox.servers`, so light bench subprocesses (load generators) start without uvicorn."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


# --- PostgreSQL -------------------------------------------------------------------------------


def postgres_reachable(dsn: str = PG_ADMIN_DSN, timeout: float = 2.0) -> bool:
    """True when the admin DSN accepts a connection within `timeout` seconds."""
    import psycopg

    try:
        with psycopg.connect(dsn, connect_timeout=max(1, int(timeout))):
            return True
    except Exception:
        return False


@contextmanager
def throwaway_postgres(prefix: str = "breadbox_bench", dsn: str = PG_ADMIN_DSN) -> Iterator[str]:
    """Create an empty database, yield its SQLAlchemy async URL (psycopg 3), drop it on exit."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = dsn.split("://", 1)[1].rsplit("/", 1)[0]
    try:
        yield f"postgresql+psycopg://{base}/{name}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- processes --------------------------------------------------------------------------------


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by `pid` (Linux `/proc`; 0.0 elsewhere)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # Fields after the command name (which may contain spaces) start at field 3.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ServerProcess:
    """`python -m <module> <args>` in a child process, ready once `health_url` answers 200.

    The child's output goes to `log_path` (shown on failure), so it never blocks on a pipe.
    Use as a context manager; the child is terminated (then killed) on exit.
    """

    def __init__(self, module: str, args: Sequence[str], health_url: str, log_path: Path) -> None:
        self.argv = [sys.executable, "-m", module, *args]
        self.health_url = health_url
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 30.0) -> ServerProcess:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(self.argv, cwd=REPO_ROOT, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.health_url, timeout=1) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"server not ready after {timeout}s:\n{self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- statistics and reporting -----------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def percentile(values: Sequence[float], p: float) -> float:
    """The `p`-th percentile (0..100) with linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]], title: str | None = None) -> None:
    """A plain-text table; numbers right-aligned, text left-aligned."""
    cells = [[str(c) for c in headers], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [all(_is_number(row[i]) for row in rows) and bool(rows) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric, strict=True)]
        return "  ".join(parts).rstrip()

    if title:
        print(title)
    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))
    sys.stdout.flush()


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
