"""Contract-test fixtures: one in-thread server whose providers point at a closed loopback port.

The suite-wide `api_server` keeps the default provider URLs (the public Notion and Linear APIs), so a
fuzzed data source with credentials plus a connector that triggers a sync could reach out of the
machine. Here every provider URL is a loopback port nothing listens on: only loopback, always.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from breadbox.app import create_app
from breadbox.config import Settings
from breadbox.servers import ServerThread
from tests.plugins.processes import CLOSED_LOOPBACK
from tests.plugins.api import ApiServer, make_database

PROVIDER_SETTINGS = {
    "notion_api_url": CLOSED_LOOPBACK,
    "linear_api_url": CLOSED_LOOPBACK,
    "linear_authorize_url": f"{CLOSED_LOOPBACK}/oauth/authorize",
}


@pytest.fixture(scope="session")
def contract_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """The app under uvicorn on SQLite (the OpenAPI document and fuzzing do not depend on the backend)."""
    tmp: Path = tmp_path_factory.mktemp("contract")
    db = make_database("sqlite", tmp)
    settings = Settings(data_dir=tmp, database_url=db.url, **PROVIDER_SETTINGS)  # type: ignore[arg-type]
    server = ServerThread(create_app(settings)).start()
    try:
        yield ApiServer(backend="sqlite", url=server.url, settings=settings)
    finally:
        server.stop()
        db.drop()


@pytest.fixture
def contract_api(contract_server: ApiServer) -> Iterator[httpx.Client]:
    """A client authenticated as a fresh organization of the contract server."""
    with contract_server.client(contract_server.new_key()) as client:
        yield client
