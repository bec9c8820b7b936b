"""`start(config)`: a simulator on a free loopback port, for tests, benchmarks and the demo."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from ...servers import ServerThread
from .app import create_app, sim_of
from .config import NotionSimConfig
from .state import NotionSim


@dataclass
class NotionSimHandle:
    """A running simulator: where it is, what credentials it accepts, and its state."""

    url: str
    token: str
    client_id: str
    client_secret: str
    state: NotionSim
    config: NotionSimConfig

    def stats(self) -> dict[str, object]:
        """`GET /_sim/stats`, read over HTTP like any other client would."""
        data: dict[str, object] = httpx.get(f"{self.url}/_sim/stats", timeout=10).json()
        return data

    def admin(self, method: str, path: str, json: object | None = None) -> httpx.Response:
        """Call an admin route, e.g. `admin("POST", "/_sim/pages", {"title": "x", "paragraphs": []})`."""
        return httpx.request(method, f"{self.url}{path}", json=json, timeout=10)


@contextmanager
def start(
    config: NotionSimConfig | None = None, host: str = "127.0.0.1", port: int | None = None
) -> Iterator[NotionSimHandle]:
    """Serve a fresh simulator under uvicorn in a thread; stop it on exit."""
    config = config or NotionSimConfig()
    app = create_app(config)
    server = ServerThread(app, host, port).start()
    sim = sim_of(app)
    try:
        yield NotionSimHandle(
            server.url, sim.token, sim.oauth.client_id, sim.oauth.client_secret, sim, config
        )
    finally:
        server.stop()
