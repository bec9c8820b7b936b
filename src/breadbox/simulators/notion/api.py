"""The `/v1/` read endpoints. Each handler gets a `Ctx` (already authenticated, version known)
and returns a JSON-able dict; `app.py` adds `request_id` and the headers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from .blocks import Render, block_json
from .config import NEW_VERSION
from .errors import NotionError, not_found, validation
from .markdown import page_markdown
from .model import Block, Page, dashed
from .oauth import TokenInfo, read_json
from .objects import bot_json, comment_json, data_source_json, database_json, page_json, person_json
from .pagination import list_json, paginate
from .query import matches, sort_rows, visible_rows
from .state import NotionSim

SEARCH_KEYS = {"query", "filter", "sort", "start_cursor", "page_size"}
QUERY_KEYS = {"filter", "sorts", "start_cursor", "page_size", "in_trash", "archived", "result_type"}
MULTI_SOURCE = "Databases with multiple data sources are not supported in this API version."


@dataclass
class Ctx:
    sim: NotionSim
    request: Request
    version: str
    token: TokenInfo
    r: Render

    @property
    def old(self) -> bool:
        return self.version < NEW_VERSION

    @property
    def now(self) -> float:
        return self.sim.sim.clock.time()

    def path_id(self, name: str = "id") -> str:
        raw = self.request.path_params[name]
        value = dashed(raw)
        if value is None:
            raise validation(
                f'path failed validation: path.{name} should be a valid uuid, instead was `"{raw}"`.'
            )
        return value

    def list_params(self) -> dict[str, Any]:
        return dict(self.request.query_params)

    def scope(self, kind: str, body: Any = None) -> str:
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:16]
        return f"{kind}|{self.version}|{digest}"


async def users_me(c: Ctx) -> dict[str, Any]:
    ws, t = c.sim.ws, c.token
    return bot_json(t.bot_id, ws.bot.name, ws.id, ws.name, t.owner)


async def users_list(c: Ctx) -> dict[str, Any]:
    people = [person_json(u) for u in c.sim.ws.people]
    chunk, cursor, more = paginate(people, c.list_params(), c.scope("users"), c.sim.cursors, c.now, "query")
    return list_json(chunk, cursor, more, "user")


async def users_get(c: Ctx) -> dict[str, Any]:
    user_id = c.path_id()
    found = next((u for u in c.sim.ws.people if u.id == user_id), None)
    if found is None:
        raise not_found("user", user_id)
    return person_json(found)


async def search(c: Ctx) -> dict[str, Any]:
    body = await read_json(c.request)
    unknown = set(body) - SEARCH_KEYS
    if unknown:
        raise validation(f"body failed validation: body.{sorted(unknown)[0]} should be not present.")
    ws, cfg, now = c.sim.ws, c.sim.config, c.now
    flt = body.get("filter") or {}
    kinds = {"page", "data_source" if not c.old else "database"}
    wanted = flt.get("value") if isinstance(flt, dict) else None
    if wanted is not None and (flt.get("property") != "object" or wanted not in kinds):
        raise validation(
            f"body failed validation: body.filter.value should be `{'` or `'.join(sorted(kinds))}`, "
            f'instead was `"{wanted}"`.'
        )
    in_trash = bool(flt.get("in_trash", False)) if isinstance(flt, dict) else False
    text = str(body.get("query") or "").lower()
    lag_edge = now - cfg.search_index_lag_seconds

    def listed(node: Any) -> bool:
        if not ws.visible(node) or ws.trashed(node) != in_trash:
            return False
        if cfg.search_misses_ancestor_shared and not node.shared:
            return False
        return node.edited <= lag_edge and text in node.title.lower()

    items: list[tuple[float, str, Any]] = []
    if wanted in (None, "page"):
        items += [(p.edited - p.edited % 60, p.id, p) for p in ws.pages.values() if listed(p)]
    if wanted in (None, "data_source", "database"):
        for db in ws.databases.values():
            if listed(db):
                sources = db.data_sources[:1] if c.old else db.data_sources
                items += [(db.edited - db.edited % 60, sid, ws.data_sources[sid]) for sid in sources]
    sort = body.get("sort") or {"timestamp": "last_edited_time", "direction": "descending"}
    if not isinstance(sort, dict) or sort.get("direction") not in ("ascending", "descending"):
        raise validation("body failed validation: body.sort.direction should be `ascending` or `descending`.")
    items.sort(key=lambda item: (item[0], item[1]), reverse=sort["direction"] == "descending")
    scope = c.scope("search", {k: v for k, v in body.items() if k not in ("start_cursor", "page_size")})
    chunk, cursor, more = paginate(items, body, scope, c.sim.cursors, now, "body")
    results = [_search_result(c, obj) for _, _, obj in chunk]
    return list_json(results, cursor, more, "page_or_database" if c.old else "page_or_data_source")


def _search_result(c: Ctx, obj: Any) -> dict[str, Any]:
    if isinstance(obj, Page):
        return page_json(obj, c.r)
    if c.old:
        return database_json(c.sim.ws.databases[obj.database_id], c.r)
    return data_source_json(obj, c.r)


async def pages_get(c: Ctx) -> dict[str, Any]:
    page_id = c.path_id()
    page = c.sim.ws.visible_page(page_id)
    if page is None:
        raise not_found("page", page_id)
    out = page_json(page, c.r)
    wanted = c.request.query_params.getlist("filter_properties")
    if wanted:
        out["properties"] = {k: v for k, v in out["properties"].items() if v["id"] in wanted}
    return out


async def pages_markdown(c: Ctx) -> dict[str, Any]:
    page_id = c.path_id()
    page = c.sim.ws.visible_page(page_id)
    if page is None:
        raise not_found("page", page_id)
    return page_markdown(page, c.r, c.sim.config.markdown_block_limit)


def _block_or_404(c: Ctx, block_id: str) -> Block:
    ws = c.sim.ws
    page = ws.visible_page(block_id)
    if page is not None and block_id not in ws.blocks:  # a top-level page or row, seen as a block
        return Block(page.id, "child_page", page.parent_type, page.parent_id or "", page.created, page.edited)
    block = ws.visible_block(block_id)
    if block is None:
        raise not_found("block", block_id)
    return block


async def blocks_get(c: Ctx) -> dict[str, Any]:
    return block_json(_block_or_404(c, c.path_id()), c.r)


async def blocks_children(c: Ctx) -> dict[str, Any]:
    block_id = c.path_id()
    _block_or_404(c, block_id)
    ws = c.sim.ws
    ids = ws.children_of(block_id)
    chunk, cursor, more = paginate(
        ids, c.list_params(), c.scope("children", block_id), c.sim.cursors, c.now, "query"
    )
    return list_json([block_json(ws.blocks[i], c.r) for i in chunk], cursor, more, "block")


async def databases_get(c: Ctx) -> dict[str, Any]:
    db_id = c.path_id()
    db = c.sim.ws.visible_database(db_id)
    if db is None:
        raise not_found("database", db_id)
    if c.old and len(db.data_sources) > 1:
        raise validation(MULTI_SOURCE)
    return database_json(db, c.r)


async def databases_query(c: Ctx) -> dict[str, Any]:
    if not c.old:
        raise NotionError(
            400,
            "invalid_request_url",
            f"Invalid request URL: databases/{{id}}/query does not exist in Notion-Version {c.version};"
            " query the database's data sources instead.",
        )
    db_id = c.path_id()
    db = c.sim.ws.visible_database(db_id)
    if db is None:
        raise not_found("database", db_id)
    if len(db.data_sources) > 1:
        raise validation(MULTI_SOURCE)
    return await _query(c, db.data_sources[0], "page_or_database")


async def data_sources_get(c: Ctx) -> dict[str, Any]:
    source_id = c.path_id()
    source = c.sim.ws.visible_data_source(source_id)
    if source is None:
        raise not_found("data source", source_id)
    return data_source_json(source, c.r)


async def data_sources_query(c: Ctx) -> dict[str, Any]:
    source_id = c.path_id()
    if c.sim.ws.visible_data_source(source_id) is None:
        raise not_found("data source", source_id)
    return await _query(c, source_id, "page_or_data_source")


async def _query(c: Ctx, source_id: str, list_type: str) -> dict[str, Any]:
    """Filter, sort, cap at `query_row_cap` (notion.md 2.2), then paginate."""
    body = await read_json(c.request)
    unknown = set(body) - QUERY_KEYS
    if unknown:
        raise validation(f"body failed validation: body.{sorted(unknown)[0]} should be not present.")
    ws, now = c.sim.ws, c.now
    source = ws.data_sources[source_id]
    rows = visible_rows(ws, source, bool(body.get("in_trash") or body.get("archived")))
    if "filter" in body:
        rows = [row for row in rows if matches(row, body["filter"], source, now)]
    rows = sort_rows(rows, body.get("sorts"), source)
    cap = c.sim.config.query_row_cap
    capped = len(rows) > cap
    rows = rows[:cap]
    scope = c.scope(
        "query:" + source_id, {k: v for k, v in body.items() if k not in ("start_cursor", "page_size")}
    )
    chunk, cursor, more = paginate(rows, body, scope, c.sim.cursors, now, "body")
    status = (
        {"type": "incomplete", "incomplete_reason": "query_result_limit_reached"}
        if capped
        else {"type": "complete"}
    )
    return list_json([page_json(p, c.r) for p in chunk], cursor, more, list_type, request_status=status)


async def comments_list(c: Ctx) -> dict[str, Any]:
    raw = c.request.query_params.get("block_id")
    if raw is None:
        raise validation(
            "query failed validation: query.block_id should be defined, instead was `undefined`."
        )
    block_id = dashed(raw)
    if block_id is None:
        raise validation(
            f'query failed validation: query.block_id should be a valid uuid, instead was `"{raw}"`.'
        )
    _block_or_404(c, block_id)
    found = [cm for cm in c.sim.ws.comments.get(block_id, []) if not cm.resolved]
    found.sort(key=lambda cm: (cm.created, cm.id))
    chunk, cursor, more = paginate(
        found, c.list_params(), c.scope("comments", block_id), c.sim.cursors, c.now, "query"
    )
    return list_json([comment_json(cm, c.r) for cm in chunk], cursor, more, "comment")
