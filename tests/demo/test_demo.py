"""`breadbox demo` end to end: in-process (SQLite and PostgreSQL), as a process, and `--serve`.

Each run starts both simulators and a real server on loopback ports and waits for two real first
syncs, so every test is bounded in time (the demo's own deadline, and a subprocess timeout)."""

from __future__ import annotations

import io
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from breadbox.demo import QUERIES, DemoResult, main, run_demo, snippet
from tests.plugins.api import BACKENDS, make_database

RUN = "import sys; from breadbox.demo import main; raise SystemExit(main(sys.argv[1:]))"
BREADBOX = str(Path(sys.executable).with_name("breadbox"))


def demo_command() -> list[str]:
    """`breadbox demo` once the CLI has the command (what `make demo` runs), else the module itself."""
    from breadbox.cli import app

    registered = any(
        (c.name or getattr(c.callback, "__name__", "")) == "demo" for c in app.registered_commands
    )
    if registered and Path(BREADBOX).exists():
        return [BREADBOX, "demo"]
    return [sys.executable, "-c", RUN]


PROCESS_TIMEOUT = 90


def demo_env() -> dict[str, str]:
    """The parent's environment without BREADBOX_* settings (the demo wires its own), wide output."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("BREADBOX_") or k == "BREADBOX_LINEAR_SCHEMA"
    }
    env["COLUMNS"] = "220"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def assert_demo_output(text: str) -> None:
    for source in ("notion", "linear"):
        line = next(
            (ln for ln in text.splitlines() if re.search(rf"\b{source}\s+\S+\s+completed\b", ln)), None
        )
        assert line is not None, f"no completed progress line for {source}:\n{text}"
        created = re.search(r"(\d+) created", line)
        assert created and int(created.group(1)) > 0, line
    assert "Search results" in text
    assert "Kiln launch plan" in text and "Kiln launch blocker" in text
    rows = [ln for ln in text.splitlines() if "│" in ln]
    assert any("notion" in ln for ln in rows) and any("linear" in ln for ln in rows), text


@pytest.mark.parametrize("backend", BACKENDS)
def test_run_demo_in_process(backend: str, tmp_path: Path) -> None:
    db = make_database(backend, tmp_path) if backend == "postgres" else None
    buffer = io.StringIO()
    try:
        result = run_demo(
            data_dir=tmp_path / "data",
            database_url=db.url if db else None,
            timeout=80,
            console=Console(file=buffer, width=220),
        )
    finally:
        if db is not None:
            db.drop()
    assert set(result.runs) == {"notion", "linear"}
    for run in result.runs.values():
        assert run["status"] == "completed" and run["counters"]["created"] > 0, run
        assert run["counters"]["failed"] == 0, run
    for query in QUERIES:
        sources = {row.source for row in result.rows if row.query == query and "Kiln" in row.title}
        assert sources == {"notion", "linear"}, (query, result.rows)
    assert_demo_output(buffer.getvalue())
    if backend == "sqlite":
        assert (tmp_path / "data" / "breadbox.db").exists()  # --data-dir is used, and kept


def test_demo_as_a_process(tmp_path: Path) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [*demo_command(), "--timeout", "80"],
        env=demo_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT,
    )
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert_demo_output(done.stdout)
    assert done.stdout.rstrip().endswith("Done.")
    assert time.monotonic() - started < PROCESS_TIMEOUT


def test_serve_keeps_running_until_ctrl_c(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", RUN, "--serve", "--data-dir", str(tmp_path / "data")],
        env=demo_env(),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + PROCESS_TIMEOUT
        while not any("Press Ctrl-C" in line for line in seen):
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line is not None, f"demo exited early:\n{''.join(seen)}\n{process.stderr.read()}"  # type: ignore[union-attr]
            seen.append(line)
        text = "".join(seen)
        assert_demo_output(text)
        api_url = re.search(r"Breadbox API\s+(http://127\.0\.0\.1:\d+)", text)
        key = re.search(r"API key\s+(\S+)", text)
        store = re.search(r"Store ID\s+(\S+)", text)
        assert api_url and key and store, text
        for name in ("Notion simulator", "Linear simulator"):
            assert re.search(rf"{name}\s+http://127\.0\.0\.1:\d+", text), name

        headers = {"Authorization": f"Bearer {key.group(1)}"}
        listed = httpx.get(f"{api_url.group(1)}/v1/data_sources/", headers=headers, timeout=10)
        assert listed.status_code == 200, listed.text
        assert sorted(ds["type"] for ds in listed.json()["data"]) == ["linear", "notion"]

        # The printed SDK snippet works as printed.
        code = text.split("(pip install mixedbread):", 1)[1].split("Press Ctrl-C", 1)[0]
        ran = subprocess.run(
            [sys.executable, "-c", "\n".join(ln.rstrip() for ln in code.splitlines())],
            env=demo_env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert ran.returncode == 0, ran.stderr
        assert "notion" in ran.stdout and "linear" in ran.stdout, ran.stdout

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        rest = []
        while (line := lines.get(timeout=10)) is not None:
            rest.append(line)
        assert "Done." in "".join(rest)
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{api_url.group(1)}/healthz", timeout=2)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_deadline_fails_with_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--timeout", "0.01", "--data-dir", str(tmp_path)]) == 1
    assert "Demo failed" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error() -> None:
    assert main(["--no-such-option"]) == 2


def test_snippet_centres_on_the_query() -> None:
    text = "# Title\n\n" + "filler " * 40 + "the **kiln** launch is near " + "more " * 40
    cut = snippet(text, "kiln launch", width=40)
    assert "kiln launch" in cut and cut.startswith("…") and cut.endswith("…") and "**" not in cut


def test_result_type_is_exported() -> None:
    assert DemoResult.__dataclass_fields__.keys() >= {"api_url", "api_key", "store_id", "runs", "rows"}
