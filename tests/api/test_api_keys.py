"""The API keys API: the value is shown once; list, retrieve, update, revoke, reroll, delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def test_create_shows_value_once(api_server, api):
    r = api.post("/v1/api-keys", json={"name": "ci", "scope": [{"method": "read"}]})
    assert r.status_code == 201
    created = r.json()
    assert created["object"] == "api_key" and created["name"] == "ci"
    assert created["value"].startswith("bb_")
    assert (
        created["redacted_value"].endswith(created["value"][-4:])
        and created["value"] not in created["redacted_value"]
    )
    assert created["scope"] == [{"method": "read", "resource_type": None, "resource_id": None}]
    fetched = api.get(f"/v1/api-keys/{created['id']}").json()
    assert "value" not in fetched and created["value"] not in api.get("/v1/api-keys").text
    assert {k: v for k, v in created.items() if k != "value"} == fetched


def test_default_name_and_list(api):
    created = api.post("/v1/api-keys", json={}).json()
    assert created["name"] == "API Key"
    body = api.get("/v1/api-keys", params={"limit": 1}).json()
    assert body["object"] == "list"
    assert body["pagination"] == {"limit": 1, "offset": 0, "total": 2}
    assert body["data"][0]["id"] == created["id"], "newest first"
    rest = api.get("/v1/api-keys", params={"offset": 1}).json()
    assert len(rest["data"]) == 1 and rest["data"][0]["id"] != created["id"]


def test_update_name_and_expiry(api):
    created = api.post("/v1/api-keys", json={"name": "a"}).json()
    later = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    r = api.patch(f"/v1/api-keys/{created['id']}", json={"name": "b", "expires_at": later.isoformat()})
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "b" and datetime.fromisoformat(body["expires_at"]) == later
    past = api.patch(f"/v1/api-keys/{created['id']}", json={"expires_at": "2001-01-01T00:00:00Z"})
    assert past.status_code == 422
    assert api.post("/v1/api-keys", json={"expires_at": "2001-01-01T00:00:00Z"}).status_code == 422


def test_reroll_replaces_the_value(api_server, api):
    created = api.post("/v1/api-keys", json={"name": "r"}).json()
    r = api.post(f"/v1/api-keys/{created['id']}/reroll")
    assert r.status_code == 200
    rerolled = r.json()
    assert rerolled["id"] == created["id"] and rerolled["value"] != created["value"]
    with api_server.client(created["value"]) as old, api_server.client(rerolled["value"]) as new:
        assert old.get("/v1/data_sources/").status_code == 401
        assert new.get("/v1/data_sources/").status_code == 200


def test_revoke_is_final(api_server, api):
    created = api.post("/v1/api-keys", json={"name": "rv"}).json()
    revoked = api.post(f"/v1/api-keys/{created['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["id"] == created["id"]
    assert api.post(f"/v1/api-keys/{created['id']}/reroll").status_code == 409
    assert api.get("/v1/api-keys").json()["pagination"]["total"] == 2


def test_delete_and_404s(api_server, api):
    created = api.post("/v1/api-keys", json={"name": "d"}).json()
    r = api.delete(f"/v1/api-keys/{created['id']}")
    assert r.json() == {"id": created["id"], "deleted": True, "object": "api_key"}
    for method, suffix in (
        ("GET", ""),
        ("PATCH", ""),
        ("DELETE", ""),
        ("POST", "/revoke"),
        ("POST", "/reroll"),
    ):
        r = api.request(
            method, f"/v1/api-keys/{created['id']}{suffix}", json={} if method == "PATCH" else None
        )
        assert r.status_code == 404 and r.json()["error"]["code"] == 404
    with api_server.client(created["value"]) as gone:
        assert gone.get("/v1/data_sources/").status_code == 401
    with api_server.client(api_server.new_key()) as stranger:
        mine = api.post("/v1/api-keys", json={"name": "mine"}).json()
        assert stranger.get(f"/v1/api-keys/{mine['id']}").status_code == 404
        assert stranger.post(f"/v1/api-keys/{mine['id']}/revoke").status_code == 404


def test_invalid_scope_is_422(api):
    assert api.post("/v1/api-keys", json={"scope": [{"method": "fly"}]}).status_code == 422
    assert (
        api.post("/v1/api-keys", json={"scope": [{"method": "read", "resource_type": "bucket"}]}).status_code
        == 422
    )
