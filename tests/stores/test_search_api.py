"""`/v1/stores/search`: ranking basics, top_k, stores by ID or name, file_ids, filters, threshold, options."""

from __future__ import annotations

import httpx
import pytest

from tests.plugins.api import ApiServer
from tests.stores.conftest import make_store, upload

DOCS = [
    ("lion.md", {"kind": "cat", "weight": 190, "wild": True, "region": "africa", "since": "2020-01-05"}),
    ("tiger.md", {"kind": "cat", "weight": 220, "wild": True, "region": "asia", "since": "2021-06-01"}),
    (
        "housecat.md",
        {"kind": "cat", "weight": 4.5, "wild": False, "region": "everywhere", "since": "2019-03-03"},
    ),
    ("wolf.md", {"kind": "dog", "weight": 40, "wild": True, "region": "europe", "tags": "pack hunter"}),
    ("poodle.md", {"kind": "dog", "weight": 12, "wild": False, "region": "france"}),
]


@pytest.fixture
def animals(client: httpx.Client) -> dict[str, str]:
    make_store(client, "animals")
    ids = {}
    for name, meta in DOCS:
        body = f"# {name[:-3].title()}\n\nThe {name[:-3]} is an animal that eats food and sleeps.\n"
        ids[name] = upload(client, "animals", name, body, metadata=meta, external_id=name).json()["id"]
    return ids


def search(client: httpx.Client, **body: object) -> list[dict[str, object]]:
    r = client.post("/v1/stores/search", json={"store_identifiers": ["animals"], **body})
    assert r.status_code == 200, r.text
    return r.json()["data"]  # type: ignore[no-any-return]


def names(hits: list[dict[str, object]]) -> set[object]:
    return {h["filename"] for h in hits}


def test_basic_ranking_and_fields(client: httpx.Client, animals: dict[str, str]) -> None:
    hits = search(client, query="tiger")
    assert hits[0]["filename"] == "tiger.md" and hits[0]["file_id"] == animals["tiger.md"]
    top = hits[0]
    assert top["type"] == "text" and top["external_id"] == "tiger.md" and top["metadata"]["region"] == "asia"
    assert 0.0 < top["score"] <= 1.0 and top["chunk_index"] == 0 and "tiger" in top["text"]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert len(search(client, query="animal food", top_k=2)) == 2
    assert search(client, query="zzzunknownword") == []
    assert search(client, query={"type": "text", "text": "wolf"})[0]["filename"] == "wolf.md"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"key": "kind", "operator": "eq", "value": "dog"}, {"wolf.md", "poodle.md"}),
        ({"key": "kind", "operator": "not_eq", "value": "cat"}, {"wolf.md", "poodle.md"}),
        ({"key": "weight", "operator": "gt", "value": 190}, {"tiger.md"}),
        ({"key": "weight", "operator": "gte", "value": 190}, {"tiger.md", "lion.md"}),
        ({"key": "weight", "operator": "lt", "value": "12"}, {"housecat.md"}),
        ({"key": "weight", "operator": "lte", "value": 12}, {"housecat.md", "poodle.md"}),
        ({"key": "region", "operator": "in", "value": ["asia", "france"]}, {"tiger.md", "poodle.md"}),
        (
            {"key": "region", "operator": "not_in", "value": ["asia", "france"]},
            {"lion.md", "housecat.md", "wolf.md"},
        ),
        ({"key": "region", "operator": "like", "value": "%eur%"}, {"wolf.md"}),
        ({"key": "region", "operator": "like", "value": "RIC"}, {"lion.md"}),
        ({"key": "region", "operator": "starts_with", "value": "fr"}, {"poodle.md"}),
        ({"key": "region", "operator": "not_like", "value": "%a%"}, {"wolf.md", "housecat.md"}),
        ({"key": "wild", "operator": "eq", "value": False}, {"housecat.md", "poodle.md"}),
        ({"key": "since", "operator": "gte", "value": "2020-01-01"}, {"lion.md", "tiger.md"}),
        (
            {"key": "tags", "operator": "eq", "value": None},
            {"lion.md", "tiger.md", "housecat.md", "poodle.md"},
        ),
        (
            {
                "all": [
                    {"key": "kind", "operator": "eq", "value": "cat"},
                    {"key": "wild", "operator": "eq", "value": True},
                ]
            },
            {"lion.md", "tiger.md"},
        ),
        (
            {
                "any": [
                    {"key": "region", "operator": "eq", "value": "asia"},
                    {"key": "weight", "operator": "lt", "value": 5},
                ]
            },
            {"tiger.md", "housecat.md"},
        ),
        ({"none": [{"key": "kind", "operator": "eq", "value": "cat"}]}, {"wolf.md", "poodle.md"}),
        (
            [
                {"key": "kind", "operator": "eq", "value": "cat"},
                {"none": [{"key": "region", "operator": "eq", "value": "asia"}]},
            ],
            {"lion.md", "housecat.md"},
        ),
        (
            {
                "all": [
                    {
                        "any": [
                            {"key": "weight", "operator": "gt", "value": 200},
                            {"key": "weight", "operator": "lt", "value": 10},
                        ]
                    }
                ]
            },
            {"tiger.md", "housecat.md"},
        ),
    ],
)
def test_filters(client: httpx.Client, animals: dict[str, str], filters: object, expected: set[str]) -> None:
    assert names(search(client, query="animal", top_k=50, filters=filters)) == expected


