"""Scaled-out mode end to end: API replicas and workers as real processes against one PostgreSQL,
the Notion and Linear simulators on loopback. No connector runs twice at once, nothing is lost or
duplicated, crashes and restarts converge, deletions abort running jobs within seconds."""

from __future__ import annotations

import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx

from breadbox.simulators.linear import LinearSimConfig
from breadbox.simulators.linear import start as start_linear
from breadbox.simulators.notion import NotionSimConfig
from breadbox.simulators.notion import start as start_notion
from tests.plugins.processes import run_cli, wait_until
from tests.scale.conftest import (
    Cluster,
    assert_no_overlapping_runs,
    connector_path,
    create,
    files_of,
    kill,
    runs_of,
    wait_all_done,
)


def linear_oauth_source(api: httpx.Client) -> dict[str, Any]:
    body = {"type": "linear", "name": "l", "auth_params": {"type": "oauth2"}}
    ds = create(api, "/v1/data_sources/", body)
    url = api.get(f"/v1/data_sources/{ds['id']}/oauth2/authorize").json()["url"]
    consent = httpx.get(url, follow_redirects=False, timeout=30)
    assert consent.status_code in (302, 303, 307), consent.text
    parts = urlsplit(consent.headers["location"])
    back = httpx.get(f"{api.base_url}{parts.path}?{parts.query}".replace("//v1", "/v1"), timeout=30)
    assert back.status_code in (200, 307), back.text
    return ds


def sim_stats(sim: Any) -> dict[str, Any]:
    return httpx.get(f"{sim.url}/_sim/stats", timeout=10).json()  # type: ignore[no-any-return]


def visible_pages(sim: Any) -> set[str]:
    pages = httpx.get(f"{sim.url}/_sim/pages", timeout=10).json()["pages"]
    return {p["id"] for p in pages if p["visible"] and not p["in_trash"]}


def notion_source(api: httpx.Client, token: str) -> dict[str, Any]:
    body = {"type": "notion", "name": "n", "auth_params": {"type": "api_key", "api_key": token}}
    return create(api, "/v1/data_sources/", body)


def source_ids(api: httpx.Client, store_id: str) -> list[str]:
    return [f["metadata"]["source_id"] for f in files_of(api, store_id)]


def test_fifty_connectors_two_replicas_three_workers(cluster: Any) -> None:
    notion_config = NotionSimConfig(pages=6, rate_limit_rps=0.0, child_page_ratio=0.0)
    linear_config = LinearSimConfig(issues=6, comments_per_issue=1, projects=1, documents=1)
    with start_notion(notion_config) as notion, start_linear(linear_config) as linear:
        c: Cluster = cluster(
            notion_url=notion.url,
            linear_url=linear.url,
            linear_authorize_url=f"{linear.url}/oauth/authorize",
            linear_client_id=linear.client_id,
            linear_client_secret=linear.client_secret,
        )
        c.start(apis=2, workers=3, concurrency=2)
        listing = run_cli(c.env, "workers")
        assert "6 live of 6" in listing.stderr, listing.stderr  # a sync and a scheduler worker each
        apis = [c.client(0), c.client(1)]
        sources = [notion_source(apis[i % 2], notion.token) for i in range(5)]
        # Linear through OAuth (the simulator consents at once): five data sources, five tokens.
        sources += [linear_oauth_source(apis[i % 2]) for i in range(5)]

        def connect(i: int) -> dict[str, Any]:
            api = apis[i % 2]
            store = create(api, "/v1/stores", {"name": f"s{i}"})
            ds = sources[i % 10]
            return create(api, f"/v1/data_sources/{ds['id']}/connectors", {"store_id": store["id"]})

        with ThreadPoolExecutor(max_workers=4) as pool:
            connectors = list(pool.map(connect, range(50)))
        # Duplicate triggers on top (Notion connectors only, so the Linear counts below compare
        # single runs): they collapse into the queued run or one follow-up.
        for conn in [conn for i, conn in enumerate(connectors) if i % 10 < 5][:10]:
            apis[1].post(f"{connector_path(conn)}/sync", json={})
        wait_all_done(c, timeout=120)

        runs = c.sql("SELECT connector_id::text, status FROM sync_runs")
        per_connector = Counter(cid for cid, _ in runs)
        assert set(per_connector) == {conn["id"] for conn in connectors}
        assert all(status == "completed" for _, status in runs), Counter(s for _, s in runs)
        assert max(per_connector.values()) <= 2, "duplicate triggers collapse into at most one follow-up"
        assert_no_overlapping_runs(c)
        assert c.sql("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")[0][0] == 0

        expected_notion = visible_pages(notion)
        linear_sets = []
        for i, conn in enumerate(connectors):
            ids = source_ids(apis[0], conn["store_id"])
            assert len(ids) == len(set(ids)), f"duplicate files in store {i}"
            if sources[i % 10]["type"] == "notion":
                assert expected_notion <= set(ids), f"store {i} misses {expected_notion - set(ids)}"
            else:
                linear_sets.append(frozenset(ids))
        assert len(set(linear_sets)) == 1 and linear_sets[0], (
            "every Linear store holds the same whole workspace"
        )

        # The simulators' view: each Linear key served five connectors, one run each; had any run
        # been repeated or two overlapped, its key would show more requests than the others.
        by_token = sim_stats(linear)["by_token"]
        assert len(by_token) == 5 and len(set(by_token.values())) == 1, by_token
        assert int(sim_stats(notion)["max_concurrency"]) >= 2, "syncs ran side by side"


