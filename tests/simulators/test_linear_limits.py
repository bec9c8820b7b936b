"""Complexity, page-size cap and hourly budgets (linear.md §2)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from graphql import parse

from breadbox.simulators.linear.complexity import complexity_tenths, points
from breadbox.simulators.linear.schema import load_schema
from tests.plugins.linear_sim import admin, gql


def cost(query: str, variables: dict[str, Any] | None = None) -> int:
    return points(complexity_tenths(load_schema(), parse(query), variables, None))


def test_complexity_matches_the_documented_examples() -> None:
    assert cost('{ user(id: "me") { name } }') == 2
    assert cost('{ user(id: "me") { createdIssues { nodes { id title createdAt } } } }') == 66
    assert cost('{ user(id: "me") { createdIssues(first: 10) { nodes { id title createdAt } } } }') == 14


def test_complexity_uses_variables_multiplies_nesting_and_counts_edges() -> None:
    query = "query($n: Int) { issues(first: $n) { nodes { id comments(first: 10) { nodes { id body } } } } }"
    # per issue: 1 + 0.1 + 10 x (1 + 0.2) = 13.1
    assert cost(query, {"n": 100}) == 1310
    assert cost(query, {}) == 655  # default 50
    edges = "{ issues(first: 10) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }"
    assert cost(edges) == 14  # 10 x (0.1 + 1.1) + 1.2 = 13.2


def test_x_complexity_header_is_the_requested_cost_not_the_returned_rows(linear_sim: Any) -> None:
    query = '{ issues(first: 250, filter: { title: { eq: "no such title" } }) { nodes { id } pageInfo { hasNextPage } } }'
    response = gql(linear_sim, query)
    assert response.json()["data"]["issues"]["nodes"] == []
    assert int(response.headers["X-Complexity"]) == cost(query) == 277


def test_query_over_10000_points_is_rejected(linear_sim: Any) -> None:
    query = "{ issues(first: 100) { nodes { id comments(first: 100) { nodes { id body } } } } }"
    response = gql(linear_sim, query)
    assert response.status_code == 400
    err = response.json()["errors"][0]
    assert err["message"] == "Query too complex"
    assert err["extensions"]["code"] == "INPUT_ERROR"
    assert err["extensions"]["type"] == "invalid input"
    assert "Maximum allowed complexity: 10000" in err["extensions"]["userPresentableMessage"]
    stats = admin(linear_sim, "GET", "/stats").json()
    assert stats.get("complexity", 0) == 0  # rejected queries are not charged


def test_first_over_250_is_rejected(linear_sim: Any) -> None:
    response = gql(linear_sim, "query($n: Int) { issues(first: $n) { nodes { id } } }", {"n": 251})
    assert response.status_code == 400
    err = response.json()["errors"][0]
    assert err["extensions"]["code"] == "INPUT_ERROR"
    assert "250" in err["message"]
    assert gql(linear_sim, "{ issues(first: 250) { nodes { id } } }").status_code == 200


def test_first_over_max_code_is_configurable(linear_sim_factory: Any) -> None:
    sim = linear_sim_factory(first_over_max_code="GRAPHQL_VALIDATION_FAILED", max_first=100)
    response = gql(sim, "{ issues(first: 101) { nodes { id } } }")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_rate_limit_headers_on_every_response(linear_sim: Any) -> None:
    admin(linear_sim, "POST", "/ratelimit", {"mode": "window"})  # no refill between the two calls
    before_ms = time.time() * 1000
    first = gql(linear_sim, "{ viewer { id } }")
    second = gql(linear_sim, "{ issues(first: 10) { nodes { id } } }")
    for response in (first, second):
        for name in ("Requests", "Complexity"):
            reset = int(response.headers[f"X-RateLimit-{name}-Reset"])
            assert len(str(reset)) == 13 and reset >= before_ms  # epoch milliseconds
    assert first.headers["X-RateLimit-Requests-Limit"] == "2500"
    assert first.headers["X-RateLimit-Complexity-Limit"] == "3000000"
    assert int(first.headers["X-RateLimit-Requests-Remaining"]) == 2499
    assert int(second.headers["X-RateLimit-Requests-Remaining"]) == 2498
    spent = 3_000_000 - int(second.headers["X-RateLimit-Complexity-Remaining"])
    assert spent == int(first.headers["X-Complexity"]) + int(second.headers["X-Complexity"])


def test_request_budget_exhaustion_is_ratelimited_with_http_400(linear_sim: Any) -> None:
    admin(linear_sim, "POST", "/ratelimit", {"api_key_requests": 3, "mode": "window"})
    statuses = [gql(linear_sim, "{ viewer { id } }").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 400]
    limited = gql(linear_sim, "{ viewer { id } }")
    err = limited.json()["errors"][0]
    assert err["extensions"]["code"] == "RATELIMITED"
    assert err["extensions"]["type"] == "ratelimited"
    assert err["extensions"]["statusCode"] == 429
    assert err["message"].startswith("Rate limit exceeded. Only 3 requests are allowed per 1 hour.")
    assert err["extensions"]["meta"]["rateLimitResult"]["duration"] == 3_600_000
    assert limited.headers["X-RateLimit-Requests-Remaining"] == "0"
    assert int(limited.headers["X-RateLimit-Requests-Reset"]) > time.time() * 1000 + 3_000_000
    assert admin(linear_sim, "GET", "/stats").json()["rate_limited"] == 2
    admin(linear_sim, "POST", "/clock", {"advance_seconds": 3601})
    assert gql(linear_sim, "{ viewer { id } }").status_code == 200


def test_complexity_budget_refills_after_the_reset(linear_sim: Any) -> None:
    admin(
        linear_sim, "POST", "/ratelimit", {"api_key_complexity": 30, "period_seconds": 1.0, "mode": "window"}
    )
    query = "{ issues(first: 10) { nodes { id title } } }"  # 10 x 1.2 = 12 points
    assert gql(linear_sim, query).status_code == 200
    assert gql(linear_sim, query).status_code == 200
    limited = gql(linear_sim, query)
    assert limited.status_code == 400
    assert "complexity" in limited.json()["errors"][0]["message"]
    assert limited.json()["errors"][0]["extensions"]["meta"]["rateLimitResult"]["requested"] == 12
    reset_ms = int(limited.headers["X-RateLimit-Complexity-Reset"])
    wait = reset_ms / 1000 - time.time()
    assert 0 < wait <= 1.0
    time.sleep(wait + 0.05)
    assert gql(linear_sim, query).status_code == 200


def test_ratelimited_status_can_be_429(linear_sim_factory: Any) -> None:
    sim = linear_sim_factory()
    admin(sim, "POST", "/ratelimit", {"api_key_requests": 1, "status": 429})
    gql(sim, "{ viewer { id } }")
    response = gql(sim, "{ viewer { id } }")
    assert response.status_code == 429
    assert response.json()["errors"][0]["extensions"]["code"] == "RATELIMITED"


def test_all_api_keys_of_a_user_share_one_budget(linear_sim_factory: Any) -> None:
    sim = linear_sim_factory(extra_api_keys=("lin_api_second",))
    a = gql(sim, "{ viewer { id } }")
    b = gql(sim, "{ viewer { id } }", auth="lin_api_second")
    assert int(a.headers["X-RateLimit-Requests-Remaining"]) - 1 == int(
        b.headers["X-RateLimit-Requests-Remaining"]
    )


def test_rate_limit_status_query(linear_sim: Any) -> None:
    query = (
        "{ rateLimitStatus { identifier kind limits { type allowedAmount remainingAmount period reset } } }"
    )
    out = gql(linear_sim, query).json()["data"]["rateLimitStatus"]
    assert out["kind"] == "api_key"
    kinds = {row["type"]: row for row in out["limits"]}
    assert kinds["requestLimit"]["allowedAmount"] == 2500
    assert kinds["complexityLimit"]["period"] == 3_600_000


@pytest.mark.parametrize("mode", ["leaky", "window"])
def test_budgets_recover_with_the_simulated_clock(linear_sim: Any, mode: str) -> None:
    admin(linear_sim, "POST", "/ratelimit", {"api_key_requests": 2, "mode": mode})
    codes = [gql(linear_sim, "{ viewer { id } }").status_code for _ in range(3)]
    assert codes == [200, 200, 400]
    admin(linear_sim, "POST", "/clock", {"advance_seconds": 3600})
    assert gql(linear_sim, "{ viewer { id } }").status_code == 200
    response = httpx.get(f"{linear_sim.url}/_sim/ratelimit")
    assert response.json()["mode"] == mode
