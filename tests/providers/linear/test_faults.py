"""Rate limits, complexity budgets, 5xx bursts and credentials, against the simulator."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from breadbox.providers.base import CredentialError, FatalProviderError
from breadbox.providers.linear.budget import budget_for
from breadbox.providers.ratelimit import RateLimiter
from breadbox.simulators.linear import LinearSimHandle
from tests.plugins.linear_sim import admin, gql, http

from .conftest import connector, drain, full_window, live_ids, stats

SimFactory = Callable[..., LinearSimHandle]


async def test_two_readers_of_one_key_pace_themselves_from_the_headers(
    linear_sim_factory: SimFactory,
) -> None:
    sim = linear_sim_factory(issues=300, comments_per_issue=1)
    # Six requests per second for two connectors that do not share a limiter (two data sources
    # on one user's keys): the budget headers reflect both, so each paces itself.
    admin(sim, "POST", "/ratelimit", {"api_key_requests": 3, "period_seconds": 0.5})
    window = full_window(sim)
    first, second = await asyncio.gather(drain(connector(sim), window), drain(connector(sim), window))
    for result in (first, second):
        assert set(result.of_kind("issue")) == live_ids(sim)["issue"]


async def test_ratelimited_storm_completes(linear_sim_factory: SimFactory) -> None:
    sim = linear_sim_factory(issues=300, comments_per_issue=1)
    admin(sim, "POST", "/ratelimit", {"api_key_requests": 4, "period_seconds": 0.4, "mode": "window"})
    refused = {"count": 0}
    auth = {"Authorization": sim.api_key}

    def burn() -> None:  # another process on the same key, spending the budget for 1.5 s
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            answer = http(sim).post("/graphql", json={"query": "{ viewer { id } }"}, headers=auth)
            if answer.status_code == 400:
                refused["count"] += 1
            time.sleep(0.03)

    burner = asyncio.create_task(asyncio.to_thread(burn))
    await asyncio.sleep(0.2)
    result = await drain(connector(sim), full_window(sim))
    await burner
    assert stats(sim)["rate_limited"] > refused["count"]  # the connector was refused too
    assert set(result.of_kind("issue")) == live_ids(sim)["issue"]


async def test_ratelimited_answer_waits_for_the_reset(linear_sim: LinearSimHandle) -> None:
    admin(linear_sim, "POST", "/ratelimit", {"api_key_requests": 2, "period_seconds": 1.5, "mode": "window"})
    for _ in range(2):  # someone else spends the window
        gql(linear_sim, "{ viewer { id } }")
    assert gql(linear_sim, "{ viewer { id } }").status_code == 400
    started = time.monotonic()
    result = await drain(connector(linear_sim), full_window(linear_sim))
    assert time.monotonic() - started >= 0.5
    assert stats(linear_sim)["rate_limited"] >= 2  # ours, then the connector's first attempt
    assert set(result.of_kind("issue")) == live_ids(linear_sim)["issue"]


async def test_exhausted_complexity_budget_pauses_until_it_refills(linear_sim_factory: SimFactory) -> None:
    sim = linear_sim_factory(issues=600, comments_per_issue=1)
    # 12,000 points per 2 s: every full page (~8,000 points) must wait for the budget to refill.
    admin(sim, "POST", "/ratelimit", {"api_key_complexity": 12_000, "period_seconds": 2})
    limiter = RateLimiter(0)
    started = time.monotonic()
    result = await drain(connector(sim, limiter=limiter), full_window(sim))
    elapsed = time.monotonic() - started
    assert set(result.of_kind("issue")) == live_ids(sim)["issue"]
    assert elapsed > 1.0  # it waited for refills...
    assert stats(sim)["rate_limited"] == 0  # ...before sending, from the X-RateLimit-* headers
    budget = budget_for(limiter)
    assert budget.complexity.limit == 12_000 and budget.requests.limit == 2_500


async def test_exhausted_complexity_window_waits_for_reset(linear_sim_factory: SimFactory) -> None:
    sim = linear_sim_factory(issues=300, comments_per_issue=1)
    admin(sim, "POST", "/ratelimit", {"api_key_complexity": 9_500, "period_seconds": 1.5, "mode": "window"})
    result = await drain(connector(sim), full_window(sim))
    assert set(result.of_kind("issue")) == live_ids(sim)["issue"]


async def test_5xx_bursts_are_retried(linear_sim: LinearSimHandle) -> None:
    admin(linear_sim, "POST", "/faults", {"fail_next": 4, "statuses": [500, 502, 503]})
    result = await drain(connector(linear_sim), full_window(linear_sim))
    assert set(result.of_kind("issue")) == live_ids(linear_sim)["issue"]
    assert result.requests >= 5  # the failed attempts are counted too


def _oauth_token(sim: LinearSimHandle) -> str:
    response = http(sim).post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
        },
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


async def test_expired_token_mid_load_is_refreshed_once(linear_sim_factory: SimFactory) -> None:
    sim = linear_sim_factory(issues=600, comments_per_issue=1)
    calls: list[bool] = []
    token = {"value": _oauth_token(sim)}

    async def get_token(force_refresh: bool) -> str:
        calls.append(force_refresh)
        if force_refresh:
            token["value"] = _oauth_token(sim)
        return token["value"]

    conn = connector(sim, get_token)
    window = full_window(sim)
    from breadbox.providers.linear import LinearCheckpoint

    first = await conn.load(LinearCheckpoint(), window)
    assert not first.done
    admin(sim, "POST", "/oauth", {"revoke_all": True})  # the access token dies mid-run
    state, seen = first.checkpoint, {d.source_id for d in first.documents}
    while True:
        batch = await conn.load(state, window)
        seen |= {d.source_id for d in batch.documents}
        state = batch.checkpoint
        if batch.done:
            break
    assert calls.count(True) == 1
    assert live_ids(sim)["issue"] <= seen
    assert stats(sim)["by_token"]  # sent as Bearer: the simulator accepted the OAuth token


async def test_refused_after_refresh_is_a_credential_error(linear_sim: LinearSimHandle) -> None:
    calls: list[bool] = []

    async def get_token(force_refresh: bool) -> str:
        calls.append(force_refresh)
        return "revoked-oauth-token"

    with pytest.raises(CredentialError):
        await drain(connector(linear_sim, get_token), full_window(linear_sim))
    assert calls.count(True) == 1


async def test_validation_failure_is_fatal_not_retried(linear_sim: LinearSimHandle) -> None:
    # A server whose page-size maximum is lower than ours answers GRAPHQL_VALIDATION_FAILED.
    admin(
        linear_sim, "POST", "/quirks", {"max_first": 100, "first_over_max_code": "GRAPHQL_VALIDATION_FAILED"}
    )
    with pytest.raises(FatalProviderError, match="GRAPHQL_VALIDATION_FAILED"):
        await drain(connector(linear_sim), full_window(linear_sim))
    assert stats(sim := linear_sim)["requests"]["total"] == 1, sim.url
