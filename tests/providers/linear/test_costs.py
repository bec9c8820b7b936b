"""Query cost arithmetic, budget headers, and the request/complexity figures of linear.md §7."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta

import pytest

from breadbox.providers.base import SyncWindow
from breadbox.providers.linear.budget import LinearBudget, budget_for, epoch_seconds
from breadbox.providers.linear.client import auth_header
from breadbox.providers.linear.fields import ISSUE, stream_root
from breadbox.providers.linear.query import Conn, Obj, Root, build, fit, tenths
from breadbox.providers.ratelimit import RateLimiter
from breadbox.simulators.linear import LinearSimHandle
from tests.plugins.linear_sim import admin, assert_valid_for_linear, gql

from .conftest import connector, drain, full_window, reset_stats, sim_now, stats

SimFactory = Callable[..., LinearSimHandle]


def test_cost_rule_matches_the_documented_examples() -> None:
    # linear.md §2: createdIssues { nodes { id title createdAt } } costs 66 by default, 14 at first: 10.
    nodes = ("id", "title", "createdAt")
    assert math.ceil((10 + tenths((Conn("createdIssues", 50, "", nodes, ()),))) / 10) == 66
    assert math.ceil((10 + tenths((Conn("createdIssues", 10, "", nodes, ()),))) / 10) == 14
    assert tenths((Obj("state", ("name", "type")),)) == 12


def test_fit_keeps_a_request_under_the_cap() -> None:
    window = SyncWindow(None, sim_now_stub(), True)
    roots = [stream_root(n, window, None) for n in ("issues", "projects", "documents")]
    fitted = fit(roots, 9_000)
    assert build("Sweep", fitted).cost <= 9_000 < build("Sweep", roots).cost
    assert all(r.first >= 1 for r in fitted)
    lone = fit([Root("issues", "issues", 250, ISSUE)], 9_000)[0]
    assert lone.first == 250  # a page of issues with their first comments fits on its own


def sim_now_stub():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(2026, 1, 1, tzinfo=UTC)


async def test_computed_cost_equals_the_servers(linear_sim: LinearSimHandle) -> None:
    window = full_window(linear_sim)
    roots = [stream_root(n, window, None) for n in ("issues", "projects", "documents")]
    op = build("Sweep", fit(roots, 9_000))
    assert_valid_for_linear(op.text)
    response = gql(linear_sim, op.text, op.variables)
    assert response.status_code == 200, response.text
    assert int(response.headers["X-Complexity"]) == op.cost
    # And over a whole load: every query we priced is what the server charged.
    reset_stats(linear_sim)
    conn = connector(linear_sim)
    await drain(conn, window)
    await conn.list_ids(True)
    assert stats(linear_sim)["complexity"] == conn.client.points
    assert conn.client.calibration == 1.0


@pytest.mark.parametrize("value", ["1791143331872", "1791143331", "1791143331872.0"])
def test_reset_headers_in_milliseconds_or_seconds(value: str) -> None:
    assert epoch_seconds(value) == pytest.approx(
        1791143331.872 if len(value.split(".")[0]) == 13 else 1791143331
    )


def test_budget_waits_for_refill_or_reset() -> None:
    t = 1_790_000_000.0
    budget = LinearBudget()
    budget.observe(
        {
            "X-RateLimit-Complexity-Limit": "3600",
            "X-RateLimit-Complexity-Remaining": "100",
            "X-RateLimit-Complexity-Reset": str(int((t + 3500) * 1000)),  # epoch ms
            "X-RateLimit-Requests-Limit": "100",
            "X-RateLimit-Requests-Remaining": "50",
        }
    )
    assert budget.complexity.reset_at == pytest.approx(t + 3500)
    budget.complexity.observed_at = budget.requests.observed_at = t
    assert budget.wait_for(50, now=t) == 0
    # 400 points missing at 1 point/s (3600 per hour): 400 s, sooner than the reset.
    assert budget.wait_for(500, now=t) == pytest.approx(400)
    assert budget.wait_for(500, now=t + 200) == pytest.approx(200)  # refilled meanwhile
    # A fixed-window server: nothing refills before the reset, which is then the answer.
    budget.complexity.observe(
        {"x-ratelimit-complexity-reset": str(int((t + 60) * 1000))}, "x-ratelimit-complexity", t
    )
    assert budget.wait_for(5000, now=t) == pytest.approx(60)
    assert budget.wait_for(5000, now=t + 61) == 0  # reset passed: the full budget is back


def test_budget_is_shared_through_the_limiter() -> None:
    limiter = RateLimiter(0)
    assert budget_for(limiter) is budget_for(limiter)
    assert budget_for(limiter) is not budget_for(RateLimiter(0))


def test_api_keys_go_raw_and_oauth_tokens_as_bearer() -> None:
    assert auth_header("lin_api_abc") == "lin_api_abc"
    assert auth_header("lin_oauth_abc") == "Bearer lin_oauth_abc"


async def test_linear_md_estimate_for_2000_issues_with_5_comments(
    linear_sim_factory: SimFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """Full sync (load + ID sweep) within 1.5x of linear.md §7's requests and complexity;
    incremental with 10 changes in at most 5 requests."""
    sim = linear_sim_factory(issues=2000, comments_per_issue=5, projects=4, documents=6)
    counts = sim.sim.ws
    n, c = len(counts.issues), sum(len(i.comments) for i in counts.issues) / len(counts.issues)
    p, d = len(counts.projects), len(counts.documents)
    est_requests = math.ceil(n / 250) + math.ceil(n * c / 250) + math.ceil(p / 50) + math.ceil(d / 50) + 1
    est_points = 18 * n + 3.7 * n * c + 4 * p + 5 * d
    reset_stats(sim)
    window = full_window(sim)
    conn = connector(sim)
    loaded = await drain(conn, window)
    load_stats = stats(sim)
    await conn.list_ids(True)
    full = stats(sim)
    assert len(loaded.of_kind("issue")) == sum(1 for i in counts.issues if i.archivedAt is None)
    assert full["requests"]["total"] <= 1.5 * est_requests
    assert full["complexity"] <= 1.5 * est_points

    changed = [i.id for i in counts.issues if i.archivedAt is None][:10]
    sim_now(sim, advance=60)
    for issue_id in changed:
        admin(sim, "PATCH", f"/issues/{issue_id}", {"description": "Changed for the incremental figure."})
    # Without the engine's overlap first, then with it: the generated comments crowd the
    # moments before the workspace was built, so the overlap re-reads a few dozen issues.
    figures = []
    for overlap in (0, conn.overlap_seconds):
        reset_stats(sim)
        since = window.until - timedelta(seconds=overlap)
        incremental = await drain(connector(sim), SyncWindow(since, sim_now(sim), False))
        figures.append(stats(sim))
        assert set(changed) <= set(incremental.documents)
        assert figures[-1]["requests"]["total"] <= 5
        if overlap == 0:
            assert set(incremental.documents) == set(changed)
    inc, inc_overlap = figures
    with capsys.disabled():
        print(
            f"\nlinear full sync {n} issues x {c:g} comments, {p} projects, {d} documents: "
            f"load {load_stats['requests']['total']} requests / {load_stats['complexity']} points, "
            f"with ID sweep {full['requests']['total']} requests / {full['complexity']} points; "
            f"linear.md estimate {est_requests} requests / {est_points:.0f} points "
            f"(ratios {full['requests']['total'] / est_requests:.2f}, {full['complexity'] / est_points:.2f}); "
            f"incremental with 10 changes: {inc['requests']['total']} requests / {inc['complexity']} points "
            f"({inc_overlap['requests']['total']} / {inc_overlap['complexity']} with the {conn.overlap_seconds} s overlap)"
        )
