"""Authentication and scopes: bearer keys, revocation, expiry, activity, scope enforcement."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from breadbox.auth.models import ApiKey
from breadbox.db.session import Database


def assert_401(r):
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    error = r.json()["error"]
    assert error["code"] == 401 and error["type"] == "unauthorized" and error["message"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer bb_not-a-real-key"},
        {"Authorization": "Bearer bb_000000000000" + "A" * 43},
        {"Authorization": "Bearer " + "x" * 5000},
    ],
)
def test_missing_or_bad_keys_are_401(api_server, headers):
    with api_server.client() as client:
        assert_401(client.get("/v1/data_sources/", headers=headers))
        assert_401(client.post("/v1/data_sources/", json={"name": "x"}, headers=headers))


def test_key_shape(api_key):
    assert api_key.startswith("bb_") and len(api_key) >= 3 + 12 + 43


def test_revoked_and_expired_keys_are_401(api_server, api):
    created = api.post("/v1/api-keys", json={"name": "short-lived"}).json()
    with api_server.client(created["value"]) as other:
        assert other.get("/v1/data_sources/").status_code == 200
        api.post(f"/v1/api-keys/{created['id']}/revoke").raise_for_status()
        assert_401(other.get("/v1/data_sources/"))

    expiring = api.post(
        "/v1/api-keys",
        json={"name": "exp", "expires_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()},
    ).json()

    async def expire(database: Database) -> None:
        async with database.session() as session:
            past = datetime.now(UTC) - timedelta(seconds=1)
            await session.execute(
                update(ApiKey).where(ApiKey.id == uuid.UUID(expiring["id"])).values(expires_at=past)
            )

    api_server.run(expire)
    with api_server.client(expiring["value"]) as other:
        assert_401(other.get("/v1/data_sources/"))


def test_last_active_at_is_kept_without_a_write_per_request(api_server, api):
    created = api.post("/v1/api-keys", json={"name": "activity"}).json()
    assert created["last_active_at"] is None
    with api_server.client(created["value"]) as other:
        other.get("/v1/data_sources/").raise_for_status()
        first = api.get(f"/v1/api-keys/{created['id']}").json()["last_active_at"]
        assert first is not None
        time.sleep(0.05)
        other.get("/v1/data_sources/").raise_for_status()
        second = api.get(f"/v1/api-keys/{created['id']}").json()["last_active_at"]
        assert second == first, "within the resolution window the row is not rewritten"


def scoped(api_server, *scopes):
    return api_server.client(api_server.new_key(scope=list(scopes)))


def test_scopes_limit_methods(api_server):
    org = f"org-{uuid.uuid4().hex[:8]}"
    with api_server.client(api_server.new_key(organization=org)) as full:
        ds = full.post("/v1/data_sources/", json={"name": "x"}).json()
    reader = api_server.client(api_server.new_key(organization=org, scope=[{"method": "read"}]))
    lister = api_server.client(
        api_server.new_key(organization=org, scope=[{"method": "list"}, {"method": "create"}])
    )
    with reader, lister:
        assert reader.get(f"/v1/data_sources/{ds['id']}").status_code == 200
        for r in (
            reader.get("/v1/data_sources/"),
            reader.post("/v1/data_sources/", json={"name": "y"}),
            reader.put(f"/v1/data_sources/{ds['id']}", json={"name": "y"}),
            reader.delete(f"/v1/data_sources/{ds['id']}"),
        ):
            assert r.status_code == 403
            assert r.json()["error"]["type"] == "forbidden" and r.json()["error"]["code"] == 403
        assert lister.get("/v1/data_sources/").status_code == 200
        assert lister.post("/v1/data_sources/", json={"name": "z"}).status_code == 201
        assert lister.get(f"/v1/data_sources/{ds['id']}").status_code == 403
        assert lister.delete(f"/v1/data_sources/{ds['id']}").status_code == 403


def test_store_scoped_key_cannot_touch_data_sources(api_server):
    with scoped(
        api_server, {"method": "read", "resource_type": "store", "resource_id": str(uuid.uuid4())}
    ) as c:
        assert c.get(f"/v1/data_sources/{uuid.uuid4()}").status_code == 403


def test_scoped_key_cannot_manage_keys(api_server):
    with scoped(api_server, {"method": "create"}, {"method": "list"}) as c:
        assert c.get("/v1/api-keys").status_code == 200
        r = c.post("/v1/api-keys", json={"name": "escalate"})
        assert r.status_code == 403 and "scope" in r.json()["error"]["message"]
