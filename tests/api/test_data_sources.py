"""Data source operations and the rules the spec leaves implicit (both backends)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from breadbox.data_sources.models import DataSource
from breadbox.db.session import Database

NOTION_KEY = "ntn_4f1a9c0e5b7d2e8a6c3b1d0f9e8a7b6c5d4e3f2a1b2"


def notion(api, **extra):
    body = {"type": "notion", "name": "Docs", **extra}
    r = api.post("/v1/data_sources/", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_create_notion_with_api_key_is_redacted(api):
    ds = notion(api, metadata={"team": "docs"}, auth_params={"type": "api_key", "api_key": NOTION_KEY})
    assert ds["object"] == "data_source"
    assert ds["type"] == "notion" and ds["name"] == "Docs" and ds["metadata"] == {"team": "docs"}
    assert ds["auth_params"] == {"type": "api_key", "api_key": "ntn_…a1b2"}
    assert ds["created_at"] == ds["updated_at"]
    uuid.UUID(ds["id"])
    assert api.get(f"/v1/data_sources/{ds['id']}").json() == ds


def test_secret_never_in_any_response(api):
    ds = notion(api, auth_params={"type": "api_key", "api_key": NOTION_KEY})
    for response in (
        api.get(f"/v1/data_sources/{ds['id']}"),
        api.get("/v1/data_sources/"),
        api.put(f"/v1/data_sources/{ds['id']}", json={"name": "Renamed"}),
    ):
        assert NOTION_KEY not in response.text
        assert NOTION_KEY[4:20] not in response.text


def test_credentials_encrypted_at_rest(api, api_server):
    ds = notion(api, auth_params={"type": "api_key", "api_key": NOTION_KEY})

    async def raw(database: Database) -> DataSource:
        async with database.session() as session:
            row = await session.scalar(select(DataSource).where(DataSource.id == uuid.UUID(ds["id"])))
            assert row is not None
            return row

    row = api_server.run(raw)
    assert row.credentials is not None
    assert NOTION_KEY.encode() not in row.credentials
    assert NOTION_KEY not in str(row.auth_info)


def test_create_without_auth_params_and_oauth2(api):
    bare = notion(api)
    assert bare["auth_params"] is None and bare["metadata"] is None
    oauth = notion(api, auth_params={"type": "oauth2"})
    assert oauth["auth_params"]["type"] == "oauth2"
    assert oauth["auth_params"]["access_token"] is None
    linear = api.post(
        "/v1/data_sources/", json={"type": "linear", "name": "L", "auth_params": {"type": "oauth2"}}
    )
    assert linear.status_code == 201 and linear.json()["type"] == "linear"


def test_type_defaults_to_notion(api):
    r = api.post("/v1/data_sources", json={"name": "untyped"})
    assert r.status_code == 201 and r.json()["type"] == "notion"


@pytest.mark.parametrize(
    "body",
    [
        {"type": "linear", "name": "L", "auth_params": {"type": "api_key", "api_key": "lin_api_x"}},
        {"type": "github", "name": "G"},
        {"type": "notion"},
        {"type": "notion", "name": ""},
        {"type": "notion", "name": "N", "auth_params": {"type": "api_key"}},
        {"type": "notion", "name": "N", "auth_params": {"type": "password"}},
        [],
    ],
)
def test_invalid_bodies_are_422_in_fastapi_shape(api, body):
    r = api.post("/v1/data_sources/", json=body)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail
    assert {"loc", "msg", "type"} <= set(detail[0])


def test_malformed_json_is_422(api):
    r = api.post("/v1/data_sources/", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "json_invalid"


def test_put_replaces_name_metadata_and_auth(api, api_server):
    ds = notion(api, metadata={"a": 1}, auth_params={"type": "api_key", "api_key": NOTION_KEY})
    r = api.put(f"/v1/data_sources/{ds['id']}", json={"name": "New", "metadata": {"b": 2}})
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "New" and body["metadata"] == {"b": 2}
    assert body["type"] == "notion"
    assert body["auth_params"] == ds["auth_params"], "omitted auth_params keep the credentials"
    assert body["updated_at"] > ds["updated_at"] and body["created_at"] == ds["created_at"]

    other_key = "ntn_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz9999"
    r = api.put(
        f"/v1/data_sources/{ds['id']}",
        json={"name": "New", "auth_params": {"type": "api_key", "api_key": other_key}},
    )
    assert r.json()["auth_params"]["api_key"] == "ntn_…9999"

    r = api.put(f"/v1/data_sources/{ds['id']}", json={"name": "New", "auth_params": {"type": "oauth2"}})
    assert r.json()["auth_params"]["type"] == "oauth2"

    async def creds(database: Database) -> bytes | None:
        async with database.session() as session:
            row = await session.get(DataSource, uuid.UUID(ds["id"]))
            assert row is not None
            return row.credentials

    assert api_server.run(creds) is None, "new auth params discard the old credentials"

    r = api.put(f"/v1/data_sources/{ds['id']}", json={"name": "New", "metadata": None, "auth_params": None})
    assert r.json()["metadata"] is None and r.json()["auth_params"] is None


def test_put_type_rules(api):
    linear = api.post("/v1/data_sources/", json={"type": "linear", "name": "L"}).json()
    # Omitted type keeps the current one.
    r = api.put(f"/v1/data_sources/{linear['id']}", json={"name": "L2"})
    assert r.status_code == 200 and r.json()["type"] == "linear"
    # A different type is a 422.
    r = api.put(f"/v1/data_sources/{linear['id']}", json={"type": "notion", "name": "L3"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "type"]
    # An api_key on a linear source, type omitted, is still refused.
    r = api.put(
        f"/v1/data_sources/{linear['id']}",
        json={"name": "L", "auth_params": {"type": "api_key", "api_key": "k"}},
    )
    assert r.status_code == 422
    assert api.get(f"/v1/data_sources/{linear['id']}").json()["name"] == "L2", (
        "a rejected PUT changes nothing"
    )


def test_delete_data_source_deletes_connectors(api, store):
    ds = notion(api)
    c = api.post(f"/v1/data_sources/{ds['id']}/connectors", json={"store_id": store["id"]}).json()
    r = api.delete(f"/v1/data_sources/{ds['id']}")
    assert r.status_code == 200
    assert r.json() == {"id": ds["id"], "deleted": True, "object": "data_source"}
    assert api.get(f"/v1/data_sources/{ds['id']}").status_code == 404
    assert api.get(f"/v1/data_sources/{ds['id']}/connectors/{c['id']}").status_code == 404
    assert api.delete(f"/v1/data_sources/{ds['id']}").status_code == 404


def test_not_found_envelope_and_malformed_uuid(api):
    missing = uuid.uuid4()
    for method in ("GET", "PUT", "DELETE"):
        r = api.request(
            method, f"/v1/data_sources/{missing}", json={"name": "x"} if method == "PUT" else None
        )
        assert r.status_code == 404
        error = r.json()["error"]
        assert error["code"] == 404 and error["type"] and str(missing) in error["message"]
    r = api.get("/v1/data_sources/not-a-uuid")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["path", "data_source_id"]


def test_other_organizations_objects_are_404(api, api_server):
    ds = notion(api)
    with api_server.client(api_server.new_key()) as stranger:
        assert stranger.get(f"/v1/data_sources/{ds['id']}").status_code == 404
        assert stranger.put(f"/v1/data_sources/{ds['id']}", json={"name": "x"}).status_code == 404
        assert stranger.delete(f"/v1/data_sources/{ds['id']}").status_code == 404
        assert stranger.get(f"/v1/data_sources/{ds['id']}/connectors").status_code == 404
        assert all(item["id"] != ds["id"] for item in stranger.get("/v1/data_sources/").json()["data"])
    assert api.get(f"/v1/data_sources/{ds['id']}").status_code == 200


def test_trailing_slash_answered_directly(api):
    for path in ("/v1/data_sources", "/v1/data_sources/"):
        r = api.get(path)
        assert r.status_code == 200 and not r.history
    r = api.post("/v1/data_sources", json={"name": "no slash"})
    assert r.status_code == 201
    ds_id = r.json()["id"]
    assert api.get(f"/v1/data_sources/{ds_id}/").status_code == 200
    assert api.get(f"/v1/data_sources/{ds_id}/connectors/").status_code == 200
