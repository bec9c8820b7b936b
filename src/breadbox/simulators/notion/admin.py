"""Notion-specific `/_sim/` routes: change the world (create/edit/trash/unshare pages, deny OAuth)
and look at it (page list with visibility) without going through the rate-limited API.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .blocks import notion_url
from .errors import NotionError
from .model import Page, dashed, iso
from .oauth import read_json
from .state import NotionSim


def _page(sim: NotionSim, request: Request) -> Page | None:
    page_id = dashed(request.path_params["id"])
    page = sim.ws.pages.get(page_id) if page_id else None
    return page if page is not None and not page.deleted else None


def _missing() -> Response:
    return JSONResponse({"error": "page not found"}, status_code=404)


def _summary(sim: NotionSim, page: Page) -> dict[str, Any]:
    ws = sim.ws
    return {
        "id": page.id,
        "title": page.title,
        "parent_type": page.parent_type,
        "parent_id": page.parent_id,
        "in_trash": ws.trashed(page),
        "visible": ws.visible(page),
        "directly_shared": page.shared,
        "is_row": page.parent_type == "data_source_id",
        "last_edited_time": iso(page.edited),
        "url": notion_url(page.id, page.title),
    }


def notion_admin_routes(sim: NotionSim) -> list[Route]:
    ws = sim.ws

    async def create(request: Request) -> Response:
        try:
            body = await read_json(request)
        except NotionError as exc:
            return JSONResponse({"error": exc.message}, status_code=400)
        parent_id = dashed(str(body["parent_id"])) if body.get("parent_id") else None
        if body.get("parent_id") and (parent_id is None or parent_id not in ws.pages):
            return JSONResponse({"error": "parent page not found"}, status_code=404)
        shared = body.get("shared")
        page = ws.create_page(
            str(body.get("title", "Untitled")),
            [str(p) for p in body.get("paragraphs", [])],
            parent_id,
            sim.sim.clock.time(),
            shared if isinstance(shared, bool) else None,
        )
        return JSONResponse({"id": page.id, "url": notion_url(page.id, page.title)}, status_code=201)

    async def page_item(request: Request) -> Response:
        page = _page(sim, request)
        if page is None:
            return _missing()
        now = sim.sim.clock.time()
        if request.method == "GET":
            return JSONResponse(_summary(sim, page))
        if request.method == "DELETE":
            if request.query_params.get("permanent") in ("1", "true"):
                page.deleted = True
            else:
                page.in_trash = True
                page.edited = now
            return JSONResponse(_summary(sim, page) if not page.deleted else {"id": page.id, "deleted": True})
        body = await read_json(request)
        if "title" in body:
            ws.rename(page, str(body["title"]), now)
        if "paragraphs" in body:
            ws.set_paragraphs(page, [str(p) for p in body["paragraphs"]], now)
        return JSONResponse(_summary(sim, page))

    def sharing(action: str) -> Any:
        async def handler(request: Request) -> Response:
            page = _page(sim, request)
            if page is None:
                return _missing()
            if action == "unshare":
                page.shared, page.revoked = False, True
            elif action == "share":
                page.shared, page.revoked = True, False
            else:  # restore from trash
                page.in_trash = False
                page.edited = sim.sim.clock.time()
            return JSONResponse(_summary(sim, page))

        return handler

    async def list_pages(_: Request) -> Response:
        return JSONResponse(
            {
                "pages": [_summary(sim, p) for p in ws.pages.values() if not p.deleted],
                "data_sources": [
                    {"id": s.id, "database_id": s.database_id, "name": s.name, "rows": len(s.rows)}
                    for s in ws.data_sources.values()
                ],
            }
        )

    async def info(_: Request) -> Response:
        return JSONResponse(
            {
                "token": sim.token,
                "client_id": sim.oauth.client_id,
                "client_secret": sim.oauth.client_secret,
                "workspace_id": ws.id,
                "workspace_name": ws.name,
                "bot_id": ws.bot.id,
                "pages": len(ws.pages),
                "blocks": len(ws.blocks),
                "databases": len(ws.databases),
            }
        )

    async def oauth_switch(request: Request) -> Response:
        body = await read_json(request)
        if "deny" in body:
            sim.oauth.deny = bool(body["deny"])
        return JSONResponse({"deny": sim.oauth.deny})

    return [
        Route("/_sim/pages", create, methods=["POST"]),
        Route("/_sim/pages", list_pages, methods=["GET"]),
        Route("/_sim/pages/{id}", page_item, methods=["GET", "PATCH", "DELETE"]),
        Route("/_sim/pages/{id}/unshare", sharing("unshare"), methods=["POST"]),
        Route("/_sim/pages/{id}/share", sharing("share"), methods=["POST"]),
        Route("/_sim/pages/{id}/restore", sharing("restore"), methods=["POST"]),
        Route("/_sim/info", info, methods=["GET"]),
        Route("/_sim/oauth", oauth_switch, methods=["GET", "POST"]),
    ]
