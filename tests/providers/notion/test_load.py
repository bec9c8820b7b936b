"""Full and incremental loads against the simulator over real HTTP: coverage, rendering, cost."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from breadbox.providers.base import SyncWindow
from breadbox.providers.notion import NotionConnector
from breadbox.simulators.notion.model import Comment, Span
from tests.plugins.notion_sim import NotionSimFactory

from .helpers import SIGNED, connector, endpoints, reset_stats, run, visible


async def test_full_load_yields_every_reachable_page_once(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(pages=40, seed=3)
    conn = connector(sim, batch_size=10)
    result = await run(conn)
    await conn.aclose()
    ids = [doc.source_id for doc in result.documents]
    assert len(ids) == len(set(ids)), "nothing duplicated"
    pages = {doc.source_id: doc for doc in result.documents if doc.kind != "database"}
    want = visible(sim)
    assert set(pages) == set(want)  # nested child pages, rows of top-level and inline databases
    assert not result.failures and result.batches >= len(ids) // 10
    for doc in result.documents:
        assert not SIGNED.search(doc.content), doc.content
        assert doc.content.startswith(f"# {doc.title[:10]}") or doc.kind == "database"
    kinds = {doc.kind for doc in result.documents}
    assert kinds == {"page", "database_row", "database"}
    ws = sim.state.ws
    nested = [p for p in want.values() if p["parent_type"] in ("page_id", "block_id")]
    assert nested and all(pages[p["id"]].discovered_by == "traversal" for p in nested)
    inline_rows = [p for p in want.values() if p["is_row"] and not ws.pages[p["id"]].shared]
    assert inline_rows and all(pages[p["id"]].kind == "database_row" for p in inline_rows)
    row = pages[inline_rows[0]["id"]]
    assert "- **Status:** " in row.content and row.metadata["properties"]["Status"]
    assert row.metadata["database_id"] and row.updated_at is not None
    assert {d.title for d in result.documents if d.kind == "database"} >= {"Tasks", "Sprint Board"}


async def test_first_page_renders_every_block_type(notion_sim: NotionSimFactory) -> None:
    sim = notion_sim
    first = sim.state.ws.top_level[0]
    docs = (await run(conn := connector(sim))).by_id()
    await conn.aclose()
    text = docs[first].content
    for fragment in (
        "| Item | Owner | Amount |\n|---|---|---|",  # table with header row
        "```",  # code with a language
        "$$\nE = mc^2",  # block equation
        "$a^2+b^2=c^2$",  # inline equation
        "> ",  # quote / callout
        "- [x] ",  # to-do
        "1. ",  # numbered list
        "\n---\n",  # divider
        "ask @",  # user mention through plain text
        "2026-05-01",  # date mention
        "[PDF: spec.pdf](https://example.com/spec.pdf)",  # external media keep their URL
        "[Image: ",  # hosted media link to Notion, not the signed URL
        "](https://example.com/",  # bookmark, fetched through the blocks API and spliced in
        "[Linked page](https://www.notion.so/",
    ):
        assert fragment in text, fragment
    assert "<" not in text.replace("<br>", ""), "no enhanced-markdown tags left"
    ws = sim.state.ws
    synced = next(ws.blocks[b] for b in ws.pages[first].children if ws.blocks[b].type == "synced_block")
    for child in synced.children:  # the synced original's content, and its duplicate elsewhere
        sentence = "".join(s.text for s in ws.blocks[child].rich).strip()
        assert sentence[:30] in text
        assert sum(sentence[:30] in d.content for d in docs.values()) == 2


async def test_markdown_and_block_paths_render_alike(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(pages=25, seed=5)
    via_markdown = (await run(a := connector(sim))).by_id()
    via_blocks = (await run(b := connector(sim, use_markdown=False))).by_id()
    await a.aclose()
    await b.aclose()
    assert via_markdown.keys() == via_blocks.keys()
    differ = 0
    for key, doc in via_markdown.items():
        other = via_blocks[key].content.strip()
        # The markdown endpoint drops code captions and does not say which block a hosted file is.
        other = "\n\n".join(p for p in other.split("\n\n") if not re.fullmatch(r"\*\w+ snippet\*", p))
        other = re.sub(r"(\]\(https://www\.notion\.so/[0-9a-f]{32})#[0-9a-f]{32}\)", r"\1)", other)
        differ += doc.content.strip() != other
    assert differ == 0


async def test_truncated_markdown_falls_back_to_blocks(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(pages=6, seed=2, markdown_block_limit=3)
    docs = (await run(conn := connector(sim))).by_id()
    await conn.aclose()
    assert "| Item | Owner | Amount |" in docs[sim.state.ws.top_level[0]].content
    assert endpoints(sim).get("GET /v1/blocks/{id}/children", 0) > 5


async def test_incremental_loads_only_changed_pages_at_minimum_cost(
    notion_sim_factory: NotionSimFactory,
) -> None:
    sim = notion_sim_factory(pages=500, seed=7)
    ws = sim.state.ws
    sim.admin("POST", "/_sim/clock", {"advance_seconds": 400 * 86400})
    leaves = [
        pid
        for pid in ws.top_level
        if pid in ws.pages
        and not ws.pages[pid].in_trash
        and not any(ws.blocks[c].type in ("child_page", "child_database") for c in ws.pages[pid].children)
    ]
    changed = leaves[10:15]
    for pid in changed:
        assert sim.admin("PATCH", f"/_sim/pages/{pid}", {"paragraphs": [f"edited {pid}"]}).status_code == 200
    edited_at = datetime.fromisoformat(
        sim.admin("GET", f"/_sim/pages/{changed[0]}").json()["last_edited_time"]
    )
    reset_stats(sim)
    conn = connector(sim)
    since = edited_at - timedelta(seconds=NotionConnector.overlap_seconds)  # what the engine passes
    result = await run(
        conn, SyncWindow(since=since, until=datetime.now(UTC) + timedelta(days=400), full=False)
    )
    assert sorted(d.source_id for d in result.documents) == sorted(changed)
    assert all(f"edited {d.source_id}" in d.content for d in result.documents)
    assert endpoints(sim) == {
        "POST /v1/search": 2,  # one page of pages (stops at the first older one) + the data sources
        "POST /v1/data_sources/{id}/query": 3,  # Tasks and both Roadmap sources, filtered by time
        "GET /v1/pages/{id}/markdown": 5,
    }
    assert result.requests == 10
    reset_stats(sim)
    listing = await conn.list_ids(full=False)
    shared = sum(1 for pid in ws.top_level if pid in ws.pages and not ws.pages[pid].in_trash)
    assert endpoints(sim) == {"POST /v1/search": (shared + 3 + 99) // 100}
    assert set(changed) <= listing.ids and listing.covers == {"search"}
    await conn.aclose()


async def test_comments_arrive_whole_past_fifty(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(pages=8, seed=4)
    ws = sim.state.ws
    target = ws.top_level[0]
    # No admin route creates comments, so this test adds them to the simulator's state directly.
    for n in range(120):
        ws.comments.setdefault(target, []).append(
            Comment(
                ws.new_id(),
                ws.new_id(),
                "page_id",
                target,
                1767225600.0 + n,
                ws.people[0].id,
                [Span(f"comment number {n}")],
            )
        )
    docs = (await run(conn := connector(sim, include_comments=True))).by_id()
    await conn.aclose()
    text = docs[target].content
    assert "## Comments" in text
    assert all(f"comment number {n}" in text for n in range(120))
    assert text.count("- **Ada Lovelace** (") >= 120
    assert endpoints(sim)["GET /v1/comments"] >= len(docs) - 5 + 1  # pages and rows, plus a second page


async def test_rows_past_the_query_cap_are_all_loaded(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(
        pages=4, seed=9, database_rows=130, query_row_cap=50, multi_source_database=False
    )
    result = await run(conn := connector(sim))
    await conn.aclose()
    ids = [d.source_id for d in result.documents]
    assert len(ids) == len(set(ids))
    tasks = next(s for s in sim.state.ws.data_sources.values() if s.name == "Tasks")
    assert set(tasks.rows) <= set(ids)
    assert endpoints(sim)["POST /v1/data_sources/{id}/query"] >= 3


@pytest.mark.parametrize("pages", [1000])
async def test_requests_per_page_on_a_1000_page_workspace(
    notion_sim_factory: NotionSimFactory, pages: int
) -> None:
    sim = notion_sim_factory(pages=pages, seed=0)
    result = await run(conn := connector(sim))
    listing = await conn.list_ids(full=True)  # answered from the load: no requests
    await conn.aclose()
    total = sim.stats()["requests"]["total"]
    assert total == result.requests
    per_document = total / len(result.documents)
    print(f"\n{total} requests for {len(result.documents)} documents: {per_document:.3f} per document")
    assert per_document <= 1.2
    assert listing.ids == {d.source_id for d in result.documents}
