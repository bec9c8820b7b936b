"""Fidelity: the official-ish `notion-client` SDK walks a whole simulated workspace without errors,
plus generator properties benchmarks rely on (determinism, speed)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from notion_client import APIResponseError, Client
from notion_client.helpers import collect_paginated_api, is_full_block, is_full_page

from breadbox.simulators.notion import NotionSimConfig
from breadbox.simulators.notion.generator import generate
from tests.plugins.notion_sim import NotionSimFactory


def walk(client: Client) -> dict[str, Any]:
    """Search, then recurse through block children, child pages and child databases, as a connector would."""
    found = collect_paginated_api(client.search, page_size=100)
    pages = {r["id"] for r in found if r["object"] == "page"}
    sources = {r["id"] for r in found if r["object"] == "data_source"}
    blocks: list[dict[str, Any]] = []
    queue, done = list(pages), set()
    while queue or sources:
        while sources:
            source_id = sources.pop()
            client.data_sources.retrieve(data_source_id=source_id)
            for row in collect_paginated_api(client.data_sources.query, data_source_id=source_id):
                assert is_full_page(row)
                if row["id"] not in pages:
                    pages.add(row["id"])
                    queue.append(row["id"])
        if not queue:
            break
        page_id = queue.pop()
        if page_id in done:
            continue
        done.add(page_id)
        page = client.pages.retrieve(page_id=page_id)
        assert is_full_page(page)
        stack = [page_id]
        while stack:
            for block in collect_paginated_api(
                client.blocks.children.list, block_id=stack.pop(), page_size=50
            ):
                assert is_full_block(block)
                blocks.append(block)
                if block["type"] == "child_page" and block["id"] not in pages:
                    pages.add(block["id"])
                    queue.append(block["id"])
                elif block["type"] == "child_database":
                    db = client.databases.retrieve(database_id=block["id"])
                    sources.update(s["id"] for s in db["data_sources"])
                elif block["has_children"]:
                    stack.append(block["id"])
        client.comments.list(block_id=page_id)
    return {"pages": pages, "blocks": blocks}


def test_sdk_walks_the_whole_workspace(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(pages=30, seed=11)
    client = Client(auth=sim.token, base_url=sim.url, notion_version="2025-09-03")
    client.users.me()
    result = walk(client)
    ws = sim.state.ws
    reachable = {p.id for p in ws.pages.values() if ws.visible(p) and not ws.trashed(p)}
    assert reachable <= result["pages"]  # traversal finds what search alone misses
    assert {b["type"] for b in result["blocks"]} >= {"table_row", "column", "synced_block", "child_database"}
    md = client.pages.retrieve_markdown(page_id=next(iter(reachable)))
    assert md["object"] == "page_markdown"
    stats = sim.stats()
    assert stats["requests"]["by_endpoint"]["POST /v1/data_sources/{id}/query"] >= 3


def test_sdk_sees_api_errors_with_codes(notion_sim: Any) -> None:
    client = Client(auth=notion_sim.token, base_url=notion_sim.url, retry=False)
    with pytest.raises(APIResponseError) as info:
        client.pages.retrieve(page_id="00000000-0000-4000-8000-000000000000")
    assert info.value.code == "object_not_found" and info.value.status == 404
    bad = Client(auth="ntn_nope", base_url=notion_sim.url, retry=False)
    with pytest.raises(APIResponseError) as info:
        bad.users.me()
    assert info.value.code == "unauthorized"


def test_sdk_retries_a_rate_limit(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(rate_limit_rps=1000, burst=1)
    sim.admin("POST", "/_sim/faults", {"fail_next": 1, "statuses": [429]})
    client = Client(auth=sim.token, base_url=sim.url)
    assert client.users.me()["type"] == "bot"
    assert sim.stats()["rate_limited"] == 1


def test_old_version_walk_through_database_query(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(pages=10, multi_source_database=False)
    client = Client(auth=sim.token, base_url=sim.url, notion_version="2022-06-28")
    found = collect_paginated_api(client.search, filter={"property": "object", "value": "database"})
    assert found and all(d["object"] == "database" and "properties" in d for d in found)
    rows = client.request(path=f"databases/{found[0]['id']}/query", method="POST", body={"page_size": 100})
    assert rows["results"] and rows["results"][0]["parent"]["type"] == "database_id"


def test_generation_is_deterministic_and_fast() -> None:
    a = generate(NotionSimConfig(pages=60, seed=7))
    b = generate(NotionSimConfig(pages=60, seed=7))
    c = generate(NotionSimConfig(pages=60, seed=8))
    assert [(p.id, p.title) for p in a.pages.values()] == [(p.id, p.title) for p in b.pages.values()]
    assert list(a.blocks) == list(b.blocks) and list(a.pages) != list(c.pages)
    started = time.perf_counter()
    big = generate(NotionSimConfig(pages=1000))
    assert time.perf_counter() - started < 1.5
    regular = [p for p in big.pages.values() if p.parent_type != "data_source_id"]
    nested = [p for p in regular if p.parent_type != "workspace"]
    assert 1000 <= len(regular) <= 1010 and 0.05 < len(nested) / len(regular) < 0.2
