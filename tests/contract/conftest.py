"""Contract-test fixtures: one in-thread server on SQLite (its provider URLs point at a closed
loopback port, as every test server's do)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.plugins.api import ApiServer, serve_app


@pytest.fixture(scope="session")
def contract_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """The app under uvicorn on SQLite (the OpenAPI document and fuzzing do not depend on the backend)."""
    with serve_app("sqlite", tmp_path_factory.mktemp("contract")) as server:
        yield server


@pytest.fixture
def contract_api(contract_server: ApiServer) -> Iterator[httpx.Client]:
    """A client authenticated as a fresh organization of the contract server."""
    with contract_server.client(contract_server.new_key()) as client:
        yield client
