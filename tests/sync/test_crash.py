"""A worker killed with SIGKILL mid-sync: another process takes the run over and resumes it from
its checkpoint; nothing is lost and nothing is duplicated. Real processes, real simulator."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import pytest

from breadbox.simulators.notion import NotionSimConfig, start
from tests.plugins.api import BACKENDS, make_database
from tests.plugins.processes import ServeProcess, cli_env, last_line, run_cli, wait_until


@pytest.mark.parametrize("backend", BACKENDS)
def test_killed_worker_run_resumes_elsewhere(backend: str, tmp_path: Path) -> None:
    db = make_database(backend, tmp_path)
    config = NotionSimConfig(pages=40, rate_limit_rps=0.0, child_page_ratio=0.0)
    try:
        with start(config) as sim:
            # Slow enough that the first process is killed between batches of one run.
            sim.admin("POST", "/_sim/faults", {"latency_ms": 60}).raise_for_status()
            env = cli_env(tmp_path, db.url.replace("+aiosqlite", "").replace("+psycopg", ""))
            env.update(
                BREADBOX_NOTION_API_URL=sim.url,
                BREADBOX_NOTION_RATE_LIMIT="0",
                BREADBOX_SYNC_TICK_SECONDS="0.2",
                BREADBOX_HEARTBEAT_SECONDS="0.5",
                BREADBOX_STALE_AFTER_SECONDS="2",
            )
            key = last_line(run_cli(env, "keys", "create", "--name", "crash").stdout)
            first = ServeProcess(env, tmp_path).start()
            api = httpx.Client(base_url=first.url, headers={"Authorization": f"Bearer {key}"}, timeout=30)
            store = api.post("/v1/stores", json={"name": "crash"}).json()
            ds = api.post(
                "/v1/data_sources/",
                json={"name": "n", "auth_params": {"type": "api_key", "api_key": sim.token}},
            ).json()
            c = api.post(f"/v1/data_sources/{ds['id']}/connectors", json={"store_id": store["id"]}).json()
            syncs = f"/v1/data_sources/{ds['id']}/connectors/{c['id']}/syncs"

            def some_batches_written() -> bool:
                runs = api.get(syncs).json()["data"]
                return (
                    bool(runs) and runs[0]["status"] == "in_progress" and runs[0]["counters"]["created"] >= 5
                )

            wait_until(some_batches_written, 60, "the first batches")
            assert first.process is not None
            first.process.send_signal(signal.SIGKILL)
            first.process.wait(timeout=10)
            first.stop()

            second = ServeProcess(env, tmp_path).start()
            try:
                api = httpx.Client(
                    base_url=second.url, headers={"Authorization": f"Bearer {key}"}, timeout=30
                )
                deadline = time.monotonic() + 90
                while time.monotonic() < deadline:
                    runs = api.get(syncs).json()["data"]
                    if runs and runs[0]["status"] in ("completed", "failed", "cancelled"):
                        break
                    time.sleep(0.2)
                runs = api.get(syncs).json()["data"]
                assert len(runs) == 1, "the same run resumed; no second run was needed"
                assert runs[0]["status"] == "completed", runs[0]
                files = []
                after = None
                while True:
                    params = {"limit": 100, **({"after": after} if after else {})}
                    page = api.get(f"/v1/stores/{store['id']}/files", params=params).json()
                    files.extend(page["data"])
                    if not page["pagination"]["has_more"]:
                        break
                    after = page["pagination"]["last_cursor"]
                source_ids = [f["metadata"]["source_id"] for f in files]
                assert len(source_ids) == len(set(source_ids)), "no duplicate file"
                pages = httpx.get(f"{sim.url}/_sim/pages").json()["pages"]
                visible = {p["id"] for p in pages if p["visible"] and not p["in_trash"]}
                assert visible <= set(source_ids), f"lost: {visible - set(source_ids)}"
            finally:
                second.stop()
    finally:
        db.drop()
