"""The API under test: a real uvicorn server per backend (SQLite file, throwaway PostgreSQL database),
and per-test organizations with their own API keys, so tests never see each other's rows."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from breadbox.app import create_app
from breadbox.auth.scopes import Scope
from breadbox.auth.service import ApiKeyService
from breadbox.config import Settings
from breadbox.db.migrate import upgrade
from breadbox.db.session import Database
from breadbox.servers import ServerThread

PG_ADMIN_DSN = os.environ.get("BREADBOX_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgres"]


@dataclass
class ThrowawayDatabase:
    backend: str
    url: str
    drop: Any


def _postgres_database() -> ThrowawayDatabase:
    name = f"breadbox_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]

    def drop() -> None:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return ThrowawayDatabase("postgres", f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}", drop)


def make_database(backend: str, tmp: Path) -> ThrowawayDatabase:
    if backend == "postgres":
        db = _postgres_database()
    else:
        db = ThrowawayDatabase("sqlite", f"sqlite+aiosqlite:///{tmp / 'breadbox.db'}", lambda: None)
    upgrade(db.url)
    return db


@dataclass
class ApiServer:
    backend: str
    url: str
    settings: Settings

    def run(self, coro_factory: Any) -> Any:
        """Run `coro_factory(database)` against the server's database, from a test."""

        async def runner() -> Any:
            database = Database(self.settings.resolved_database_url)
            try:
                return await coro_factory(database)
            finally:
                await database.dispose()

        return asyncio.run(runner())

    def new_key(self, organization: str | None = None, scope: list[dict[str, Any]] | None = None) -> str:
        """A fresh organization (unless named) and an API key for it."""
        org_name = organization or f"org-{uuid.uuid4().hex[:10]}"

        async def work(database: Database) -> str:
            async with database.session() as session:
                service = ApiKeyService(session)
                org = await service.organizations.get_or_create(org_name)
                scopes = [Scope.model_validate(s) for s in scope] if scope is not None else None
                _, value = await service.create(org.id, "test", scopes)
                return value

        return str(self.run(work))

    def client(self, key: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)


CLOSED_LOOPBACK = "http://127.0.0.1:9"  # nothing listens: a stray provider call fails at once, locally


@contextmanager
def serve_app(
    backend: str, tmp: Path, *, worker: bool = False, port: int | None = None, **settings: Any
) -> Iterator[ApiServer]:
    """A throwaway database, migrated, and the app on it under uvicorn on a loopback port.

    Provider URLs point at a closed loopback port unless given: no test may reach the internet."""
    db = make_database(backend, tmp)
    settings = {
        "notion_api_url": CLOSED_LOOPBACK,
        "linear_api_url": CLOSED_LOOPBACK,
        "linear_authorize_url": f"{CLOSED_LOOPBACK}/oauth/authorize",
        **settings,
    }
    config = Settings(data_dir=tmp, database_url=db.url, **settings)
    server = ServerThread(create_app(config, worker=worker), port=port).start()
    try:
        yield ApiServer(backend=backend, url=server.url, settings=config)
    finally:
        server.stop()
        db.drop()


@pytest.fixture(scope="session", params=BACKENDS)
def api_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    """The app under uvicorn on a free loopback port, once per backend for the session."""
    with serve_app(request.param, tmp_path_factory.mktemp(f"api-{request.param}")) as server:
        yield server


@pytest.fixture
def api_key(api_server: ApiServer) -> str:
    return api_server.new_key()


@pytest.fixture
def api(api_server: ApiServer, api_key: str) -> Iterator[httpx.Client]:
    """An httpx client authenticated as a fresh organization."""
    with api_server.client(api_key) as client:
        yield client


@pytest.fixture
def store(api: httpx.Client) -> dict[str, Any]:
    """A store of the test's organization, for connectors to fill."""
    r = api.post("/v1/stores", json={"name": f"store-{uuid.uuid4().hex[:8]}"})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]