def test_regex_refused_and_bad_filters(client: httpx.Client, animals: dict[str, str]) -> None:
    r = client.post(
        "/v1/stores/search",
        json={
            "store_identifiers": ["animals"],
            "query": "x",
            "filters": {"key": "a", "operator": "regex", "value": "."},
        },
    )
    assert r.status_code == 400 and "regex" in r.json()["error"]["message"]
    r = client.post(
        "/v1/stores/search",
        json={
            "store_identifiers": ["animals"],
            "query": "x",
            "filters": {"key": "a", "operator": "in", "value": 3},
        },
    )
    assert r.status_code == 400
    r = client.post(
        "/v1/stores/search",
        json={
            "store_identifiers": ["animals"],
            "query": "x",
            "filters": {"key": "a", "operator": "nope", "value": 3},
        },
    )
    assert r.status_code == 422


def test_file_ids(client: httpx.Client, animals: dict[str, str]) -> None:
    only = [animals["lion.md"], animals["wolf.md"]]
    assert names(search(client, query="animal", file_ids=only)) == {"lion.md", "wolf.md"}
    assert names(search(client, query="animal", file_ids=["in", only])) == {"lion.md", "wolf.md"}
    assert names(search(client, query="animal", file_ids=["not_in", only])) == {
        "tiger.md",
        "housecat.md",
        "poodle.md",
    }


def test_threshold_metadata_and_ignored_options(client: httpx.Client, animals: dict[str, str]) -> None:
    hits = search(client, query="poodle animal", top_k=10)
    cut = (hits[0]["score"] + hits[1]["score"]) / 2
    above = search(client, query="poodle animal", search_options={"score_threshold": cut})
    assert [h["filename"] for h in above] == ["poodle.md"]
    plain = search(
        client,
        query="poodle",
        search_options={
            "return_metadata": False,
            "rerank": True,
            "agentic": {"max_rounds": 2},
            "rewrite_query": True,
        },
    )
    assert plain[0]["filename"] == "poodle.md" and plain[0]["metadata"] is None


def test_multiple_stores_by_id_and_name(client: httpx.Client, animals: dict[str, str]) -> None:
    other = make_store(client, "plants")
    upload(client, "plants", "fern.md", "# Fern\n\nA fern is a plant, not an animal.")
    r = client.post(
        "/v1/stores/search", json={"store_identifiers": [other["id"], "animals"], "query": "fern animal"}
    )
    hits = r.json()["data"]
    assert hits[0]["filename"] == "fern.md" and hits[0]["store_id"] == other["id"]
    assert {h["store_id"] for h in hits} >= {other["id"]}
    assert len({h["store_id"] for h in hits}) == 2
    r = client.post("/v1/stores/search", json={"store_identifiers": [], "query": "x"})
    assert r.status_code == 422
    r = client.post("/v1/stores/search", json={"store_identifiers": ["s"] * 17, "query": "x"})
    assert r.status_code == 422
    r = client.post("/v1/stores/search", json={"store_identifiers": ["missing"], "query": "x"})
    assert r.status_code == 404 and "missing" in r.json()["error"]["message"]


def test_store_scoped_key(store_server: ApiServer, client: httpx.Client, animals: dict[str, str]) -> None:
    store_id = client.get("/v1/stores/animals").json()["id"]
    make_store(client, "secret")
    org_key_owner = client.headers["Authorization"].split()[1]
    assert org_key_owner

    # a key of the same organization scoped to searching one store
    async def org_of(database):  # type: ignore[no-untyped-def]
        import uuid

        from breadbox.stores.models import Store

        async with database.session() as session:
            return (await session.get(Store, uuid.UUID(store_id))).organization_id

    org_id = store_server.run(org_of)

    async def org_name(database):  # type: ignore[no-untyped-def]
        from breadbox.auth.models import Organization

        async with database.session() as session:
            return (await session.get(Organization, org_id)).name

    scoped = store_server.new_key(
        store_server.run(org_name),
        scope=[{"method": "search", "resource_type": "store", "resource_id": store_id}],
    )
    with store_server.client(scoped) as c:
        ok = c.post("/v1/stores/search", json={"store_identifiers": ["animals"], "query": "lion"})
        assert ok.status_code == 200 and ok.json()["data"]
        denied = c.post("/v1/stores/search", json={"store_identifiers": ["secret"], "query": "lion"})
        assert denied.status_code == 403
        assert c.delete("/v1/stores/animals").status_code == 403
