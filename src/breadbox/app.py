"""The FastAPI application factory: settings in, a ready ASGI app out."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from breadbox import __version__
from breadbox.api import errors
from breadbox.api.health import router as health_router
from breadbox.api.middleware import RequestIdMiddleware
from breadbox.auth.routes import router as api_keys_router
from breadbox.config import Settings
from breadbox.connectors.routes import router as connectors_router
from breadbox.crypto import SecretBox, load_secret_key
from breadbox.data_sources.routes import router as data_sources_router
from breadbox.db.session import Database
from breadbox.files.routes import router as files_router
from breadbox.oauth.routes import router as oauth_router
from breadbox.oauth.routes import ui_router as oauth_ui_router
from breadbox.stores.routes import router as stores_router
from breadbox.sync.routes import router as sync_router
from breadbox.sync.worker import attach_queue, build_runner

log = logging.getLogger("breadbox")


def create_app(settings: Settings | None = None, *, worker: bool = True) -> FastAPI:
    """The API; with `worker`, a sync runner runs inside it too: the embedded one by default, or
    Procrastinate workers when the queue is `procrastinate` (so one `breadbox serve` still does it
    all). Without `worker` it is a stateless API replica: it only queues jobs."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = app.state.database = Database(settings.resolved_database_url)
        queue = attach_queue(settings, database)
        app.state.queue = queue.name
        if queue.name == "procrastinate":
            from breadbox.sync.runners.procrastinate import ensure_schema

            await ensure_schema(settings.resolved_database_url)
        runner = build_runner(settings, database, app.state.secret_box) if worker else None
        app.state.runner = runner
        if runner is not None:
            await runner.start()
        try:
            yield
        finally:
            if runner is not None:
                await runner.stop(settings.shutdown_grace_seconds)
            await database.dispose()

    app = FastAPI(
        title="Breadbox",
        version=__version__,
        description="Self-hosted Mixedbread Data Sources API: Notion and Linear connectors for searchable stores.",
        lifespan=lifespan,
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.secret_box = SecretBox(load_secret_key(settings))
    errors.install(app)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health_router)
    for router in (
        oauth_router,  # first: its fixed `/v1/data_sources/oauth2/...` paths beat `{data_source_id}`
        data_sources_router,
        connectors_router,
        sync_router,
        api_keys_router,
        stores_router,
        files_router,
    ):
        app.include_router(router)
        _alias_trailing_slashes(app, router)
    app.include_router(oauth_ui_router)
    return app


def _alias_trailing_slashes(app: FastAPI, router: APIRouter) -> None:
    """Answer both `/x/` and `/x` directly (no redirect: SDKs do not always follow one).

    The documented form is the one in the contract; the other is a hidden twin."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        twin = route.path[:-1] if route.path.endswith("/") else route.path + "/"
        app.router.add_api_route(
            twin,
            route.endpoint,
            methods=list(route.methods or ()),
            status_code=route.status_code,
            response_model=route.response_model,
            include_in_schema=False,
            dependencies=route.dependencies,
            operation_id=f"{route.operation_id}_twin" if route.operation_id else None,
        )
