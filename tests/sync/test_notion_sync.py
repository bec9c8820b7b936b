"""The engine and the Notion connector end to end: real app, real runner, real simulator."""

from __future__ import annotations

import time

import httpx


def pages_of(sim) -> list[dict]:
    return httpx.get(f"{sim.url}/_sim/pages").json()["pages"]


def advance(sim, seconds: float = 120) -> None:
    """Move the simulator's clock so edits get later, minute-floored timestamps."""
    sim.admin("POST", "/_sim/clock", {"advance_seconds": seconds}).raise_for_status()


def test_end_to_end_sync_edit_trash_unshare(sync_env_factory, notion_sim_factory):
    sim = notion_sim_factory(pages=30)
    env = sync_env_factory(notion=sim)
    store = env.store()
    ds = env.notion_source()
    page = sim.admin(
        "POST",
        "/_sim/pages",
        {"title": "Quokka handbook", "paragraphs": ["Quokkas eat zorblaxian marigolds at dawn."]},
    ).json()
    c = env.connector(ds, store, polling_interval="1h")
    done = env.wait(c)
    assert done["status"] == "completed", done
    assert done["last_synced_at"] and done["finished_at"] and done["error"] is None
    first = env.runs(c)[0]["counters"]
    assert first["created"] > 0 and first["failed"] == 0

    hits = env.search(store, "zorblaxian")
    assert hits and "zorblaxian" in hits[0]["text"].lower()
    assert hits[0]["metadata"]["source"] == "notion" and hits[0]["metadata"]["title"] == "Quokka handbook"
    assert (
        hits[0]["metadata"]["connector_id"] == c["id"] and hits[0]["metadata"]["data_source_id"] == ds["id"]
    )

    visible = {p["id"] for p in pages_of(sim) if p["visible"] and not p["in_trash"]}
    synced = {f["metadata"]["source_id"] for f in env.files(store)}
    assert visible <= synced, f"pages missing from the store: {visible - synced}"

    # An edit at the source: the next sync updates exactly that file.
    advance(sim)
    sim.admin(
        "PATCH", f"/_sim/pages/{page['id']}", {"paragraphs": ["Quokkas now prefer quibbleflux crocus."]}
    ).raise_for_status()
    env.sync(c)
    env.wait(c, runs=2)
    second = env.runs(c)[0]["counters"]
    assert second["updated"] == 1 and second["created"] == 0 and second["deleted"] == 0, second
    assert env.search(store, "quibbleflux")
    assert not env.search(store, "zorblaxian")

    # Trash one page and unshare another: both leave the store on the next sync.
    victim = next(p for p in pages_of(sim) if p["visible"] and p["directly_shared"] and p["id"] != page["id"])
    advance(sim)
    sim.admin("DELETE", f"/_sim/pages/{page['id']}").raise_for_status()
    sim.admin("POST", f"/_sim/pages/{victim['id']}/unshare").raise_for_status()
    env.sync(c)
    env.wait(c, runs=3)
    third = env.runs(c)[0]
    assert third["status"] == "completed" and third["counters"]["deleted"] >= 2, third
    remaining = {f["metadata"]["source_id"] for f in env.files(store)}
    assert page["id"] not in remaining and victim["id"] not in remaining
    assert not env.search(store, "quibbleflux")


def test_structures_arrive_whole(sync_env_factory, notion_sim_factory):
    sim = notion_sim_factory(pages=30)
    env = sync_env_factory(notion=sim)
    store = env.store()
    c = env.connector(env.notion_source(), store)
    assert env.wait(c)["status"] == "completed"
    files = env.files(store)
    kinds = {f["metadata"]["kind"] for f in files}
    assert "database_row" in kinds, kinds
    summary = {p["id"]: p for p in pages_of(sim)}
    nested = [
        p for p in summary.values() if p["parent_type"] == "page_id" and p["visible"] and not p["in_trash"]
    ]
    synced = {f["metadata"]["source_id"] for f in files}
    assert nested and all(p["id"] in synced for p in nested), "child pages reached only by traversal arrive"
    rows = [p for p in summary.values() if p["is_row"] and p["visible"] and not p["in_trash"]]
    assert rows and all(p["id"] in synced for p in rows)
    contents = [env.client.get(f"/v1/files/{f['id']}/content").text for f in files]
    assert any("| " in text and "---" in text for text in contents), "a table renders as a Markdown table"
    assert not any("X-Amz-Signature" in text or "Expires=" in text for text in contents), "no expiring URLs"


