"""`create_app(config)`: the simulated Notion API as a Starlette app.

Every `/v1/` request goes through one pipeline, in the order notion.md 7b suggests: route match,
stats, `Notion-Version`, bearer token, per-token rate limit, injected faults, handler. Admin
routes under `/_sim/` bypass it and are not counted.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route

from ..common import admin_routes
from . import api
from .admin import notion_admin_routes
from .config import KNOWN_VERSIONS, NotionSimConfig
from .errors import FAULT_CODES, NotionError
from .state import NotionSim

ApiHandler = Callable[[api.Ctx], Awaitable[dict[str, Any]]]
OAuthHandler = Callable[[NotionSim, Request, str], Awaitable[Response]]

API: list[tuple[str, str, ApiHandler]] = [
    ("GET", "/v1/users/me", api.users_me),
    ("GET", "/v1/users", api.users_list),
    ("GET", "/v1/users/{id}", api.users_get),
    ("POST", "/v1/search", api.search),
    ("GET", "/v1/pages/{id}", api.pages_get),
    ("GET", "/v1/pages/{id}/markdown", api.pages_markdown),
    ("GET", "/v1/blocks/{id}", api.blocks_get),
    ("GET", "/v1/blocks/{id}/children", api.blocks_children),
    ("GET", "/v1/databases/{id}", api.databases_get),
    ("POST", "/v1/databases/{id}/query", api.databases_query),
    ("GET", "/v1/data_sources/{id}", api.data_sources_get),
    ("POST", "/v1/data_sources/{id}/query", api.data_sources_query),
    ("GET", "/v1/comments", api.comments_list),
]


async def _authorize(sim: NotionSim, request: Request, _: str) -> Response:
    return sim.oauth.authorize(request)


async def _token(sim: NotionSim, request: Request, rid: str) -> Response:
    return await sim.oauth.token(request, rid)


async def _introspect(sim: NotionSim, request: Request, rid: str) -> Response:
    return await sim.oauth.introspect(request, rid)


async def _revoke(sim: NotionSim, request: Request, rid: str) -> Response:
    return await sim.oauth.revoke(request, rid)


OAUTH: list[tuple[str, str, OAuthHandler]] = [
    ("GET", "/v1/oauth/authorize", _authorize),
    ("POST", "/v1/oauth/token", _token),
    ("POST", "/v1/oauth/introspect", _introspect),
    ("POST", "/v1/oauth/revoke", _revoke),
]


def _edge_error() -> Response:
    """A 502 from the CDN edge: HTML, `cf-ray`, no request id (notion.md 1.1)."""
    html = (
        "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
        "</center><hr><center>cloudflare</center></body></html>"
    )
    return Response(html, status_code=502, media_type="text/html", headers={"cf-ray": uuid.uuid4().hex[:16]})


class Pipeline:
    """Matches `/v1/` requests against the route table and runs the checks around handlers."""

    def __init__(self, sim: NotionSim) -> None:
        self.sim = sim
        self.routes: list[tuple[Route, Any, bool]] = [
            (Route(path, _noop, methods=[method]), handler, False) for method, path, handler in API
        ] + [(Route(path, _noop, methods=[method]), handler, True) for method, path, handler in OAUTH]

    def _match(self, request: Request) -> tuple[str, Any, bool, dict[str, Any]] | str:
        partial = False
        for route, handler, is_oauth in self.routes:
            match, child = route.matches(request.scope)
            if match == Match.FULL:
                return f"{request.method} {route.path}", handler, is_oauth, child.get("path_params", {})
            partial = partial or match == Match.PARTIAL
        return "unsupported" if partial else "unknown"

    async def handle(self, request: Request) -> Response:
        rid = str(uuid.uuid4())
        matched = self._match(request)
        stats = self.sim.sim.stats
        stats.enter(matched[0] if isinstance(matched, tuple) else f"{request.method} (unmatched)")
        try:
            return await self._serve(request, matched, rid)
        except NotionError as exc:
            if exc.status == 429:
                stats.rate_limited += 1
            return exc.response(rid)
        finally:
            stats.leave()

    async def _serve(self, request: Request, matched: Any, rid: str) -> Response:
        sim = self.sim
        if isinstance(matched, str):
            if matched == "unsupported":
                raise NotionError(
                    400, "invalid_request", f"Unsupported request: {request.method} {request.url.path}."
                )
            raise NotionError(400, "invalid_request_url")
        _, handler, is_oauth, params = matched
        request.scope["path_params"] = params
        token = _bearer(request)
        if token and not is_oauth:
            stats = sim.sim.stats
            stats.by_token[token] += 1
            best = sim.windows.record(token)
            stats.extra[f"max_requests_in_any_1s_window:{token}"] = best
            stats.extra["max_requests_in_any_1s_window"] = max(
                stats.extra["max_requests_in_any_1s_window"], best
            )
        if is_oauth:
            await self._faults()
            return await handler(sim, request, rid)
        version = request.headers.get("notion-version")
        if version is None:
            raise NotionError(
                400,
                "missing_version",
                "Notion-Version header failed validation: Notion-Version "
                "header should be defined, instead was `undefined`.",
            )
        if version not in KNOWN_VERSIONS:
            raise NotionError(
                400,
                "missing_version",
                f"Notion-Version header failed validation: `{version}` is "
                f"not a valid Notion-Version; use one of {', '.join(KNOWN_VERSIONS)}.",
            )
        info = sim.oauth.bearer(token) if token else None
        if info is None or token is None:
            raise NotionError(401, "unauthorized")
        wait = sim.buckets.acquire(token)
        if wait is not None:
            raise NotionError(
                429,
                "rate_limited",
                headers={"Retry-After": str(wait)},
                additional_data={"rate_limit_reason": "public_api_request_rate_limit"},
            )
        await self._faults()
        ctx = api.Ctx(sim, request, version, info, sim.render(request, version))
        body = await handler(ctx)
        body["request_id"] = rid
        return JSONResponse(body, headers={"x-notion-request-id": rid})

    async def _faults(self) -> None:
        faults = self.sim.sim.faults
        await faults.delay()
        status = faults.pick_failure()
        if status is None:
            return
        self.sim.sim.stats.extra["faults_injected"] += 1
        if status == 502:
            raise _EdgeError()
        headers = {"Retry-After": "1"} if status in (429, 529) else None
        raise NotionError(status, FAULT_CODES.get(status, "internal_server_error"), headers=headers)


class _EdgeError(NotionError):
    def __init__(self) -> None:
        super().__init__(502, "bad_gateway")

    def response(self, request_id: str) -> Response:
        return _edge_error()


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def _noop(_: Request) -> Response:  # route table entries are matched, never called
    return Response(status_code=500)


def create_app(config: NotionSimConfig | None = None) -> Starlette:
    """A fresh simulator; its `NotionSim` is at `app.state.notion`."""
    sim = NotionSim(config or NotionSimConfig())
    pipeline = Pipeline(sim)
    methods = ["GET", "POST", "PATCH", "PUT", "DELETE"]
    routes = [
        *admin_routes(sim.sim, on_reset=sim.windows.reset),
        *notion_admin_routes(sim),
        Route("/_files/{block_id}/{name}", sim.serve_file, methods=["GET"]),
        Route("/v1/{rest:path}", pipeline.handle, methods=methods),
    ]
    app = Starlette(routes=routes)
    app.state.notion = sim
    return app


def sim_of(app: Starlette) -> NotionSim:
    sim: NotionSim = app.state.notion
    return sim
