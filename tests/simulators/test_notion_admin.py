"""The Notion simulator's admin API, statistics, fault injection and rate limiting."""

from __future__ import annotations

import threading
import time

import httpx

from breadbox.simulators.notion import NotionSimHandle
from tests.plugins.notion_sim import NotionSimFactory, notion_http


def test_created_page_is_searchable_and_edits_bump_minutes(notion_sim: NotionSimHandle) -> None:
    created = notion_sim.admin(
        "POST",
        "/_sim/pages",
        {"title": "Quokka Ledger Zeppelin", "paragraphs": ["alpha words", "beta words"]},
    )
    assert created.status_code == 201
    pid = created.json()["id"]
    with notion_http(notion_sim) as c:
        hits = c.post("/v1/search", json={"query": "quokka ledger"}).json()["results"]
        assert [h["id"] for h in hits] == [pid]
        before = c.get(f"/v1/pages/{pid}").json()["last_edited_time"]
        texts = [
            b["paragraph"]["rich_text"][0]["plain_text"]
            for b in c.get(f"/v1/blocks/{pid}/children").json()["results"]
        ]
        assert texts == ["alpha words", "beta words"]
        notion_sim.admin("POST", "/_sim/clock", {"advance_seconds": 120})
        notion_sim.admin("PATCH", f"/_sim/pages/{pid}", {"title": "Renamed Quokka", "paragraphs": ["gamma"]})
        after = c.get(f"/v1/pages/{pid}").json()
        assert after["last_edited_time"] > before and after["last_edited_time"].endswith(":00.000Z")
        assert after["properties"]["title"]["title"][0]["plain_text"] == "Renamed Quokka"
        children = c.get(f"/v1/blocks/{pid}/children").json()["results"]
        assert [b["paragraph"]["rich_text"][0]["plain_text"] for b in children] == ["gamma"]


def test_child_page_creation_trash_and_unshare(notion_sim: NotionSimHandle) -> None:
    parent = notion_sim.admin("POST", "/_sim/pages", {"title": "Parent Walrus", "paragraphs": []}).json()[
        "id"
    ]
    child = notion_sim.admin(
        "POST", "/_sim/pages", {"title": "Child Walrus", "paragraphs": ["x"], "parent_id": parent}
    ).json()["id"]
    with notion_http(notion_sim) as c:
        kids = c.get(f"/v1/blocks/{parent}/children").json()["results"]
        assert [(k["id"], k["type"]) for k in kids] == [(child, "child_page")]
        assert c.get(f"/v1/pages/{child}").json()["parent"] == {"type": "page_id", "page_id": parent}
        assert notion_sim.admin("DELETE", f"/_sim/pages/{parent}").status_code == 200
        assert c.get(f"/v1/pages/{parent}").json()["in_trash"] is True
        assert c.get(f"/v1/pages/{child}").json()["in_trash"] is True  # trash is inherited
        assert parent not in {
            r["id"] for r in c.post("/v1/search", json={"query": "walrus"}).json()["results"]
        }
        notion_sim.admin("POST", f"/_sim/pages/{parent}/unshare")
        assert c.get(f"/v1/pages/{parent}").status_code == 404
        assert c.get(f"/v1/pages/{child}").status_code == 404  # descendants lose access too


def test_stats_count_by_route_template_and_reset(notion_sim: NotionSimHandle) -> None:
    pages = [p for p in notion_sim.state.ws.top_level if p in notion_sim.state.ws.pages][:3]
    with notion_http(notion_sim) as c:
        for pid in pages:
            c.get(f"/v1/blocks/{pid}/children")
        c.post("/v1/search", json={})
    notion_sim.admin("GET", "/_sim/pages")
    stats = notion_sim.stats()
    assert stats["requests"] == {
        "total": 4,
        "by_endpoint": {"GET /v1/blocks/{id}/children": 3, "POST /v1/search": 1},
    }
    assert stats["by_token"] == {notion_sim.token: 4}
    assert stats["max_concurrency"] >= 1
    notion_sim.admin("POST", "/_sim/reset-stats")
    assert notion_sim.stats()["requests"]["total"] == 0