def test_incremental_cost_five_of_many(sync_env_factory, notion_sim_factory):
    sim = notion_sim_factory(pages=120, child_page_ratio=0.0, database_rows=8)
    env = sync_env_factory(notion=sim)
    store = env.store()
    c = env.connector(env.notion_source(), store, polling_interval="1h")
    assert env.wait(c, timeout=120)["status"] == "completed"
    top = [
        p
        for p in pages_of(sim)
        if p["directly_shared"] and p["visible"] and not p["in_trash"] and not p["is_row"]
    ]
    advance(sim)
    for p in top[:5]:
        sim.admin(
            "PATCH", f"/_sim/pages/{p['id']}", {"paragraphs": [f"Changed text for {p['id']}"]}
        ).raise_for_status()
    sim.admin("POST", "/_sim/reset-stats").raise_for_status()
    env.sync(c)
    env.wait(c, runs=2)
    run = env.runs(c)[0]
    assert run["counters"]["updated"] == 5 and run["counters"]["created"] == 0, run["counters"]
    stats = sim.stats()["requests"]
    searchable = len(top) + 2  # pages plus databases search returns
    listing = -(-searchable // 100)  # ID-only search pages of 100
    # The five changed pages need their blocks; the window search costs about one page.
    assert stats["total"] <= 5 * 2 + 2 * listing + 2, stats
    assert run["counters"]["provider_requests"] <= stats["total"]


def test_mass_deletion_blocked_until_forced(sync_env_factory, notion_sim_factory):
    sim = notion_sim_factory(pages=20, child_page_ratio=0.0, database_rows=2, multi_source_database=False)
    env = sync_env_factory(notion=sim)
    store = env.store()
    c = env.connector(env.notion_source(), store, polling_interval="1h")
    assert env.wait(c)["status"] == "completed"
    before = len(env.files(store))
    shared = [p for p in pages_of(sim) if p["directly_shared"] and p["visible"] and not p["is_row"]]
    for p in shared:
        sim.admin("POST", f"/_sim/pages/{p['id']}/unshare").raise_for_status()
    assert len(shared) > before / 2, "the test must ask for a mass deletion"
    env.sync(c)
    blocked = env.wait(c, runs=2)
    assert blocked["status"] == "failed" and blocked["error"]["type"] == "mass_deletion_blocked", blocked
    assert len(env.files(store)) == before, "a blocked pass deletes nothing"
    env.sync(c, force=True)
    forced = env.wait(c, runs=3)
    assert forced["status"] == "completed", forced
    assert len(env.files(store)) < before


def test_cancel_mid_sync_and_delete_removes_files(sync_env_factory, notion_sim_factory):
    sim = notion_sim_factory(pages=60)
    sim.admin("POST", "/_sim/faults", {"latency_ms": 150}).raise_for_status()
    env = sync_env_factory(notion=sim)
    store = env.store()
    c = env.connector(env.notion_source(), store)
    deadline = time.monotonic() + 20
    while env.get_connector(c)["status"] != "in_progress" and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    r = env.client.post(f"/v1/data_sources/{c['data_source_id']}/connectors/{c['id']}/cancel")
    assert r.status_code == 200
    final = env.wait(c, timeout=10)
    assert final["status"] == "cancelled" and time.monotonic() - started < 5
    assert env.runs(c)[0]["status"] == "cancelled"

    # Deleting the connector removes the files it created.
    sim.admin("POST", "/_sim/faults", {"latency_ms": 0}).raise_for_status()
    env.sync(c)
    assert env.wait(c, runs=2)["status"] == "completed"
    assert env.files(store)
    env.client.delete(f"/v1/data_sources/{c['data_source_id']}/connectors/{c['id']}").raise_for_status()
    assert env.files(store) == []


def test_rate_limit_storms_and_5xx_bursts_complete(sync_env_factory, notion_sim_factory):
    sim = notion_sim_factory(pages=25, rate_limit_rps=20.0, burst=5)
    sim.admin(
        "POST", "/_sim/faults", {"error_rate": 0.15, "statuses": [429, 500, 503, 529], "seed": 7}
    ).raise_for_status()
    env = sync_env_factory(notion=sim, notion_rate_limit=0.0)
    store = env.store()
    c = env.connector(env.notion_source(), store)
    done = env.wait(c, timeout=120)
    assert done["status"] == "completed", done
    stats = sim.stats()
    assert stats["faults_injected"] > 0 or stats["rate_limited"] > 0
    visible = {p["id"] for p in pages_of(sim) if p["visible"] and not p["in_trash"]}
    assert visible <= {f["metadata"]["source_id"] for f in env.files(store)}


def test_two_connectors_share_one_credential_limit(sync_env_factory, notion_sim_factory):
    sim = notion_sim_factory(pages=15, rate_limit_rps=10.0, burst=3)
    env = sync_env_factory(notion=sim, notion_rate_limit=8.0, notion_rate_burst=2.0)
    ds = env.notion_source()
    one, two = env.store("one"), env.store("two")
    c1 = env.connector(ds, one)
    c2 = env.connector(ds, two)
    assert env.wait(c1, timeout=120)["status"] == "completed"
    assert env.wait(c2, timeout=120)["status"] == "completed"
    stats = sim.stats()
    assert stats["rate_limited"] == 0, "one shared limiter keeps both connectors under the limit"
    assert stats[f"max_requests_in_any_1s_window:{sim.token}"] <= 10


def test_expired_token_mid_sync_is_refreshed_once(sync_env_factory, notion_sim_factory):
    sim = notion_sim_factory(pages=30, child_page_ratio=0.0, oauth_access_token_ttl=3600)
    env = sync_env_factory(notion=sim)
    store = env.store()
    ds = env.oauth_source("notion")
    sim.admin("POST", "/_sim/faults", {"latency_ms": 40}).raise_for_status()
    c = env.connector(ds, store)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        runs = env.runs(c)
        if runs and runs[0]["status"] == "in_progress" and runs[0]["counters"]["fetched"] >= 3:
            break
        time.sleep(0.05)
    # The hour passes in the middle of the run: the access token expires under it.
    sim.admin("POST", "/_sim/clock", {"advance_seconds": 3700}).raise_for_status()
    done = env.wait(c, timeout=120)
    assert done["status"] == "completed", done
    assert sim.stats()["token_refreshes"] == 1
    visible = {p["id"] for p in pages_of(sim) if p["visible"] and not p["in_trash"]}
    assert visible <= {f["metadata"]["source_id"] for f in env.files(store)}
