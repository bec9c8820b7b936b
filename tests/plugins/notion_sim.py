"""Fixtures for the Notion simulator: real uvicorn servers on free loopback ports.

`notion_sim` is a fresh 20-page workspace with rate limiting off; `notion_sim_factory(**config)`
starts more with any `NotionSimConfig` fields (all stopped at test end).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from breadbox.simulators.notion import NotionSimConfig, NotionSimHandle, start

NotionSimFactory = Callable[..., NotionSimHandle]


@pytest.fixture
def notion_sim_factory() -> Iterator[NotionSimFactory]:
    with ExitStack() as stack:

        def make(**overrides: Any) -> NotionSimHandle:
            config = NotionSimConfig(**{"pages": 20, "rate_limit_rps": 0.0, **overrides})
            return stack.enter_context(start(config))

        yield make


@pytest.fixture
def notion_sim(notion_sim_factory: NotionSimFactory) -> NotionSimHandle:
    return notion_sim_factory()


def notion_http(handle: NotionSimHandle, version: str | None = "2025-09-03", token: str | None = None) -> Any:
    """An httpx.Client for `handle` with the bearer token and (unless None) a Notion-Version."""
    import httpx

    headers = {"Authorization": f"Bearer {token or handle.token}"}
    if version is not None:
        headers["Notion-Version"] = version
    return httpx.Client(base_url=handle.url, headers=headers, timeout=10)
