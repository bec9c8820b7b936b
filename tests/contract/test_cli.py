"""The `breadbox` command line as a user runs it: real subprocesses on a temporary data directory."""

from __future__ import annotations

import re
import sqlite3
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from breadbox import __version__
from tests.plugins.processes import ServeProcess, cli_env, last_line, run_cli, run_cli_concurrently

KEY_PATTERN = re.compile(r"^bb_[A-Za-z0-9_\-]{40,}$")


def test_version(tmp_path: Path) -> None:
    result = run_cli(cli_env(tmp_path), "version")
    assert result.stdout.strip() == __version__
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", __version__)


def test_migrate_is_idempotent(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    run_cli(env, "migrate")
    database = tmp_path / "breadbox.db"
    assert database.is_file()
    with sqlite3.connect(database) as conn:
        first = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert len(first) == 1
    assert {"organizations", "api_keys", "data_sources", "connectors"} <= tables, tables

    second = run_cli(env, "migrate")
    assert second.returncode == 0
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == first


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def server(data_dir: Path) -> Iterator[ServeProcess]:
    """`breadbox serve` on the same data directory the CLI commands of the test use."""
    server = ServeProcess(cli_env(data_dir), data_dir).start()
    try:
        yield server
    finally:
        server.stop()


def test_keys_create_list_revoke_against_a_server(data_dir: Path, server: ServeProcess) -> None:
    env = cli_env(data_dir)
    created, other_created = run_cli_concurrently(
        env,
        ("keys", "create", "--name", "x", "--organization", "acme"),
        ("keys", "create", "--name", "y", "--organization", "other"),
    )
    key = last_line(created.stdout)
    assert KEY_PATTERN.match(key), key
    assert created.stdout.strip() == key  # stdout holds the value alone; the chatter goes to stderr
    assert key not in created.stderr

    # The key authenticates against the running server, as organization "acme".
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as api:
        assert api.get("/v1/data_sources/").status_code == 200
        keys = api.get("/v1/api-keys").json()["data"]
        assert [k["name"] for k in keys] == ["x"]
        key_id, redacted = keys[0]["id"], keys[0]["redacted_value"]
    assert redacted != key and key[3:-4] not in redacted

    # The second key, in another organization, stays independent.
    other = last_line(other_created.stdout)
    assert KEY_PATTERN.match(other) and other != key

    listed = run_cli(env, "keys", "list")
    assert key_id in listed.stdout
    assert redacted in listed.stdout
    assert key not in listed.stdout + listed.stderr
    assert other not in listed.stdout + listed.stderr
    assert "active" in listed.stdout

    revoked = run_cli(env, "keys", "revoke", key_id)
    assert revoked.returncode == 0
    with httpx.Client(base_url=server.url, timeout=30) as api:
        response = api.get("/v1/data_sources/", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == 401
        assert api.get("/v1/data_sources/", headers={"Authorization": f"Bearer {other}"}).status_code == 200
    relisted, unknown, malformed = run_cli_concurrently(
        env,
        ("keys", "list"),
        ("keys", "revoke", str(uuid.uuid4())),
        ("keys", "revoke", "not-a-uuid"),
        check=False,
    )
    row = next(line for line in relisted.stdout.splitlines() if key_id in line)
    assert "revoked" in row
    # Unknown and malformed IDs are errors with a non-zero exit code.
    assert unknown.returncode != 0 and "not found" in unknown.stderr.lower()
    assert malformed.returncode != 0

    # The running server keeps the SQLite file in WAL mode.
    with sqlite3.connect(data_dir / "breadbox.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"

    # The server created the credentials key file, readable by its owner only.
    secret = data_dir / "secret.key"
    assert secret.is_file()
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert secret.read_bytes().strip()


def test_keys_bootstrap_prints_a_key_only_the_first_time(data_dir: Path) -> None:
    env = cli_env(data_dir)
    first = run_cli(env, "keys", "bootstrap")
    key = last_line(first.stdout)
    assert KEY_PATTERN.match(key), key
    second = run_cli(env, "keys", "bootstrap")
    assert second.returncode == 0
    assert second.stdout.strip() == ""
    assert key not in second.stderr
    assert "already exists" in second.stderr
