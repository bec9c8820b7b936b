"""`breadbox sync CONNECTOR_ID [--full] [--force]`: one sync in the foreground, as a real process."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from breadbox.simulators.notion import NotionSimConfig, start
from tests.plugins.api import BACKENDS, make_database
from tests.plugins.processes import ServeProcess, cli_env, last_line, run_cli


@pytest.mark.parametrize("backend", BACKENDS)
def test_foreground_sync_runs_and_reports(backend: str, tmp_path: Path) -> None:
    db = make_database(backend, tmp_path)
    try:
        with start(NotionSimConfig(pages=12, rate_limit_rps=0.0, child_page_ratio=0.0)) as sim:
            env = cli_env(tmp_path, db.url.replace("+aiosqlite", "").replace("+psycopg", ""))
            env.update(BREADBOX_NOTION_API_URL=sim.url, BREADBOX_NOTION_RATE_LIMIT="0")
            key = last_line(run_cli(env, "keys", "create", "--name", "cli").stdout)
            # An API replica without a worker creates the objects; the CLI runs the sync itself.
            server = ServeProcess(env, tmp_path, "--no-worker").start()
            try:
                api = httpx.Client(
                    base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=30
                )
                store = api.post("/v1/stores", json={"name": "cli"}).json()
                ds = api.post(
                    "/v1/data_sources/",
                    json={"name": "n", "auth_params": {"type": "api_key", "api_key": sim.token}},
                ).json()
                c = api.post(
                    f"/v1/data_sources/{ds['id']}/connectors",
                    json={"store_id": store["id"], "trigger_sync": False},
                ).json()

                done = run_cli(env, "sync", c["id"], timeout=120)
                assert "Sync completed" in done.stderr, done.stderr
                assert "created" in done.stderr and "requests" in done.stderr
                runs = api.get(f"/v1/data_sources/{ds['id']}/connectors/{c['id']}/syncs").json()["data"]
                assert [(r["trigger"], r["status"]) for r in runs] == [("cli", "completed")]
                assert runs[0]["counters"]["created"] > 0
                files = api.get(f"/v1/stores/{store['id']}/files", params={"limit": 100}).json()["data"]
                assert len(files) == runs[0]["counters"]["created"]

                again = run_cli(env, "sync", c["id"], "--full", "--force", timeout=120)
                assert "Sync completed" in again.stderr
                runs = api.get(f"/v1/data_sources/{ds['id']}/connectors/{c['id']}/syncs").json()["data"]
                assert runs[0]["full"] is True and runs[0]["force"] is True
                assert runs[0]["counters"]["unchanged"] == runs[1]["counters"]["created"]
            finally:
                server.stop()

            missing = run_cli(env, "sync", str(uuid.uuid4()), check=False)
            assert missing.returncode == 1 and "not found" in missing.stderr
            malformed = run_cli(env, "sync", "not-an-id", check=False)
            assert malformed.returncode == 2
    finally:
        db.drop()