def test_killed_worker_mid_sync_resumes_on_another(cluster: Any) -> None:
    with start_notion(NotionSimConfig(pages=40, rate_limit_rps=0.0, child_page_ratio=0.0)) as notion:
        notion.admin("POST", "/_sim/faults", {"latency_ms": 100}).raise_for_status()
        c: Cluster = cluster(notion_url=notion.url)
        c.start(apis=1, workers=2, concurrency=1)
        api = c.client()
        store = create(api, "/v1/stores", {"name": "kill"})
        ds = notion_source(api, notion.token)
        conn = create(api, f"/v1/data_sources/{ds['id']}/connectors", {"store_id": store["id"]})
        lock = f"connector:{conn['id']}"

        def some_batches() -> bool:
            runs = runs_of(api, conn)
            return bool(runs) and runs[0]["status"] == "in_progress" and runs[0]["counters"]["created"] >= 5

        wait_until(some_batches, 60, "the first batches")
        (holder,) = c.sql(
            "SELECT worker_id FROM procrastinate_jobs WHERE lock = %s AND status = 'doing'", lock
        )[0]
        victim = next(w for w in c.workers if holder in w.worker_ids().values())
        kill(victim)
        notion.admin("POST", "/_sim/faults", {"latency_ms": 0}).raise_for_status()
        wait_until(
            lambda: runs_of(api, conn)[0]["status"] in ("completed", "failed", "cancelled"), 60, "resume"
        )
        runs = runs_of(api, conn)
        assert len(runs) == 1 and runs[0]["status"] == "completed", runs
        assert runs[0]["counters"]["fetched"] < len(visible_pages(notion)), "resumed, not restarted"
        ids = source_ids(api, store["id"])
        assert len(ids) == len(set(ids)), "no duplicate file"
        assert visible_pages(notion) <= set(ids), "no lost file"
        # The dead worker's job was failed (freeing the connector's lock) and the survivor's
        # job, which finished the run, succeeded (and was deleted).
        jobs = c.sql("SELECT status::text, worker_id FROM procrastinate_jobs WHERE lock = %s", lock)
        assert [status for status, _ in jobs] == ["failed"], jobs


