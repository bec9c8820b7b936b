"""Fidelity: what the simulator accepts, Linear's schema accepts, and the sync queries of
linear.md §3 run unchanged with the complexity the doc estimates for them."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse, validate

from tests.plugins.linear_sim import ACCEPTED_QUERIES, assert_valid_for_linear, gql, reference_schema

ME = "query Me { viewer { id name email } organization { id name urlKey } }"
ISSUES = """
query Issues($first: Int!, $after: String, $since: DateTimeOrDuration, $until: DateTimeOrDuration) {
  issues(first: $first, after: $after, includeArchived: true, orderBy: updatedAt,
         filter: { updatedAt: { gt: $since, lte: $until } }) {
    nodes {
      id identifier title description url priority createdAt updatedAt archivedAt trashed
      state { name type }  team { id key name }  assignee { id name }  project { id name }
      labels(first: 10) { nodes { name } }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""
COMMENTS = """
query Comments($first: Int!, $after: String, $since: DateTimeOrDuration, $until: DateTimeOrDuration) {
  comments(first: $first, after: $after, includeArchived: true, orderBy: updatedAt,
           filter: { updatedAt: { gt: $since, lte: $until } }) {
    nodes { id body createdAt updatedAt archivedAt issue { id } user { name } }
    pageInfo { hasNextPage endCursor }
  }
}"""
PROJECTS = """
query Projects($first: Int!, $after: String, $since: DateTimeOrDuration) {
  projects(first: $first, after: $after, includeArchived: true, orderBy: updatedAt, filter: { updatedAt: { gt: $since } }) {
    nodes { id name description content url createdAt updatedAt archivedAt trashed status { name type } lead { name } }
    pageInfo { hasNextPage endCursor }
  }
}"""
DOCUMENTS = """
query Documents($first: Int!, $after: String, $since: DateTimeOrDuration) {
  documents(first: $first, after: $after, includeArchived: true, orderBy: updatedAt, filter: { updatedAt: { gt: $since } }) {
    nodes { id title content url createdAt updatedAt archivedAt trashed project { id } issue { id } creator { name } }
    pageInfo { hasNextPage endCursor }
  }
}"""
SWEEP = "query Sweep($after: String) { issues(first: 250, after: $after, includeArchived: true) { nodes { id } pageInfo { hasNextPage endCursor } } }"
NESTED = """
query Nested($after: String) {
  issues(first: 50, after: $after, includeArchived: true) {
    nodes { id title comments(first: 50) { nodes { id body createdAt updatedAt user { name } } pageInfo { hasNextPage endCursor } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

# (query, variables, expected X-Complexity by the §2 rule; the doc's rounded estimates in comments)
SYNC_QUERIES: list[tuple[str, dict[str, Any], int]] = [
    (ME, {}, 3),
    (ISSUES, {"first": 250, "since": "-P30D"}, 4477),  # doc: "first:250 costs about 4,500"
    (ISSUES, {"first": 50}, 897),  # doc: "first:50 about 900"
    (COMMENTS, {"first": 250}, 927),  # doc: "about 3.7 per node, so first:250 costs about 925"
    (PROJECTS, {"first": 50}, 212),  # 50 x 4.2 + 1.2; doc: "first:50 costs about 205"
    (DOCUMENTS, {"first": 50}, 257),  # 50 x 5.1 + 1.2; doc: "about 5 per node"
    (SWEEP, {}, 277),  # doc: "about 275 points per page"
    (NESTED, {}, 6372),  # 50 x (1.2 + 50 x 2.5 + 1.2) + 1.2; doc: ~7,150 with more fields
]


@pytest.mark.parametrize(("query", "variables", "expected"), SYNC_QUERIES)
def test_recommended_sync_queries_run_with_documented_cost(
    linear_sim: Any, query: str, variables: dict[str, Any], expected: int
) -> None:
    assert_valid_for_linear(query)
    response = gql(linear_sim, query, variables)
    assert response.status_code == 200, response.text
    assert "errors" not in response.json()
    assert int(response.headers["X-Complexity"]) == expected


def test_nested_comments_at_first_100_are_over_the_cap(linear_sim: Any) -> None:
    response = gql(linear_sim, NESTED.replace("issues(first: 50", "issues(first: 100"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Query too complex"


INVALID = [
    "{ issues(first: 1) { nodes { contentData } } }",  # linear.md: not a field
    "{ issue { id } }",  # missing required id
    "{ issues(orderBy: title) { nodes { id } } }",  # not a PaginationOrderBy value
    '{ issues(filter: { updatedAt: { after: "2024" } }) { nodes { id } } }',  # not a DateComparator field
    "{ viewer { id name { first } } }",  # selection on a scalar
]


@pytest.mark.parametrize("query", INVALID)
def test_simulator_rejects_what_linear_schema_rejects(linear_sim: Any, query: str) -> None:
    assert validate(reference_schema(), parse(query)) != []
    response = gql(linear_sim, query)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_every_query_accepted_in_this_session_validates_against_linear_schema(linear_sim: Any) -> None:
    gql(linear_sim, ME)  # so the check never runs on an empty list
    assert ACCEPTED_QUERIES
    for query in set(ACCEPTED_QUERIES):
        assert validate(reference_schema(), parse(query)) == [], query
