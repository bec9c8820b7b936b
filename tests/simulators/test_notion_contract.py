"""Contract tests of the Notion simulator's read endpoints against notion.md (sections 1-4, 6, 7b)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from breadbox.simulators.notion import NotionSimHandle
from tests.plugins.notion_sim import NotionSimFactory, notion_http

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def assert_error(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["object"] == "error" and body["status"] == status and body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert body["request_id"] == resp.headers["x-notion-request-id"]
    return body


def search_all(client: httpx.Client, **body: Any) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        payload = {**body, **({"start_cursor": cursor} if cursor else {})}
        data = client.post("/v1/search", json=payload).json()
        results += data["results"]
        if not data["has_more"]:
            assert data["next_cursor"] is None
            return results
        cursor = data["next_cursor"]
    raise AssertionError("search never ended")


def first_page(sim: NotionSimHandle) -> str:
    """The generated page that carries every block type."""
    return next(pid for pid in sim.state.ws.top_level if pid in sim.state.ws.pages)


def test_users_me_is_the_bot_with_workspace(notion_sim: NotionSimHandle) -> None:
    with notion_http(notion_sim) as c:
        resp = c.get("/v1/users/me")
    body = resp.json()
    assert resp.status_code == 200 and body["object"] == "user" and body["type"] == "bot"
    assert body["bot"]["workspace_id"] == notion_sim.state.ws.id
    assert body["bot"]["owner"] == {"type": "workspace", "workspace": True}
    assert body["request_id"] == resp.headers["x-notion-request-id"]


def test_missing_version_unknown_token_and_bad_urls(notion_sim: NotionSimHandle) -> None:
    with notion_http(notion_sim, version=None) as c:
        assert_error(c.get("/v1/users/me"), 400, "missing_version")
    with notion_http(notion_sim, token="ntn_wrong") as c:
        assert_error(c.get("/v1/users/me"), 401, "unauthorized")
        assert_error(c.get("/v1/nothing/here"), 400, "invalid_request_url")
    with notion_http(notion_sim) as c:
        assert_error(c.delete("/v1/search"), 400, "invalid_request")
        assert_error(
            c.post("/v1/search", content=b"{not json", headers={"content-type": "application/json"}),
            400,
            "invalid_json",
        )
        assert_error(c.get("/v1/pages/not-a-uuid"), 400, "validation_error")


def test_search_paginates_to_the_end_with_opaque_cursors(notion_sim: NotionSimHandle) -> None:
    with notion_http(notion_sim) as c:
        first = c.post("/v1/search", json={"page_size": 7}).json()
        assert first["object"] == "list" and first["type"] == "page_or_data_source"
        assert first["page_or_data_source"] == {} and len(first["results"]) == 7 and first["has_more"]
        assert not UUID.match(first["next_cursor"]) and first["next_cursor"]
        everything = search_all(c, page_size=7)
    ids = [r["id"] for r in everything]
    assert len(ids) == len(set(ids)) > 7
    kinds = {r["object"] for r in everything}
    assert kinds == {"page", "data_source"}
    stamps = [r["last_edited_time"] for r in everything]
    assert stamps == sorted(stamps, reverse=True)


def test_search_rejects_bad_cursor_page_size_and_filters(notion_sim: NotionSimHandle) -> None:
    with notion_http(notion_sim) as c:
        body = assert_error(c.post("/v1/search", json={"start_cursor": "garbage"}), 400, "validation_error")
        assert "start_cursor provided is invalid" in body["message"]
        assert_error(c.post("/v1/search", json={"start_cursor": None}), 400, "validation_error")
        assert_error(c.post("/v1/search", json={"page_size": 101}), 400, "validation_error")
        assert_error(c.post("/v1/search", json={"page_size": 0}), 400, "validation_error")
        assert_error(
            c.post("/v1/search", json={"filter": {"property": "object", "value": "database"}}),
            400,
            "validation_error",
        )
        assert_error(c.post("/v1/search", json={"bogus": 1}), 400, "validation_error")
        # a cursor from one listing is not valid for another
        cursor = c.post("/v1/search", json={"page_size": 2}).json()["next_cursor"]
        assert_error(
            c.post("/v1/search", json={"page_size": 2, "query": "x", "start_cursor": cursor}),
            400,
            "validation_error",
        )
        page = first_page(notion_sim)
        assert_error(
            c.get(f"/v1/blocks/{page}/children", params={"start_cursor": cursor}), 400, "validation_error"
        )
        assert_error(
            c.get(f"/v1/blocks/{page}/children", params={"page_size": "500"}), 400, "validation_error"
        )


def test_search_by_title_and_object_filter(notion_sim: NotionSimHandle) -> None:
    page = notion_sim.state.ws.pages[first_page(notion_sim)]
    with notion_http(notion_sim) as c:
        hits = search_all(
            c, query=page.title.split()[0].upper(), filter={"property": "object", "value": "page"}
        )
        sources = search_all(c, filter={"property": "object", "value": "data_source"})
    assert page.id in {h["id"] for h in hits}
    assert all(
        h["object"] == "page"
        and page.title.split()[0].lower() in h["properties"]["title"]["title"][0]["plain_text"].lower()
        for h in hits
    )
    assert sources and all(s["object"] == "data_source" for s in sources)


def test_search_misses_ancestor_shared_pages_by_default(notion_sim_factory: NotionSimFactory) -> None:
    hard = notion_sim_factory(pages=40, seed=5)
    easy = notion_sim_factory(pages=40, seed=5, search_misses_ancestor_shared=False)
    ws = hard.state.ws
    nested = {p.id for p in ws.pages.values() if p.parent_type in ("page_id", "block_id") and ws.visible(p)}
    rows = {p.id for p in ws.pages.values() if p.parent_type == "data_source_id" and not ws.trashed(p)}
    assert nested and rows
    with notion_http(hard) as c:
        hard_ids = {r["id"] for r in search_all(c)}
        for pid in list(nested)[:3]:  # still readable by id: only search misses them
            assert c.get(f"/v1/pages/{pid}").status_code == 200
    with notion_http(easy) as c:
        easy_ids = {r["id"] for r in search_all(c)}
    assert not (nested | rows) & hard_ids
    assert nested <= easy_ids and rows <= easy_ids


def test_page_object_shape_and_undashed_ids(notion_sim: NotionSimHandle) -> None:
    pid = first_page(notion_sim)
    with notion_http(notion_sim) as c:
        page = c.get(f"/v1/pages/{pid.replace('-', '')}").json()
    assert page["object"] == "page" and page["id"] == pid
    assert page["parent"] == {"type": "workspace", "workspace": True}
    assert page["properties"]["title"]["type"] == "title"
    assert page["in_trash"] is False and page["archived"] is False
    assert page["url"].endswith(pid.replace("-", ""))
    for stamp in (page["created_time"], page["last_edited_time"]):
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$", stamp), stamp


def test_unshared_and_unknown_ids_are_404(notion_sim: NotionSimHandle) -> None:
    ws = notion_sim.state.ws
    private = next(p for p in ws.pages.values() if not ws.visible(p))
    with notion_http(notion_sim) as c:
        body = assert_error(c.get(f"/v1/pages/{private.id}"), 404, "object_not_found")
        assert "shared with your integration" in body["message"]
        assert_error(c.get(f"/v1/blocks/{private.id}/children"), 404, "object_not_found")
        assert_error(c.get("/v1/pages/00000000-0000-4000-8000-000000000000"), 404, "object_not_found")
        assert_error(c.get("/v1/databases/00000000000040008000000000000000"), 404, "object_not_found")
        assert_error(c.get(f"/v1/comments?block_id={private.id}"), 404, "object_not_found")


def test_trashed_pages_are_readable_but_not_searchable(notion_sim: NotionSimHandle) -> None:
    ws = notion_sim.state.ws
    trashed = next(p for p in ws.pages.values() if p.in_trash)
    with notion_http(notion_sim) as c:
        page = c.get(f"/v1/pages/{trashed.id}").json()
        assert page["in_trash"] is True and page["archived"] is True
        assert trashed.id not in {r["id"] for r in search_all(c)}
        in_trash = search_all(c, filter={"in_trash": True})
    assert trashed.id in {r["id"] for r in in_trash}
    with notion_http(notion_sim, version="2026-03-11") as c:
        assert "archived" not in c.get(f"/v1/pages/{trashed.id}").json()


def walk_blocks(c: httpx.Client, block_id: str, seen: list[dict[str, Any]]) -> None:
    cursor = None
    while True:
        params: dict[str, Any] = {"page_size": 3, **({"start_cursor": cursor} if cursor else {})}
        data = c.get(f"/v1/blocks/{block_id}/children", params=params).json()
        assert data["type"] == "block" and data["block"] == {}
        for block in data["results"]:
            seen.append(block)
            if block["has_children"] and block["type"] not in ("child_page", "child_database"):
                walk_blocks(c, block["id"], seen)
        if not data["has_more"]:
            assert data["next_cursor"] is None
            return
        cursor = data["next_cursor"]


def test_block_tree_has_every_kind_with_nesting(notion_sim: NotionSimHandle) -> None:
    pid = first_page(notion_sim)
    blocks: list[dict[str, Any]] = []
    with notion_http(notion_sim) as c:
        walk_blocks(c, pid, blocks)
        by_type: dict[str, list[dict[str, Any]]] = {}
        for b in blocks:
            by_type.setdefault(b["type"], []).append(b)
        expected = {
            "heading_1",
            "heading_2",
            "paragraph",
            "table",
            "table_row",
            "column_list",
            "column",
            "toggle",
            "code",
            "equation",
            "callout",
            "to_do",
            "image",
            "file",
            "pdf",
            "quote",
            "bookmark",
            "numbered_list_item",
            "link_to_page",
            "divider",
            "synced_block",
        }
        assert expected <= set(by_type), expected - set(by_type)
        table = by_type["table"][0]
        assert table["has_children"] and table["table"]["table_width"] == 3
        assert len(by_type["table_row"][0]["table_row"]["cells"]) == 3
        assert by_type["toggle"][0]["has_children"]
        assert by_type["synced_block"][0]["synced_block"]["synced_from"] is None
        image = by_type["image"][0]["image"]
        assert image["type"] == "file" and image["file"]["expiry_time"].endswith("Z")
        assert by_type["pdf"][0]["pdf"]["type"] == "external"
        mention = next(
            b
            for b in by_type["paragraph"]
            if any(rt["type"] == "mention" for rt in b["paragraph"]["rich_text"])
        )
        kinds = {rt["mention"]["type"] for rt in mention["paragraph"]["rich_text"] if rt["type"] == "mention"}
        assert kinds == {"page", "user", "date"}
        one = c.get(f"/v1/blocks/{table['id']}").json()
        assert one["id"] == table["id"] and one["parent"] == {"type": "page_id", "page_id": pid}
        as_block = c.get(f"/v1/blocks/{pid}").json()
        assert as_block["type"] == "child_page" and as_block["has_children"] is True


def test_synced_duplicate_lists_original_children(notion_sim: NotionSimHandle) -> None:
    ws = notion_sim.state.ws
    dup = next(b for b in ws.blocks.values() if b.type == "synced_block" and b.data.get("synced_from"))
    origin = dup.data["synced_from"]
    with notion_http(notion_sim) as c:
        block = c.get(f"/v1/blocks/{dup.id}").json()
        assert block["synced_block"]["synced_from"] == {"type": "block_id", "block_id": origin}
        assert block["has_children"] is True
        dup_children = [b["id"] for b in c.get(f"/v1/blocks/{dup.id}/children").json()["results"]]
        orig_children = [b["id"] for b in c.get(f"/v1/blocks/{origin}/children").json()["results"]]
    assert dup_children == orig_children and len(dup_children) == 2


def test_child_database_and_data_source_versions(notion_sim: NotionSimHandle) -> None:
    ws = notion_sim.state.ws
    inline = next(d for d in ws.databases.values() if d.is_inline)
    multi = next(d for d in ws.databases.values() if len(d.data_sources) > 1)
    with notion_http(notion_sim) as c:
        block = c.get(f"/v1/blocks/{inline.id}").json()
        assert block["type"] == "child_database" and block["child_database"]["title"] == inline.title
        db = c.get(f"/v1/databases/{inline.id}").json()
        assert "properties" not in db and db["data_sources"][0]["id"] == inline.data_sources[0]
        source = c.get(f"/v1/data_sources/{db['data_sources'][0]['id']}").json()
        assert source["object"] == "data_source" and source["properties"]["Name"]["type"] == "title"
        assert source["parent"] == {"type": "database_id", "database_id": inline.id}
        rows = c.post(f"/v1/data_sources/{source['id']}/query", json={}).json()
        assert rows["type"] == "page_or_data_source" and rows["request_status"] == {"type": "complete"}
        row = rows["results"][0]
        assert row["parent"]["type"] == "data_source_id" and row["parent"]["database_id"] == inline.id
        assert row["properties"]["Status"]["status"]["name"] in ("Not started", "In progress", "Done")
        assert_error(c.post(f"/v1/databases/{inline.id}/query", json={}), 400, "invalid_request_url")
    with notion_http(notion_sim, version="2022-06-28") as c:
        old = c.get(f"/v1/databases/{inline.id}").json()
        assert "data_sources" not in old and old["properties"]["Name"]["type"] == "title"
        rows_old = c.post(f"/v1/databases/{inline.id}/query", json={"page_size": 2}).json()
        assert rows_old["type"] == "page_or_database" and rows_old["has_more"] is True
        assert rows_old["results"][0]["parent"] == {"type": "database_id", "database_id": inline.id}
        assert_error(c.get(f"/v1/databases/{multi.id}"), 400, "validation_error")
        assert_error(c.post(f"/v1/databases/{multi.id}/query", json={}), 400, "validation_error")
        kinds = {r["object"] for r in search_all(c)}
        assert kinds == {"page", "database"}


def test_query_filters_sorts_and_row_cap(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(pages=5, big_database_rows=2500, query_row_cap=120)
    ws = sim.state.ws
    big = next(d for d in ws.databases.values() if d.title == "Event Log").data_sources[0]
    tasks = next(d for d in ws.databases.values() if d.title == "Tasks").data_sources[0]
    with notion_http(sim) as c:
        seen, cursor, last = [], None, {}
        while True:
            last = c.post(
                f"/v1/data_sources/{big}/query",
                json={"page_size": 100, **({"start_cursor": cursor} if cursor else {})},
            ).json()
            seen += last["results"]
            if not last["has_more"]:
                break
            cursor = last["next_cursor"]
        assert len(seen) == 120
        assert last["request_status"] == {
            "type": "incomplete",
            "incomplete_reason": "query_result_limit_reached",
        }
        done = c.post(
            f"/v1/data_sources/{tasks}/query",
            json={"filter": {"property": "Done", "checkbox": {"equals": True}}},
        ).json()["results"]
        assert done and all(r["properties"]["Done"]["checkbox"] for r in done)
        cutoff = sorted(r["last_edited_time"] for r in seen)[60]
        recent = c.post(
            f"/v1/data_sources/{big}/query",
            json={
                "filter": {"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": cutoff}},
                "sorts": [{"timestamp": "last_edited_time", "direction": "descending"}],
            },
        ).json()["results"]
        stamps = [r["last_edited_time"] for r in recent]
        assert stamps and min(stamps) >= cutoff and stamps == sorted(stamps, reverse=True)
        assert_error(
            c.post(
                f"/v1/data_sources/{tasks}/query",
                json={"filter": {"property": "Nope", "checkbox": {"equals": True}}},
            ),
            400,
            "validation_error",
        )


def test_comments_only_unresolved(notion_sim: NotionSimHandle) -> None:
    ws = notion_sim.state.ws
    page_id = next(k for k, v in ws.comments.items() if k in ws.pages and any(cm.resolved for cm in v))
    unresolved = [cm.id for cm in ws.comments[page_id] if not cm.resolved]
    with notion_http(notion_sim) as c:
        data = c.get("/v1/comments", params={"block_id": page_id.replace("-", "")}).json()
        assert data["type"] == "comment" and [cm["id"] for cm in data["results"]] == unresolved
        assert data["results"][0]["parent"] == {"type": "page_id", "page_id": page_id}
        assert data["results"][0]["discussion_id"]
        assert_error(c.get("/v1/comments"), 400, "validation_error")


def test_markdown_endpoint(notion_sim: NotionSimHandle) -> None:
    pid = first_page(notion_sim)
    ws = notion_sim.state.ws
    bookmark = next(b for b in ws.children_of(pid) if ws.blocks[b].type == "bookmark")
    with notion_http(notion_sim) as c:
        md = c.get(f"/v1/pages/{pid}/markdown").json()
    assert md["object"] == "page_markdown" and md["id"] == pid and md["truncated"] is False
    text = md["markdown"]
    assert text.startswith("# " + ws.pages[pid].title)
    for marker in ("<table", "<columns>", "<details>", "```", "$$", "<callout", "- [", "<synced_block", "!["):
        assert marker in text, marker
    assert bookmark in md["unknown_block_ids"] and "<unknown" in text


def test_markdown_truncates(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(pages=3, markdown_block_limit=5)
    pid = next(p for p in sim.state.ws.top_level if p in sim.state.ws.pages)
    with notion_http(sim) as c:
        md = c.get(f"/v1/pages/{pid}/markdown").json()
    assert md["truncated"] is True and len(md["unknown_block_ids"]) > 3


def test_file_urls_expire_with_the_simulated_clock(notion_sim: NotionSimHandle) -> None:
    ws = notion_sim.state.ws
    image = next(b for b in ws.blocks.values() if b.type == "image")
    with notion_http(notion_sim) as c:
        url = c.get(f"/v1/blocks/{image.id}").json()["image"]["file"]["url"]
        assert httpx.get(url).status_code == 200
        assert httpx.get(url.replace("sig=", "sig=0")).status_code == 403
        notion_sim.admin("POST", "/_sim/clock", {"advance_seconds": 3601})
        expired = httpx.get(url)
        assert expired.status_code == 403 and "expired" in expired.text
        fresh = c.get(f"/v1/blocks/{image.id}").json()["image"]["file"]["url"]
        assert fresh != url and httpx.get(fresh).status_code == 200
