"""Sync tests: a migrated database per backend for the session, and per test a fresh app (with
its embedded runner ticking fast) wired to fresh simulators, all real servers on loopback."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from breadbox.app import create_app
from breadbox.config import Settings
from breadbox.servers import ServerThread, free_port
from tests.plugins.api import BACKENDS, CLOSED_LOOPBACK, ApiServer, ThrowawayDatabase, make_database


@pytest.fixture(scope="session", params=BACKENDS)
def sync_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ThrowawayDatabase, Path]]:
    tmp = tmp_path_factory.mktemp(f"sync-{request.param}")
    db = make_database(request.param, tmp)
    try:
        yield db, tmp
    finally:
        db.drop()


@dataclass
class SyncEnv:
    server: ApiServer
    client: httpx.Client
    notion: Any = None
    linear: Any = None

    def store(self, name: str = "kb") -> dict[str, Any]:
        r = self.client.post("/v1/stores", json={"name": name})
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def notion_source(self, token: str | None = None) -> dict[str, Any]:
        body = {
            "type": "notion",
            "name": "Notion",
            "auth_params": {"type": "api_key", "api_key": token or self.notion.token},
        }
        r = self.client.post("/v1/data_sources/", json=body)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def oauth_source(self, source_type: str, name: str = "OAuth") -> dict[str, Any]:
        """A data source connected through the provider's OAuth flow, as a browser would (the
        simulator's consent screen approves at once)."""
        r = self.client.post(
            "/v1/data_sources/", json={"type": source_type, "name": name, "auth_params": {"type": "oauth2"}}
        )
        assert r.status_code == 201, r.text
        ds = r.json()
        url = self.client.get(f"/v1/data_sources/{ds['id']}/oauth2/authorize").json()["url"]
        consent = httpx.get(url, follow_redirects=False, timeout=30)
        assert consent.status_code in (302, 303, 307), consent.text
        parts = urlsplit(consent.headers["location"])
        back = httpx.get(f"{self.server.url}{parts.path}?{parts.query}", follow_redirects=False, timeout=30)
        assert back.status_code == 307, back.text
        return self.client.get(f"/v1/data_sources/{ds['id']}").json()  # type: ignore[no-any-return]

    def connector(self, ds: dict[str, Any], store: dict[str, Any], **body: Any) -> dict[str, Any]:
        r = self.client.post(
            f"/v1/data_sources/{ds['id']}/connectors", json={"store_id": store["id"], **body}
        )
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def get_connector(self, c: dict[str, Any]) -> dict[str, Any]:
        return self.client.get(f"/v1/data_sources/{c['data_source_id']}/connectors/{c['id']}").json()  # type: ignore[no-any-return]

    def runs(self, c: dict[str, Any]) -> list[dict[str, Any]]:
        r = self.client.get(f"/v1/data_sources/{c['data_source_id']}/connectors/{c['id']}/syncs")
        return r.json()["data"]  # type: ignore[no-any-return]

    def sync(self, c: dict[str, Any], **body: Any) -> dict[str, Any]:
        r = self.client.post(f"/v1/data_sources/{c['data_source_id']}/connectors/{c['id']}/sync", json=body)
        assert r.status_code == 202, r.text
        return r.json()  # type: ignore[no-any-return]

    def wait(self, c: dict[str, Any], runs: int = 1, timeout: float = 60.0) -> dict[str, Any]:
        """Wait until `runs` runs of the connector have ended; the connector as it then is."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            history = self.runs(c)
            ended = [r for r in history if r["status"] in ("completed", "failed", "cancelled")]
            if len(ended) >= runs and not any(r["status"] in ("pending", "in_progress") for r in history):
                return self.get_connector(c)
            time.sleep(0.1)
        raise AssertionError(f"connector did not finish {runs} runs in {timeout}s: {self.runs(c)}")

    def search(self, store: dict[str, Any], query: str, top_k: int = 5, **extra: Any) -> list[dict[str, Any]]:
        r = self.client.post(
            "/v1/stores/search",
            json={"query": query, "store_identifiers": [store["id"]], "top_k": top_k, **extra},
        )
        assert r.status_code == 200, r.text
        return r.json()["data"]  # type: ignore[no-any-return]

    def files(self, store: dict[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        after = None
        while True:
            params: dict[str, Any] = {"limit": 100}
            if after:
                params["after"] = after
            body = self.client.get(f"/v1/stores/{store['id']}/files", params=params).json()
            out.extend(body["data"])
            if not body["pagination"]["has_more"]:
                return out
            after = body["pagination"]["last_cursor"]


SyncEnvFactory = Callable[..., SyncEnv]


@pytest.fixture
def sync_env_factory(sync_database: tuple[ThrowawayDatabase, Path]) -> Iterator[SyncEnvFactory]:
    db, tmp = sync_database
    with ExitStack() as stack:

        def make(notion: Any = None, linear: Any = None, **settings: Any) -> SyncEnv:
            port = free_port()
            overrides: dict[str, Any] = {
                "sync_tick_seconds": 0.2,
                "notion_rate_limit": 0.0,
                "public_url": f"http://127.0.0.1:{port}",
                # Only loopback: nothing may reach the real providers.
                "notion_api_url": CLOSED_LOOPBACK,
                "linear_api_url": CLOSED_LOOPBACK,
                "linear_authorize_url": f"{CLOSED_LOOPBACK}/oauth/authorize",
            }
            if notion is not None:
                overrides.update(
                    notion_api_url=notion.url,
                    notion_client_id=notion.client_id,
                    notion_client_secret=notion.client_secret,
                )
            if linear is not None:
                overrides.update(
                    linear_api_url=linear.url,
                    linear_authorize_url=f"{linear.url}/oauth/authorize",
                    linear_client_id=linear.client_id,
                    linear_client_secret=linear.client_secret,
                )
            overrides.update(settings)
            config = Settings(data_dir=tmp, database_url=db.url, **overrides)
            thread = ServerThread(create_app(config), port=port).start()
            stack.callback(thread.stop)
            server = ApiServer(backend=db.backend, url=thread.url, settings=config)
            client = stack.enter_context(server.client(server.new_key()))
            return SyncEnv(server=server, client=client, notion=notion, linear=linear)

        yield make
