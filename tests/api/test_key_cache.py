"""The principal cache: changes to a key through the API take effect at once; changes from another
process within the cache TTL (at once on SQLite, whose data version shows any commit)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from breadbox.auth.cache import KEY_CACHE_TTL_S, CachedKey, PrincipalCache
from breadbox.auth.scopes import Principal
from tests.plugins.api import ApiServer

BREADBOX = str(Path(sys.executable).with_name("breadbox"))


def _entry(key_id: uuid.UUID, version: int | None = None, loaded_at: float | None = None) -> CachedKey:
    return CachedKey(
        principal=Principal(organization_id=uuid.uuid4(), api_key_id=key_id, scope=None),
        key_id=key_id,
        expires_at=None,
        last_active_at=None,
        version=version,
        loaded_at=time.monotonic() if loaded_at is None else loaded_at,
    )


def _new_key(api: httpx.Client, **body: object) -> dict[str, str]:
    r = api.post("/v1/api-keys", json={"name": "cached", **body})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _status(api_server: ApiServer, value: str) -> int:
    with api_server.client(value) as client:
        return client.get("/v1/data_sources/").status_code


def test_revoke_reroll_delete_through_the_api_take_effect_at_once(api_server: ApiServer, api: httpx.Client):
    revoked, rerolled, deleted = _new_key(api), _new_key(api), _new_key(api)
    for key in (revoked, rerolled, deleted):
        assert _status(api_server, key["value"]) == 200  # now cached
        assert _status(api_server, key["value"]) == 200

    api.post(f"/v1/api-keys/{revoked['id']}/revoke").raise_for_status()
    assert _status(api_server, revoked["value"]) == 401

    new_value = api.post(f"/v1/api-keys/{rerolled['id']}/reroll").json()["value"]
    assert _status(api_server, rerolled["value"]) == 401
    assert _status(api_server, new_value) == 200

    api.delete(f"/v1/api-keys/{deleted['id']}").raise_for_status()
    assert _status(api_server, deleted["value"]) == 401


def test_a_new_expiry_applies_to_a_cached_key(api_server: ApiServer, api: httpx.Client):
    key = _new_key(api)
    assert _status(api_server, key["value"]) == 200
    soon = datetime.now(UTC) + timedelta(seconds=1)
    api.patch(f"/v1/api-keys/{key['id']}", json={"expires_at": soon.isoformat()}).raise_for_status()
    assert _status(api_server, key["value"]) == 200
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.05)
    assert _status(api_server, key["value"]) == 401


def test_revocation_from_another_process_within_the_ttl(api_server: ApiServer, api: httpx.Client, tmp_path):
    key = _new_key(api)
    assert _status(api_server, key["value"]) == 200  # now cached in the server process
    env = {k: v for k, v in os.environ.items() if not k.startswith("BREADBOX_")}
    env.update(
        BREADBOX_DATA_DIR=str(tmp_path), BREADBOX_DATABASE_URL=api_server.settings.resolved_database_url
    )
    subprocess.run(
        [BREADBOX, "keys", "revoke", key["id"]], env=env, check=True, capture_output=True, timeout=60
    )
    revoked_at = time.monotonic()
    if api_server.backend == "sqlite":
        # Any commit changes SQLite's data version, which the cache checks on every hit.
        assert _status(api_server, key["value"]) == 401
        return
    while _status(api_server, key["value"]) != 401:
        assert time.monotonic() - revoked_at < KEY_CACHE_TTL_S + 1, "still accepted after the TTL"
        time.sleep(0.1)


def test_cache_forgets_changed_keys_and_refuses_stale_fills():
    cache = PrincipalCache()
    key_id = uuid.uuid4()
    generation = cache.generation
    cache.put("a", _entry(key_id), generation)
    assert cache.get("a", None) is not None
    cache.forget(key_id)
    assert cache.get("a", None) is None
    # A lookup that began before the change must not put the old state back.
    cache.put("a", _entry(key_id), generation)
    assert cache.get("a", None) is None
    cache.put("a", _entry(key_id), cache.generation)
    assert cache.get("a", None) is not None


def test_cache_entries_expire_and_follow_the_data_version():
    cache = PrincipalCache(ttl=5.0)
    cache.put("old", _entry(uuid.uuid4(), loaded_at=time.monotonic() - 6), cache.generation)
    assert cache.get("old", None) is None
    cache.put("v", _entry(uuid.uuid4(), version=7), cache.generation)
    assert cache.get("v", 7) is not None
    assert cache.get("v", 8) is None  # something was committed since: read the key again
    assert cache.get("v", 7) is None


def test_cache_is_bounded():
    cache = PrincipalCache(max_entries=3)
    for name in "abcd":
        cache.put(name, _entry(uuid.uuid4()), cache.generation)
    assert cache.get("a", None) is None
    assert all(cache.get(name, None) is not None for name in "bcd")
