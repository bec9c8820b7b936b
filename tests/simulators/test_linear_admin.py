"""The `/_sim/` hooks beyond issues, the `start()` handle and the CLI command."""

from __future__ import annotations

import inspect
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import typer
from typer.testing import CliRunner

from breadbox.simulators.linear import LinearSimConfig, start
from breadbox.simulators.linear.cli import simulate_linear
from tests.plugins.linear_sim import admin, gql

DOCS = "{ documents(first: 20, includeArchived: $a) { nodes { id title content trashed archivedAt updatedAt } } }"


def documents(sim: Any, include_archived: bool) -> list[dict[str, Any]]:
    query = "query($a: Boolean) " + DOCS
    return gql(sim, query, {"a": include_archived}).json()["data"]["documents"]["nodes"]


def test_start_handle_exposes_url_credentials_and_state() -> None:
    with start(
        LinearSimConfig(issues=3, token="lin_api_handle", client_id="cid", client_secret="sec")
    ) as sim:
        assert sim.url.startswith("http://127.0.0.1:")
        assert (sim.api_key, sim.client_id, sim.client_secret) == ("lin_api_handle", "cid", "sec")
        assert gql(sim, "{ viewer { id } }").status_code == 200
        assert sim.state.stats.total == 1
        assert len(sim.sim.ws.issues) == 3


def test_document_edit_and_trash(linear_sim: Any) -> None:
    doc = documents(linear_sim, False)[0]
    admin(linear_sim, "POST", "/clock", {"advance_seconds": 5})
    admin(linear_sim, "PATCH", f"/documents/{doc['id']}", {"content": "# Rewritten\n\nnarwhal manifesto"})
    edited = next(d for d in documents(linear_sim, False) if d["id"] == doc["id"])
    assert edited["content"] == "# Rewritten\n\nnarwhal manifesto" and edited["updatedAt"] > doc["updatedAt"]
    admin(linear_sim, "DELETE", f"/documents/{doc['id']}")
    assert doc["id"] not in {d["id"] for d in documents(linear_sim, False)}
    trashed = next(d for d in documents(linear_sim, True) if d["id"] == doc["id"])
    assert trashed["trashed"] is True and trashed["archivedAt"]
    # Trashing does not bump updatedAt by default (unverified in linear.md; the harder case).
    assert trashed["updatedAt"] == edited["updatedAt"]


def test_archive_bump_quirk(linear_sim: Any) -> None:
    admin(linear_sim, "POST", "/quirks", {"archive_bumps_updated_at": True})
    created = admin(linear_sim, "POST", "/issues", {"title": "t", "description": "d"}).json()
    admin(linear_sim, "POST", "/clock", {"advance_seconds": 30})
    admin(linear_sim, "DELETE", f"/issues/{created['id']}")
    query = "query($id: String!) { issue(id: $id) { createdAt updatedAt archivedAt } }"
    issue = gql(linear_sim, query, {"id": created["id"]}).json()["data"]["issue"]
    assert issue["updatedAt"] == issue["archivedAt"] > issue["createdAt"]


def test_comment_edit_and_hard_delete(linear_sim: Any) -> None:
    created = admin(linear_sim, "POST", "/issues", {"title": "t", "description": "d"}).json()
    comment = admin(linear_sim, "POST", f"/issues/{created['id']}/comments", {"body": "v1"}).json()
    admin(linear_sim, "PATCH", f"/comments/{comment['id']}", {"body": "v2"})
    query = "query($id: String!) { issue(id: $id) { comments { nodes { id body editedAt } } } }"
    nodes = gql(linear_sim, query, {"id": created["id"]}).json()["data"]["issue"]["comments"]["nodes"]
    assert nodes[0]["body"] == "v2" and nodes[0]["editedAt"]
    admin(linear_sim, "DELETE", f"/comments/{comment['id']}")
    assert gql(linear_sim, query, {"id": created["id"]}).json()["data"]["issue"]["comments"]["nodes"] == []


def test_comment_does_not_bump_issue_unless_configured(linear_sim_factory: Any) -> None:
    for bump in (False, True):
        sim = linear_sim_factory(comment_bumps_issue=bump)
        created = admin(sim, "POST", "/issues", {"title": "t", "description": "d"}).json()
        admin(sim, "POST", "/clock", {"advance_seconds": 10})
        admin(sim, "POST", f"/issues/{created['id']}/comments", {"body": "hi"})
        query = "query($id: String!) { issue(id: $id) { createdAt updatedAt } }"
        issue = gql(sim, query, {"id": created["id"]}).json()["data"]["issue"]
        assert (issue["updatedAt"] > issue["createdAt"]) is bump


def test_max_concurrency_is_observed(linear_sim: Any) -> None:
    admin(linear_sim, "POST", "/faults", {"latency_ms": 300})
    admin(linear_sim, "POST", "/reset-stats")
    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(lambda _: gql(linear_sim, "{ viewer { id } }").status_code, range(4)))
    assert codes == [200] * 4
    assert admin(linear_sim, "GET", "/stats").json()["max_concurrency"] >= 2


def test_workspace_summary(linear_sim: Any) -> None:
    summary = admin(linear_sim, "GET", "/workspace").json()
    assert summary["api_key"] == linear_sim.api_key
    assert summary["counts"] == {"issues": 20, "comments": 42, "projects": 3, "documents": 4, "users": 6}
    assert sum(1 for i in summary["issues"] if i["trashed"]) == 1


def test_cli_command_is_a_typer_function_with_the_documented_options() -> None:
    params = inspect.signature(simulate_linear).parameters
    assert list(params)[:6] == ["port", "issues", "seed", "token", "client_id", "client_secret"]
    app = typer.Typer()
    app.command("linear")(simulate_linear)
    app.command("other")(lambda: None)
    result = CliRunner().invoke(app, ["linear", "--help"])
    assert result.exit_code == 0
    for option in ("--port", "--issues", "--seed", "--token", "--client-id", "--client-secret"):
        assert option in result.output
