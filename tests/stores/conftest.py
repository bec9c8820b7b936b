"""A server with the store routers and tables, on SQLite and PostgreSQL.

Until the app factory and the migration include the stores feature, this adds both to the same
real server the API fixtures start; once they do, the additions are no-ops.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine

import breadbox.db.models  # noqa: F401 - every table the store tables refer to
from breadbox.app import create_app
from breadbox.config import Settings
from breadbox.db.base import Base
from breadbox.db.migrate import sync_url
from breadbox.files.models import File
from breadbox.files.routes import router as files_router
from breadbox.servers import ServerThread
from breadbox.stores.models import Store, StoreChunk, StoreFile
from breadbox.stores.routes import router as stores_router
from breadbox.stores.search import ddl
from tests.plugins.api import BACKENDS, ApiServer, make_database

STORE_TABLES = [File.__table__, Store.__table__, StoreFile.__table__, StoreChunk.__table__]


def install_store_schema(url: str) -> None:
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            Base.metadata.create_all(conn, tables=STORE_TABLES, checkfirst=True)  # type: ignore[arg-type]
            ddl.install(conn)
    finally:
        engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def store_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    tmp = tmp_path_factory.mktemp(f"stores-{request.param}")
    db = make_database(request.param, tmp)
    install_store_schema(db.url)
    settings = Settings(data_dir=tmp, database_url=db.url, max_file_bytes=64 * 1024, chunk_size=400)
    app = create_app(settings, worker=False)
    paths = {getattr(r, "path", "") for r in app.routes}
    if "/v1/stores" not in paths:
        app.include_router(stores_router)
    if "/v1/files" not in paths:
        app.include_router(files_router)
    server = ServerThread(app).start()
    try:
        yield ApiServer(backend=request.param, url=server.url, settings=settings)
    finally:
        server.stop()
        db.drop()


@pytest.fixture
def key(store_server: ApiServer) -> str:
    return store_server.new_key()


@pytest.fixture
def client(store_server: ApiServer, key: str) -> Iterator[httpx.Client]:
    with store_server.client(key) as c:
        yield c


def make_store(client: httpx.Client, name: str | None = None, **extra: object) -> dict[str, object]:
    body = {"name": name, **extra} if name else dict(extra)
    r = client.post("/v1/stores", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def upload(
    client: httpx.Client,
    store: str,
    filename: str,
    content: str | bytes,
    mime: str = "text/markdown",
    **params: object,
) -> httpx.Response:
    data = content.encode() if isinstance(content, str) else content
    form = {"params": __import__("json").dumps(params)} if params else None
    return client.post(f"/v1/stores/{store}/files/upload", files={"file": (filename, data, mime)}, data=form)
