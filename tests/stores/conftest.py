"""A server for the store tests, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.plugins.api import BACKENDS, ApiServer, serve_app


@pytest.fixture(scope="session", params=BACKENDS)
def store_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    """Small limits (64 KiB files, 400-character chunks) so the size and chunking rules show."""
    tmp = tmp_path_factory.mktemp(f"stores-{request.param}")
    with serve_app(request.param, tmp, max_file_bytes=64 * 1024, chunk_size=400) as server:
        yield server


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