def test_delete_connector_aborts_its_job_on_another_process(cluster: Any) -> None:
    with start_notion(NotionSimConfig(pages=60, rate_limit_rps=0.0, child_page_ratio=0.0)) as notion:
        notion.admin("POST", "/_sim/faults", {"latency_ms": 150}).raise_for_status()
        c: Cluster = cluster(notion_url=notion.url)
        c.start(apis=1, workers=1, concurrency=2)
        api = c.client()
        store = create(api, "/v1/stores", {"name": "delete"})
        ds = notion_source(api, notion.token)
        conn = create(api, f"/v1/data_sources/{ds['id']}/connectors", {"store_id": store["id"]})
        wait_until(
            lambda: bool(runs_of(api, conn)) and runs_of(api, conn)[0]["counters"]["created"] >= 3,
            60,
            "first files",
        )
        assert files_of(api, store["id"])
        lock = f"connector:{conn['id']}"
        started = time.monotonic()
        api.delete(connector_path(conn)).raise_for_status()
        wait_until(
            lambda: (
                c.sql("SELECT count(*) FROM procrastinate_jobs WHERE lock = %s AND status = 'doing'", lock)[
                    0
                ][0]
                == 0
            ),
            5,
            "the job's abort",
        )
        assert time.monotonic() - started < 5
        status = c.sql("SELECT status::text FROM procrastinate_jobs WHERE lock = %s", lock)
        assert status and all(s in ("aborted", "cancelled") for (s,) in status), status
        requests = notion.stats()["requests"]["total"]  # type: ignore[index]
        time.sleep(1.0)
        assert notion.stats()["requests"]["total"] == requests, "the aborted sync sends nothing more"  # type: ignore[index]
        assert files_of(api, store["id"]) == [], "its files are removed, none written after"


def test_restart_every_process_mid_run_converges(cluster: Any) -> None:
    with start_notion(NotionSimConfig(pages=30, rate_limit_rps=0.0, child_page_ratio=0.0)) as notion:
        notion.admin("POST", "/_sim/faults", {"latency_ms": 40}).raise_for_status()
        c: Cluster = cluster(notion_url=notion.url)
        c.start(apis=2, workers=2, concurrency=2)
        api = c.client()
        ds = notion_source(api, notion.token)
        conns = []
        for i in range(4):
            store = create(api, "/v1/stores", {"name": f"r{i}"})
            conns.append(
                create(c.client(i), f"/v1/data_sources/{ds['id']}/connectors", {"store_id": store["id"]})
            )
        wait_until(
            lambda: (
                c.sql(
                    "SELECT count(*) FROM sync_runs WHERE status = 'in_progress' "
                    "AND (counters->>'created')::int >= 3"
                )[0][0]
                >= 2
            ),
            60,
            "syncs under way",
        )
        # SIGTERM everything: workers checkpoint their batch, hand the runs back and exit cleanly.
        old = [*c.apis, *c.workers]
        for proc in old:
            proc.signal(signal.SIGTERM)
        codes = [proc.wait(timeout=30) for proc in old]
        # Workers exit 0; uvicorn re-raises SIGTERM after its clean shutdown (-15).
        assert [code for proc, code in zip(old, codes, strict=True) if proc in c.workers] == [0, 0], codes
        handed_back = c.sql("SELECT status FROM sync_runs WHERE status = 'in_progress'")
        assert handed_back == [], "no run is left in progress by a clean shutdown"
        for proc in old:
            proc.stop()
        c.apis.clear()
        c.workers.clear()
        notion.admin("POST", "/_sim/faults", {"latency_ms": 0}).raise_for_status()
        c.start(apis=2, workers=2, concurrency=2)
        wait_all_done(c, timeout=60)
        api = c.client()
        expected = visible_pages(notion)
        for conn in conns:
            runs = runs_of(api, conn)
            assert len(runs) == 1 and runs[0]["status"] == "completed", runs
            ids = source_ids(api, conn["store_id"])
            assert len(ids) == len(set(ids)) and expected <= set(ids)
        assert_no_overlapping_runs(c)
