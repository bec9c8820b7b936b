"""The `breadbox` command as a real process: one-shot commands, and `serve` on a free loopback port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from breadbox.servers import free_port
from tests.plugins.api import CLOSED_LOOPBACK, PG_ADMIN_DSN

BREADBOX = str(Path(sys.executable).with_name("breadbox"))


def cli_env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """The parent's environment without any BREADBOX_* setting, plus the ones given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BREADBOX_")}
    env["BREADBOX_DATA_DIR"] = str(data_dir)
    env["BREADBOX_LOG_LEVEL"] = "warning"
    env["COLUMNS"] = "250"  # rich tables: no wrapping or truncation of the key column
    # Only loopback: a sync that a test triggers must not reach the real Notion or Linear.
    env["BREADBOX_NOTION_API_URL"] = CLOSED_LOOPBACK
    env["BREADBOX_LINEAR_API_URL"] = CLOSED_LOOPBACK
    env["BREADBOX_LINEAR_AUTHORIZE_URL"] = f"{CLOSED_LOOPBACK}/oauth/authorize"
    if database_url:
        env["BREADBOX_DATABASE_URL"] = database_url
    return env


def run_cli(
    env: dict[str, str], *args: str, check: bool = True, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [BREADBOX, *args],
        env=env,
        cwd=env["BREADBOX_DATA_DIR"],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"breadbox {' '.join(args)} exited {result.returncode}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
    return result


def run_cli_concurrently(
    env: dict[str, str], *commands: tuple[str, ...], check: bool = True
) -> list[subprocess.CompletedProcess[str]]:
    """Independent commands side by side (each start costs seconds of imports)."""
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        return list(pool.map(lambda args: run_cli(env, *args, check=check), commands))


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines, "no output"
    return lines[-1].strip()


@dataclass
class ThrowawayPostgres:
    """A fresh PostgreSQL database, dropped at the end (like tests/plugins/api.py does)."""

    name: str = field(default_factory=lambda: f"breadbox_contract_{uuid.uuid4().hex[:12]}")

    def create(self) -> str:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        base = PG_ADMIN_DSN.rsplit("/", 1)[0]
        return f"{base}/{self.name}"  # plain postgresql:// URL, as a user would write it

    def drop(self) -> None:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Proc:
    """A `breadbox` subprocess, its output (stdout and stderr) in one file of `log_dir`."""

    def __init__(self, env: dict[str, str], log_dir: Path, args: list[str], label: str) -> None:
        self.env = env
        self.args = args
        self.label = label
        self.err_path = log_dir / f"{label}.err"
        self._err = self.err_path.open("w")
        self.process: subprocess.Popen[bytes] | None = None

    def spawn(self) -> Proc:
        self.process = subprocess.Popen(
            [BREADBOX, *self.args],
            env=self.env,
            cwd=self.env["BREADBOX_DATA_DIR"],
            stdout=self._err,
            stderr=self._err,
        )
        return self

    def alive(self) -> bool:
        """True while it runs; a process that exited fails the test with its output."""
        if self.process is None:
            return False
        if self.process.poll() is not None:
            raise AssertionError(
                f"{self.label} exited {self.process.returncode}:\n{self.err_path.read_text()}"
            )
        return True

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def wait(self, timeout: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def stop(self) -> int | None:
        """SIGTERM (SIGKILL if it lingers); the exit code."""
        code = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=5)
            code = self.process.returncode
        self._err.close()
        return code


class ServeProcess(Proc):
    """`breadbox serve --port <free port> [args]`, ready once `probe` answers 200."""

    probe = "/healthz"

    def __init__(self, env: dict[str, str], log_dir: Path, *args: str, label: str | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(
            env, log_dir, ["serve", "--port", str(self.port), *args], label or f"serve-{self.port}"
        )

    def ready(self) -> bool:
        self.alive()
        try:
            return httpx.get(f"{self.url}{self.probe}", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def start(self, timeout: float = 30) -> ServeProcess:
        self.spawn()
        wait_until(self.ready, timeout, f"breadbox serve on {self.url}")
        return self


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout}s")
        time.sleep(0.1)
