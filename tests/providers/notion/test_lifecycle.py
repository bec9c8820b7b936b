"""ID listings, trash, unsharing, per-item failures, and surviving 429s, 5xx and a 401."""

from __future__ import annotations

import pytest

from breadbox.providers.base import CredentialError
from breadbox.providers.notion import NotionCheckpoint
from breadbox.providers.ratelimit import RateLimiter
from tests.plugins.notion_sim import NotionSimFactory

from .helpers import connector, endpoints, full_window, reset_stats, run, visible


async def test_list_ids_full_and_search_only(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(pages=30, seed=8)
    ws = sim.state.ws
    loaded = await run(first := connector(sim))
    await first.aclose()
    conn = connector(sim)  # a fresh instance has no load to answer from: it walks
    full = await conn.list_ids(full=True)
    assert full.ids == {d.source_id for d in loaded.documents}
    assert full.covers == {"search", "traversal"}
    reset_stats(sim)
    cheap = await conn.list_ids(full=False)
    await conn.aclose()
    assert cheap.covers == {"search"}
    shared = {p for p in ws.top_level if p in ws.pages and ws.pages[p].shared and not ws.pages[p].in_trash}
    sources = set(ws.data_sources) - {
        s.id for s in ws.data_sources.values() if not ws.databases[s.database_id].shared
    }
    assert cheap.ids == shared | sources
    assert cheap.ids <= full.ids
    assert endpoints(sim) == {"POST /v1/search": 1}
    found_by_search = {d.source_id for d in loaded.documents if d.discovered_by == "search"}
    assert found_by_search == cheap.ids  # the cheap listing judges exactly what search found


async def test_trashed_and_unshared_pages_leave(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(pages=30, seed=8)
    ws = sim.state.ws
    before = visible(sim)
    top = [pid for pid in ws.top_level if pid in before]
    child = next(p for p in before.values() if p["parent_type"] == "page_id")
    trashed, unshared = top[3], top[4]
    sim.admin("DELETE", f"/_sim/pages/{trashed}")
    sim.admin("DELETE", f"/_sim/pages/{child['id']}")
    sim.admin("POST", f"/_sim/pages/{unshared}/unshare")
    conn = connector(sim)
    result = await run(conn)
    cheap = await conn.list_ids(full=False)
    full = await conn.list_ids(full=True)
    await conn.aclose()
    ids = {d.source_id for d in result.documents}
    for gone in (trashed, unshared, child["id"]):
        assert gone not in ids and gone not in cheap.ids and gone not in full.ids
    assert child["id"] in result.deleted  # found by traversal with `in_trash`: reported
    assert {p for p in visible(sim)} <= ids


async def test_a_page_gone_mid_run_is_an_item_failure(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(pages=20, seed=1)
    conn = connector(sim, batch_size=3)
    window = full_window()
    batch = await conn.load(NotionCheckpoint(), window)
    assert conn._search_cache is not None
    pending = [r["id"] for r in conn._search_cache[1]["results"][3:] if r["object"] == "page"]
    sim.admin("DELETE", f"/_sim/pages/{pending[0]}?permanent=1")
    failures = []
    while not batch.done:
        batch = await conn.load(batch.checkpoint, window)
        failures += batch.failures
    await conn.aclose()
    assert [f.source_id for f in failures] == [pending[0]]
    assert not failures[0].retryable


async def test_429_storm_completes(notion_sim_factory: NotionSimFactory) -> None:
    # Five 429s in a row, each with Retry-After: 1, on top of the simulator's own token bucket.
    sim = notion_sim_factory(pages=5, seed=6, rate_limit_rps=50.0, burst=5)
    sim.admin("POST", "/_sim/faults", {"fail_next": 5, "statuses": [429]})
    result = await run(conn := connector(sim, limiter=RateLimiter(rate=60.0, burst=6), concurrency=4))
    await conn.aclose()
    stats = sim.stats()
    assert stats["faults_injected"] == 5
    assert {d.source_id for d in result.documents} >= set(visible(sim))
    assert result.requests == stats["requests"]["total"]  # retries are counted too


async def test_5xx_burst_completes(notion_sim: NotionSimFactory) -> None:
    sim = notion_sim
    sim.admin("POST", "/_sim/faults", {"fail_next": 5, "statuses": [500, 502, 503, 504]})
    result = await run(conn := connector(sim))
    await conn.aclose()
    assert sim.stats()["faults_injected"] == 5
    assert {d.source_id for d in result.documents} >= set(visible(sim))


async def test_401_refreshes_the_token_once(notion_sim: NotionSimFactory) -> None:
    sim = notion_sim
    calls = {"refresh": 0}

    async def get_token(force_refresh: bool) -> str:
        if force_refresh:
            calls["refresh"] += 1
        return sim.token if calls["refresh"] else "ntn_expired"

    result = await run(conn := connector(sim, token=get_token))
    await conn.aclose()
    assert calls["refresh"] == 1
    assert {d.source_id for d in result.documents} >= set(visible(sim))

    async def revoked(force_refresh: bool) -> str:
        return "ntn_revoked"

    conn = connector(sim, token=revoked)
    with pytest.raises(CredentialError):
        await conn.load(NotionCheckpoint(), full_window())
    await conn.aclose()