def test_rate_limit_429_with_retry_after(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(rate_limit_rps=3, burst=3)
    with notion_http(sim) as c:
        statuses = [c.get("/v1/users/me") for _ in range(6)]
    codes = [r.status_code for r in statuses]
    assert codes[:3] == [200, 200, 200] and 429 in codes[3:]
    limited = next(r for r in statuses if r.status_code == 429)
    assert limited.json()["code"] == "rate_limited" and int(limited.headers["Retry-After"]) >= 1
    stats = sim.stats()
    assert stats["rate_limited"] == codes.count(429)
    assert stats[f"max_requests_in_any_1s_window:{sim.token}"] == 6
    # the bucket refills at 3/s: a short wait is enough for the next request
    time.sleep(0.4)
    with notion_http(sim) as c:
        assert c.get("/v1/users/me").status_code == 200


def test_polite_client_never_exceeds_the_window(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(rate_limit_rps=20, burst=2)
    with notion_http(sim) as c:
        for _ in range(12):
            assert c.get("/v1/users/me").status_code == 200
            time.sleep(0.06)
    stats = sim.stats()
    assert stats["rate_limited"] == 0 and stats["max_requests_in_any_1s_window"] <= 22


def test_faults_503_529_502_and_latency(notion_sim: NotionSimHandle) -> None:
    with notion_http(notion_sim) as c:
        notion_sim.admin("POST", "/_sim/faults", {"fail_next": 1, "statuses": [503]})
        body = c.get("/v1/users/me")
        assert body.status_code == 503 and body.json()["code"] == "service_unavailable"
        assert c.get("/v1/users/me").status_code == 200
        notion_sim.admin("POST", "/_sim/faults", {"fail_next": 1, "statuses": [529]})
        overloaded = c.get("/v1/users/me")
        assert overloaded.status_code == 529 and overloaded.json()["code"] == "service_overload"
        assert overloaded.headers["Retry-After"] == "1"
        notion_sim.admin("POST", "/_sim/faults", {"fail_next": 1, "statuses": [502]})
        edge = c.get("/v1/users/me")
        assert (
            edge.status_code == 502 and "x-notion-request-id" not in edge.headers and "cf-ray" in edge.headers
        )
        assert edge.headers["content-type"].startswith("text/html")
        notion_sim.admin("POST", "/_sim/faults", {"latency_ms": 150, "statuses": [500]})
        started = time.monotonic()
        assert c.get("/v1/users/me").status_code == 200
        assert time.monotonic() - started >= 0.14


def test_max_concurrency_tracks_parallel_requests(notion_sim: NotionSimHandle) -> None:
    notion_sim.admin("POST", "/_sim/faults", {"latency_ms": 200})

    def call() -> None:
        with notion_http(notion_sim) as c:
            c.get("/v1/users/me")

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert notion_sim.stats()["max_concurrency"] >= 3


def test_admin_info_and_page_listing(notion_sim: NotionSimHandle) -> None:
    info = httpx.get(f"{notion_sim.url}/_sim/info").json()
    assert info["token"] == notion_sim.token and info["client_id"] == notion_sim.client_id
    listing = httpx.get(f"{notion_sim.url}/_sim/pages").json()
    visible = [p for p in listing["pages"] if p["visible"]]
    assert visible and any(not p["visible"] for p in listing["pages"])
    assert (
        notion_sim.admin("PATCH", "/_sim/pages/00000000000040008000000000000000", {"title": "x"}).status_code
        == 404
    )


def test_search_index_lag_and_cursor_ttl(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(search_index_lag_seconds=300, cursor_ttl_seconds=60)
    pid = sim.admin("POST", "/_sim/pages", {"title": "Laggard Okapi", "paragraphs": []}).json()["id"]
    with notion_http(sim) as c:
        assert c.post("/v1/search", json={"query": "okapi"}).json()["results"] == []
        assert c.get(f"/v1/pages/{pid}").status_code == 200  # readable by id meanwhile
        cursor = c.post("/v1/search", json={"page_size": 1}).json()["next_cursor"]
        sim.admin("POST", "/_sim/clock", {"advance_seconds": 301})
        assert [r["id"] for r in c.post("/v1/search", json={"query": "okapi"}).json()["results"]] == [pid]
        stale = c.post("/v1/search", json={"page_size": 1, "start_cursor": cursor})
        assert stale.status_code == 400 and "start_cursor provided is invalid" in stale.json()["message"]
