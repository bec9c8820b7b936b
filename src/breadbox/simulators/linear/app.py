"""The ASGI app: `POST /graphql`, the OAuth endpoints and the `/_sim/` admin API."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ..common import admin_routes
from .admin import linear_admin_routes
from .config import LinearSimConfig
from .oauth import parse_basic
from .service import LinearSim


def create_app(config: LinearSimConfig | None = None) -> Starlette:
    """A fresh simulator; `app.state.sim` is its `LinearSim` (workspace, clock, stats, ...)."""
    sim = LinearSim(config or LinearSimConfig())
    stats, faults = sim.state.stats, sim.state.faults

    async def counted(endpoint: str, request: Request) -> Response:
        stats.enter(endpoint)
        try:
            failure = faults.pick_failure()
            await faults.delay()
            if failure is not None:
                # The real edge answers 5xx with an HTML page, not GraphQL JSON.
                page = f"<html><body><h1>{failure}</h1><p>upstream error</p></body></html>"
                return HTMLResponse(page, status_code=failure)
            return await HANDLERS[endpoint](request)
        finally:
            stats.leave()

    async def graphql(request: Request) -> Response:
        status, body, headers = sim.graphql(request.headers.get("authorization"), await request.body())
        return JSONResponse(body, status_code=status, headers=headers)

    async def authorize(request: Request) -> Response:
        status, where = sim.oauth.authorize(dict(request.query_params), sim.state.clock.time())
        if status != 302:
            return PlainTextResponse(where, status_code=status)
        return RedirectResponse(where, status_code=302)

    async def token(request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("application/x-www-form-urlencoded"):
            return JSONResponse(
                {
                    "error": "invalid_request",
                    "error_description": "Expected application/x-www-form-urlencoded",
                },
                status_code=400,
            )
        form = {k: str(v) for k, v in (await request.form()).items()}
        reply = sim.oauth.token(
            form, parse_basic(request.headers.get("authorization")), sim.state.clock.time()
        )
        if reply.status == 200:
            grant_type = form.get("grant_type", "")
            stats.extra["token_refreshes" if grant_type == "refresh_token" else "token_exchanges"] += 1
        return JSONResponse(reply.body, status_code=reply.status, headers={"Cache-Control": "no-store"})

    async def revoke(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        auth = request.headers.get("authorization", "")
        token = form.get("token") or form.get("access_token") or form.get("refresh_token")
        if not token and auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        if not token:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if sim.oauth.revoke(token):
            return Response(status_code=200)
        return JSONResponse(
            {"error": "invalid_token", "error_description": "Unable to revoke"}, status_code=400
        )

    HANDLERS = {
        "POST /graphql": graphql,
        "GET /oauth/authorize": authorize,
        "POST /oauth/token": token,
        "POST /oauth/revoke": revoke,
    }

    def route(endpoint: str) -> Route:
        method, path = endpoint.split(" ", 1)

        async def endpoint_fn(request: Request) -> Response:
            return await counted(endpoint, request)

        return Route(path, endpoint_fn, methods=[method])

    routes = [route(e) for e in HANDLERS]
    routes += admin_routes(sim.state)
    routes += linear_admin_routes(sim)
    app = Starlette(routes=routes)
    app.state.sim = sim
    return app
