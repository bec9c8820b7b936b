"""Keyset pagination: newest first, cursors in both directions, totals, bounds."""

from __future__ import annotations

import base64
import json

import pytest


@pytest.fixture
def many(api):
    ids = [api.post("/v1/data_sources/", json={"name": f"ds-{i}"}).json()["id"] for i in range(45)]
    return list(reversed(ids))  # newest first


def walk(api, path, direction="after", start=None, limit=10):
    seen, cursor, pages = [], start, 0
    while True:
        params = {"limit": limit}
        if cursor:
            params[direction] = cursor
        body = api.get(path, params=params).json()
        pages += 1
        seen.extend(item["id"] for item in body["data"])
        if not body["pagination"]["has_more"]:
            return seen, pages
        cursor = body["pagination"]["last_cursor" if direction == "after" else "first_cursor"]


def test_forward_walk_is_complete_and_newest_first(api, many):
    seen, pages = walk(api, "/v1/data_sources/")
    assert seen == many and pages == 5


def test_backward_pages_are_newest_first_too(api, many):
    page3 = api.get("/v1/data_sources/", params={"limit": 10, "after": _cursor_at(api, 20)}).json()
    assert [d["id"] for d in page3["data"]] == many[20:30]
    back = api.get(
        "/v1/data_sources/", params={"limit": 10, "before": page3["pagination"]["first_cursor"]}
    ).json()
    assert [d["id"] for d in back["data"]] == many[10:20]
    assert back["pagination"]["has_more"] is True
    first = api.get(
        "/v1/data_sources/", params={"limit": 10, "before": back["pagination"]["first_cursor"]}
    ).json()
    assert [d["id"] for d in first["data"]] == many[0:10]
    assert first["pagination"]["has_more"] is False, "nothing newer than the newest page"


def _cursor_at(api, index: int) -> str:
    body = api.get("/v1/data_sources/", params={"limit": index}).json()
    return body["pagination"]["last_cursor"]


def test_empty_page_and_totals(api, many):
    last = api.get("/v1/data_sources/", params={"limit": 100, "include_total": True}).json()
    assert last["pagination"]["total"] == 45 and last["pagination"]["has_more"] is False
    empty = api.get("/v1/data_sources/", params={"after": last["pagination"]["last_cursor"]}).json()
    assert empty["data"] == []
    assert empty["pagination"] == {
        "has_more": False,
        "first_cursor": None,
        "last_cursor": None,
        "total": None,
    }
    assert api.get("/v1/data_sources/").json()["pagination"]["total"] is None
    default = api.get("/v1/data_sources/").json()
    assert len(default["data"]) == 20 and default["object"] == "list"


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"limit": "x"}])
def test_limit_bounds(api, params):
    assert api.get("/v1/data_sources/", params=params).status_code == 422


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!",
        base64.urlsafe_b64encode(b"[1,2]").decode(),
        base64.urlsafe_b64encode(json.dumps({"created_at": "yesterday", "id": "x"}).encode()).decode(),
        base64.urlsafe_b64encode(
            json.dumps({"created_at": "2024-01-01T00:00:00", "id": "7"}).encode()
        ).decode(),
    ],
)
def test_malformed_cursor_is_422(api, cursor):
    for direction in ("after", "before"):
        r = api.get("/v1/data_sources/", params={direction: cursor})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["query", direction]


def test_spec_example_cursor_shape_is_accepted(api):
    cursor = base64.urlsafe_b64encode(
        json.dumps(
            {"created_at": "2024-12-31T23:59:59.000Z", "id": "0b6a1d3c-8f1e-4a7b-9c2d-3e4f5a6b7c8d"}
        ).encode()
    ).decode()
    r = api.get("/v1/data_sources/", params={"after": cursor})
    assert r.status_code == 200 and r.json()["data"] == []


def test_connector_lists_paginate_too(api, store):
    ds = api.post("/v1/data_sources/", json={"name": "d"}).json()
    ids = [
        api.post(
            f"/v1/data_sources/{ds['id']}/connectors", json={"store_id": store["id"], "trigger_sync": False}
        ).json()["id"]
        for _ in range(25)
    ]
    seen, pages = walk(api, f"/v1/data_sources/{ds['id']}/connectors", limit=7)
    assert seen == list(reversed(ids)) and pages == 4
