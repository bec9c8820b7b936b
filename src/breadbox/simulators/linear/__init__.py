"""A faithful local Linear API (GraphQL, OAuth, rate limits) for tests, benchmarks and the demo.

`start(config)` runs it as a real uvicorn server on a loopback port and yields a handle;
`create_app(config)` gives the bare ASGI app; `breadbox simulate linear` is `cli.simulate_linear`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ...servers import serve_in_thread
from ..common import SimState
from .app import create_app
from .config import LinearSimConfig, RateLimitSettings
from .service import LinearSim


@dataclass
class LinearSimHandle:
    """What a test needs to talk to a running simulator, and to reach behind its back."""

    url: str
    api_key: str
    client_id: str
    client_secret: str
    sim: LinearSim

    @property
    def state(self) -> SimState:
        return self.sim.state

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    @property
    def config(self) -> LinearSimConfig:
        return self.sim.config


@contextmanager
def start(
    config: LinearSimConfig | None = None, host: str = "127.0.0.1", port: int | None = None
) -> Iterator[LinearSimHandle]:
    """Serve a fresh simulator on `host` (a free port unless given) for the `with` block."""
    app: Any = create_app(config or LinearSimConfig())
    sim: LinearSim = app.state.sim
    with serve_in_thread(app, host, port) as url:
        yield LinearSimHandle(url, sim.config.token, sim.config.client_id, sim.config.client_secret, sim)


__all__ = ["LinearSim", "LinearSimConfig", "LinearSimHandle", "RateLimitSettings", "create_app", "start"]
