"""Fixtures for the Linear simulator: real uvicorn servers on free loopback ports.

`linear_sim` is a small workspace; `linear_sim_factory(**config)` builds one with any
`LinearSimConfig` fields. `gql()` posts a query and, whenever the simulator accepts it, also
validates it against an independently built copy of Linear's schema, so no test can pass on a
query the real API would reject.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from functools import cache
from typing import Any

import httpx
import pytest
from graphql import GraphQLSchema, build_schema, parse, validate

from breadbox.simulators.linear import LinearSimConfig, LinearSimHandle, start
from breadbox.simulators.linear.schema import schema_path

SMALL = {"issues": 20, "comments_per_issue": 2, "projects": 3, "documents": 4}
DEFAULT = object()
ACCEPTED_QUERIES: list[str] = []
_CLIENTS: dict[str, httpx.Client] = {}


def http(sim: LinearSimHandle) -> httpx.Client:
    """A keep-alive client for one simulator (building a client costs ~50 ms; tests make many calls)."""
    client = _CLIENTS.get(sim.url)
    if client is None:
        client = _CLIENTS[sim.url] = httpx.Client(base_url=sim.url, timeout=30)
    return client


@cache
def reference_schema() -> GraphQLSchema:
    """Linear's SDL built without any simulator code, for fidelity checks."""
    return build_schema(schema_path().read_text(encoding="utf-8"), assume_valid_sdl=True)


@cache
def _problems(query: str) -> tuple[str, ...]:
    return tuple(str(p) for p in validate(reference_schema(), parse(query)))


def assert_valid_for_linear(query: str) -> None:
    problems = _problems(query)
    assert problems == (), f"query would not validate against Linear's schema: {problems}"


def gql(
    sim: LinearSimHandle,
    query: str,
    variables: dict[str, Any] | None = None,
    auth: Any = DEFAULT,
    **kwargs: Any,
) -> httpx.Response:
    """POST /graphql with the sim's API key (or `auth`: a header value, or None for no header)."""
    headers = {"Content-Type": "application/json"}
    value = sim.api_key if auth is DEFAULT else auth
    if value is not None:
        headers["Authorization"] = value
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    body.update(kwargs)
    response = http(sim).post("/graphql", json=body, headers=headers)
    if response.status_code == 200:
        assert_valid_for_linear(query)
        ACCEPTED_QUERIES.append(query)
    return response


def admin(sim: LinearSimHandle, method: str, path: str, json: Any = None) -> httpx.Response:
    response = http(sim).request(method, f"/_sim{path}", json=json)
    response.raise_for_status()
    return response


@pytest.fixture
def linear_sim_factory() -> Iterator[Callable[..., LinearSimHandle]]:
    """Builds simulators with `LinearSimConfig(**SMALL | overrides)`; all stop after the test."""
    with ExitStack() as stack:

        def make(**overrides: Any) -> LinearSimHandle:
            sim = stack.enter_context(start(LinearSimConfig(**{**SMALL, **overrides})))
            stack.callback(lambda: _CLIENTS.pop(sim.url, httpx.Client()).close())
            return sim

        yield make


@pytest.fixture
def linear_sim(linear_sim_factory: Callable[..., LinearSimHandle]) -> LinearSimHandle:
    """A small simulated workspace (20 issues x 2 comments, 3 projects, 4 documents)."""
    return linear_sim_factory()
