"""Contract tests for the Linear simulator's GraphQL surface (linear.md §1 and §3)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from breadbox.simulators.linear import LinearSimConfig
from breadbox.simulators.linear.service import LinearSim
from tests.plugins.linear_sim import admin, gql

ISSUES = """
query Issues($first: Int, $after: String, $filter: IssueFilter, $archived: Boolean, $order: PaginationOrderBy) {
  issues(first: $first, after: $after, filter: $filter, includeArchived: $archived, orderBy: $order) {
    nodes {
      id identifier title description url priority createdAt updatedAt archivedAt trashed
      state { name type } team { id key name } assignee { id name } project { id name }
      labels(first: 10) { nodes { name } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def data(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def walk(sim: Any, query: str, root: str, page: int, **variables: Any) -> list[dict[str, Any]]:
    """Every node of a connection, following endCursor until hasNextPage is false."""
    rows: list[dict[str, Any]] = []
    after = None
    for _ in range(500):
        conn = data(gql(sim, query, {**variables, "first": page, "after": after}))[root]
        rows.extend(conn["nodes"])
        if not conn["pageInfo"]["hasNextPage"]:
            return rows
        after = conn["pageInfo"]["endCursor"]
    raise AssertionError("pagination never ended")


def stamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_viewer_and_organization_shapes(linear_sim: Any) -> None:
    out = data(gql(linear_sim, "{ viewer { id name email isMe } organization { id name urlKey userCount } }"))
    assert out["viewer"]["isMe"] is True
    assert "@" in out["viewer"]["email"]
    assert out["organization"]["urlKey"] == "breadbox-sim"
    assert out["organization"]["userCount"] == 6


def test_issue_fields_and_timestamp_format(linear_sim: Any) -> None:
    nodes = data(gql(linear_sim, ISSUES, {"first": 5}))["issues"]["nodes"]
    assert len(nodes) == 5
    for node in nodes:
        assert node["identifier"].split("-")[0] == node["team"]["key"]
        assert node["url"].startswith("https://linear.app/breadbox-sim/issue/" + node["identifier"])
        # Millisecond precision, UTC, Z suffix.
        assert len(node["updatedAt"]) == 24 and node["updatedAt"].endswith("Z")
        assert stamp(node["updatedAt"]) >= stamp(node["createdAt"])
        assert node["state"]["type"] in {"triage", "backlog", "unstarted", "started", "completed", "canceled"}


def test_pagination_walks_every_visible_issue_exactly_once(linear_sim: Any) -> None:
    rows = walk(linear_sim, ISSUES, "issues", 7)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == 17  # 20 generated, 2 archived + 1 trashed hidden by default
    everything = walk(linear_sim, ISSUES, "issues", 250, archived=True)
    assert len(everything) == 20


def test_page_end_conditions(linear_sim: Any) -> None:
    conn = data(gql(linear_sim, ISSUES, {"first": 17}))["issues"]
    assert conn["pageInfo"]["hasNextPage"] is False
    after_last = data(gql(linear_sim, ISSUES, {"first": 5, "after": conn["pageInfo"]["endCursor"]}))["issues"]
    assert after_last["nodes"] == []
    assert after_last["pageInfo"] == {"hasNextPage": False, "endCursor": None}


def test_default_page_size_is_50(linear_sim_factory: Any) -> None:
    sim = linear_sim_factory(issues=60, comments_per_issue=0, archived_issues=0, trashed_issues=0)
    conn = data(gql(sim, "{ issues { nodes { id } pageInfo { hasNextPage } } }"))["issues"]
    assert len(conn["nodes"]) == 50 and conn["pageInfo"]["hasNextPage"] is True


def test_edges_carry_cursors_usable_as_after(linear_sim: Any) -> None:
    query = "query($after: String) { issues(first: 3, after: $after) { edges { cursor node { id } } } }"
    edges = data(gql(linear_sim, query))["issues"]["edges"]
    following = data(gql(linear_sim, query, {"after": edges[0]["cursor"]}))["issues"]["edges"]
    assert [e["node"]["id"] for e in following[:2]] == [e["node"]["id"] for e in edges[1:]]


def test_invalid_cursor_is_an_input_error(linear_sim: Any) -> None:
    response = gql(linear_sim, ISSUES, {"first": 5, "after": "not-a-cursor"})
    assert response.status_code == 400
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "INPUT_ERROR"


def test_order_by_updated_at_descending_by_default_and_switchable(linear_sim: Any) -> None:
    rows = walk(linear_sim, ISSUES, "issues", 50, order="updatedAt")
    stamps = [stamp(r["updatedAt"]) for r in rows]
    assert stamps == sorted(stamps, reverse=True)
    created = [stamp(r["createdAt"]) for r in walk(linear_sim, ISSUES, "issues", 50)]
    assert created == sorted(created, reverse=True)
    admin(linear_sim, "POST", "/quirks", {"order_direction": "asc"})
    ascending = [stamp(r["updatedAt"]) for r in walk(linear_sim, ISSUES, "issues", 50, order="updatedAt")]
    assert ascending == sorted(ascending)


def test_updated_at_filter_comparators(linear_sim: Any) -> None:
    rows = walk(linear_sim, ISSUES, "issues", 50, order="updatedAt", archived=True)
    pivot = rows[len(rows) // 2]["updatedAt"]
    p = stamp(pivot)

    def count(comparator: dict[str, Any]) -> list[datetime]:
        got = walk(linear_sim, ISSUES, "issues", 50, archived=True, filter={"updatedAt": comparator})
        return [stamp(r["updatedAt"]) for r in got]

    assert all(s > p for s in count({"gt": pivot})) and count({"gt": pivot})
    assert all(s >= p for s in count({"gte": pivot})) and p in count({"gte": pivot})
    assert all(s < p for s in count({"lt": pivot}))
    assert p in count({"lte": pivot})
    assert len(count({"gt": pivot})) + len(count({"lte": pivot})) == len(rows)
    # ISO durations are relative to the simulated now.
    assert len(count({"gt": "-P1000D"})) == len(rows)
    assert count({"gt": "P1D"}) == []


def test_relation_and_boolean_filters(linear_sim: Any) -> None:
    eng = walk(linear_sim, ISSUES, "issues", 50, filter={"team": {"key": {"eq": "ENG"}}})
    assert eng and all(r["team"]["key"] == "ENG" for r in eng)
    either = walk(
        linear_sim, ISSUES, "issues", 50,
        filter={"or": [{"team": {"key": {"eq": "ENG"}}}, {"team": {"key": {"eq": "OPS"}}}]},
    )  # fmt: skip
    assert {r["team"]["key"] for r in either} <= {"ENG", "OPS"} and len(either) > len(eng) - 1
    unassigned = walk(linear_sim, ISSUES, "issues", 50, filter={"assignee": {"null": True}})
    assert all(r["assignee"] is None for r in unassigned)


def test_trash_and_archive_visible_only_with_include_archived(linear_sim: Any) -> None:
    hidden = [r for r in walk(linear_sim, ISSUES, "issues", 50, archived=True) if r["archivedAt"]]
    assert len(hidden) == 3
    assert sum(1 for r in hidden if r["trashed"]) == 1
    visible_ids = {r["id"] for r in walk(linear_sim, ISSUES, "issues", 50)}
    assert not visible_ids & {r["id"] for r in hidden}


def test_issue_by_uuid_and_identifier_and_unknown(linear_sim: Any) -> None:
    node = data(gql(linear_sim, ISSUES, {"first": 1}))["issues"]["nodes"][0]
    query = "query($id: String!) { issue(id: $id) { id identifier } }"
    assert data(gql(linear_sim, query, {"id": node["id"]}))["issue"]["identifier"] == node["identifier"]
    assert data(gql(linear_sim, query, {"id": node["identifier"]}))["issue"]["id"] == node["id"]
    missing = gql(linear_sim, query, {"id": "00000000-0000-4000-8000-000000000000"})
    assert missing.status_code == 400
    body = missing.json()
    assert body["data"] is None
    err = body["errors"][0]
    assert err["message"] == "Entity not found: Issue"
    assert err["path"] == ["issue"]
    assert err["extensions"]["code"] == "INPUT_ERROR" and err["extensions"]["type"] == "invalid input"


def test_unknown_field_fails_validation_like_linear(linear_sim: Any) -> None:
    response = gql(linear_sim, "{ issues(first: 1) { nodes { id nosuchfield } } }")
    assert response.status_code == 400
    err = response.json()["errors"][0]
    assert err["message"] == "Cannot query field 'nosuchfield' on type 'Issue'."
    assert err["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert err["extensions"]["type"] == "graphql error"
    assert err["locations"][0]["line"] == 1
    assert "data" not in response.json()


def test_syntax_error_and_non_json_body(linear_sim: Any) -> None:
    broken = gql(linear_sim, "{ issues(first: 1) { nodes { id }")
    assert broken.status_code == 400
    assert broken.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    raw = httpx.post(linear_sim.graphql_url, content=b"nope", headers={"Authorization": linear_sim.api_key})
    assert raw.status_code == 400 and raw.json()["errors"][0]["message"]


def test_unmodelled_non_null_fields_resolve_to_empty_values(linear_sim: Any) -> None:
    query = "{ issues(first: 2) { nodes { id sortOrder reactionData history(first: 5) { nodes { id } } sharedAccess { isShared } } } }"
    nodes = data(gql(linear_sim, query))["issues"]["nodes"]
    assert nodes[0]["sortOrder"] == 0 and nodes[0]["reactionData"] == {}
    assert nodes[0]["history"]["nodes"] == []
    assert nodes[0]["sharedAccess"]["isShared"] is False


COMMENTS = """
query Comments($first: Int, $after: String, $filter: CommentFilter) {
  comments(first: $first, after: $after, filter: $filter, includeArchived: true, orderBy: updatedAt) {
    nodes { id body createdAt updatedAt archivedAt editedAt issue { id identifier } user { name } parent { id } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def test_top_level_comments_include_document_comments_without_issue(linear_sim: Any) -> None:
    rows = walk(linear_sim, COMMENTS, "comments", 13)
    assert len(rows) == 20 * 2 + 2
    assert sum(1 for r in rows if r["issue"] is None) == 2
    one = next(r for r in rows if r["issue"])
    only = walk(linear_sim, COMMENTS, "comments", 50, filter={"issue": {"id": {"eq": one["issue"]["id"]}}})
    assert {r["issue"]["id"] for r in only} == {one["issue"]["id"]} and len(only) == 2


def test_long_thread_pages_through_nested_comments(linear_sim_factory: Any) -> None:
    sim = linear_sim_factory(long_thread_comments=120)
    query = """query($after: String) { issue(id: "ENG-1") { id comments(first: 50, after: $after) {
        nodes { id body user { name } issue { id } } pageInfo { hasNextPage endCursor } } } }"""
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        conn = data(gql(sim, query, {"after": after}))["issue"]["comments"]
        pages += 1
        seen += [n["id"] for n in conn["nodes"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert pages == 3 and len(set(seen)) == 120


def test_projects_and_documents_carry_markdown_content(linear_sim: Any) -> None:
    query = """{ projects(first: 10, includeArchived: true) { nodes { id name description content url slugId
        status { name type } lead { name } teams { nodes { key } } documents { nodes { id } } } }
      documents(first: 10, includeArchived: true) { nodes { id title content url slugId trashed
        project { id name } issue { id } team { key } creator { name } } } }"""
    out = data(gql(linear_sim, query))
    projects, documents = out["projects"]["nodes"], out["documents"]["nodes"]
    assert len(projects) == 3 and len(documents) == 4
    assert all(p["content"].startswith("# Project ") and "## Goals" in p["content"] for p in projects)
    assert all(d["content"].startswith("# ") and "## Details" in d["content"] for d in documents)
    by_project = {d["id"] for p in projects for d in p["documents"]["nodes"]}
    assert by_project == {d["id"] for d in documents if d["project"]}
    for doc in documents:
        assert sum(1 for parent in (doc["project"], doc["issue"], doc["team"]) if parent) == 1


def test_teams_states_labels_and_users(linear_sim: Any) -> None:
    query = """{ teams(first: 5) { nodes { id key name states { nodes { name type } } issues(first: 30) { nodes { id } } } }
      issueLabels { nodes { name } } users { nodes { name active } } }"""
    out = data(gql(linear_sim, query))
    keys = [t["key"] for t in out["teams"]["nodes"]]
    assert sorted(keys) == ["DES", "ENG", "OPS"]
    assert all(len(t["states"]["nodes"]) == 6 for t in out["teams"]["nodes"])
    assert sum(len(t["issues"]["nodes"]) for t in out["teams"]["nodes"]) == 17
    assert {lb["name"] for lb in out["issueLabels"]["nodes"]} == {"Bug", "Feature", "Improvement", "Chore"}


def test_workspace_is_deterministic_for_a_seed() -> None:
    def digest(seed: int) -> list[tuple[str, str, str | None]]:
        sim = LinearSim(LinearSimConfig(seed=seed, issues=30))
        return [(i.id, i.title, i.description) for i in sim.ws.issues]

    assert digest(7) == digest(7)
    assert digest(7) != digest(8)


def test_benchmark_sized_workspace_builds_fast() -> None:
    import time

    started = time.perf_counter()
    sim = LinearSim(LinearSimConfig(issues=2000, comments_per_issue=5))
    elapsed = time.perf_counter() - started
    assert len(sim.ws.issues) == 2000 and len(sim.ws.comments) == 10_000 + 2
    assert elapsed < 2.0


def test_admin_edits_show_up_with_later_timestamps(linear_sim: Any) -> None:
    created = admin(
        linear_sim,
        "POST",
        "/issues",
        {"title": "Quokka ledger sync", "description": "hello", "team_key": "OPS"},
    ).json()
    assert created["identifier"].startswith("OPS-")
    query = "query($id: String!) { issue(id: $id) { id identifier title description updatedAt trashed archivedAt previousIdentifiers comments { nodes { body } } } }"
    before = data(gql(linear_sim, query, {"id": created["id"]}))["issue"]
    assert before["title"] == "Quokka ledger sync"
    admin(linear_sim, "POST", "/clock", {"advance_seconds": 60})
    admin(linear_sim, "PATCH", f"/issues/{created['id']}", {"description": "edited text"})
    after = data(gql(linear_sim, query, {"id": created["id"]}))["issue"]
    assert after["description"] == "edited text"
    assert stamp(after["updatedAt"]) - stamp(before["updatedAt"]) >= timedelta(seconds=60)
    comment = admin(linear_sim, "POST", f"/issues/{created['id']}/comments", {"body": "first reply"}).json()
    assert comment["id"]
    assert data(gql(linear_sim, query, {"id": created["id"]}))["issue"]["comments"]["nodes"] == [
        {"body": "first reply"}
    ]
    moved = admin(linear_sim, "PATCH", f"/issues/{created['id']}", {"team_key": "DES"}).json()
    assert moved["identifier"].startswith("DES-")
    via_old = data(gql(linear_sim, query, {"id": created["identifier"]}))["issue"]
    assert via_old["identifier"] == moved["identifier"]
    assert via_old["previousIdentifiers"] == [created["identifier"]]


def test_admin_trash_and_hard_delete(linear_sim: Any) -> None:
    created = admin(linear_sim, "POST", "/issues", {"title": "Doomed", "description": "x"}).json()
    admin(linear_sim, "DELETE", f"/issues/{created['id']}")
    default_ids = {r["id"] for r in walk(linear_sim, ISSUES, "issues", 50)}
    archived = {r["id"]: r for r in walk(linear_sim, ISSUES, "issues", 50, archived=True)}
    assert created["id"] not in default_ids
    assert archived[created["id"]]["trashed"] is True and archived[created["id"]]["archivedAt"]
    admin(linear_sim, "DELETE", f"/issues/{created['id']}?hard=true")
    assert created["id"] not in {r["id"] for r in walk(linear_sim, ISSUES, "issues", 50, archived=True)}
    gone = gql(linear_sim, "query($id: String!) { issue(id: $id) { id } }", {"id": created["id"]})
    assert gone.status_code == 400


def test_stats_count_graphql_requests_by_root_field(linear_sim: Any) -> None:
    admin(linear_sim, "POST", "/reset-stats")
    data(gql(linear_sim, ISSUES, {"first": 2}))
    data(gql(linear_sim, "{ viewer { id } organization { id } }"))
    admin(linear_sim, "GET", "/workspace")
    stats = admin(linear_sim, "GET", "/stats").json()
    assert stats["requests"]["total"] == 2
    assert stats["requests"]["by_endpoint"]["POST /graphql"] == 2
    assert stats["requests"]["by_endpoint"]["graphql:issues"] == 1
    assert stats["requests"]["by_endpoint"]["graphql:viewer"] == 1
    assert stats["by_token"][linear_sim.api_key] == 2
    assert stats["complexity"] > 0


def test_fault_injection_returns_html_5xx(linear_sim: Any) -> None:
    admin(linear_sim, "POST", "/faults", {"fail_next": 1, "statuses": [502]})
    failed = gql(linear_sim, "{ viewer { id } }")
    assert failed.status_code == 502 and failed.headers["content-type"].startswith("text/html")
    assert gql(linear_sim, "{ viewer { id } }").status_code == 200
