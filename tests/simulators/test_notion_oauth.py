"""OAuth of the Notion simulator (notion.md section 5): authorize redirect, code exchange, refresh."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from breadbox.simulators.notion import NotionSimHandle
from tests.plugins.notion_sim import NotionSimFactory, notion_http

REDIRECT = "http://127.0.0.1:9/callback?keep=1"


def authorize(
    sim: NotionSimHandle, redirect: str | None = REDIRECT, state: str = "xyz"
) -> dict[str, list[str]]:
    params = {"client_id": sim.client_id, "response_type": "code", "owner": "user", "state": state}
    if redirect:
        params["redirect_uri"] = redirect
    resp = httpx.get(f"{sim.url}/v1/oauth/authorize", params=params)
    assert resp.status_code in (302, 303, 307), resp.text
    location = resp.headers["location"]
    assert location.startswith(redirect or "")
    return parse_qs(urlsplit(location).query)


def token(sim: NotionSimHandle, body: dict[str, Any], secret: str | None = None) -> httpx.Response:
    return httpx.post(
        f"{sim.url}/v1/oauth/token",
        json=body,
        auth=(sim.client_id, secret if secret is not None else sim.client_secret),
    )


def exchange(sim: NotionSimHandle) -> dict[str, Any]:
    code = authorize(sim)["code"][0]
    resp = token(sim, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT})
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()
    return data


def test_authorize_redirects_with_code_and_state(notion_sim: NotionSimHandle) -> None:
    query = authorize(notion_sim, state="s-123")
    assert query["state"] == ["s-123"] and query["keep"] == ["1"] and query["code"][0]


def test_deny_switch_gives_access_denied(notion_sim: NotionSimHandle) -> None:
    assert notion_sim.admin("POST", "/_sim/oauth", {"deny": True}).json() == {"deny": True}
    query = authorize(notion_sim, state="abc")
    assert query["error"] == ["access_denied"] and query["state"] == ["abc"] and "code" not in query


def test_token_response_is_complete_and_reads_the_workspace(notion_sim: NotionSimHandle) -> None:
    data = exchange(notion_sim)
    expected = {
        "access_token",
        "token_type",
        "refresh_token",
        "bot_id",
        "workspace_id",
        "workspace_name",
        "workspace_icon",
        "owner",
        "duplicated_template_id",
        "request_id",
    }
    assert set(data) == expected  # no expires_in: notion.md 5.3
    assert data["token_type"] == "bearer" and data["owner"]["type"] == "user"
    assert data["owner"]["user"]["object"] == "user" and data["workspace_id"] == notion_sim.state.ws.id
    with notion_http(notion_sim, token=data["access_token"]) as c:
        me = c.get("/v1/users/me").json()
        assert me["id"] == data["bot_id"] and me["bot"]["owner"]["type"] == "user"
        assert c.post("/v1/search", json={"page_size": 3}).json()["results"]


def test_code_is_single_use(notion_sim: NotionSimHandle) -> None:
    code = authorize(notion_sim)["code"][0]
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    assert token(notion_sim, body).status_code == 200
    again = token(notion_sim, body)
    assert again.status_code == 400 and again.json()["code"] == "invalid_grant"
    assert again.json()["object"] == "error"


def test_redirect_uri_must_match(notion_sim: NotionSimHandle) -> None:
    code = authorize(notion_sim)["code"][0]
    resp = token(
        notion_sim,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1:9/other"},
    )
    assert resp.status_code == 400 and resp.json()["code"] == "invalid_grant"


def test_wrong_secret_is_rejected(notion_sim: NotionSimHandle) -> None:
    code = authorize(notion_sim)["code"][0]
    resp = token(
        notion_sim,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        secret="secret_wrong",
    )
    assert resp.status_code == 401 and resp.json()["code"] == "unauthorized"
    no_auth = httpx.post(f"{notion_sim.url}/v1/oauth/token", json={"grant_type": "authorization_code"})
    assert no_auth.status_code == 401


def test_refresh_rotates_and_is_counted(notion_sim: NotionSimHandle) -> None:
    first = exchange(notion_sim)
    notion_sim.admin("POST", "/_sim/reset-stats")
    resp = token(notion_sim, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert resp.status_code == 200
    second = resp.json()
    assert (
        second["access_token"] != first["access_token"] and second["refresh_token"] != first["refresh_token"]
    )
    assert second["bot_id"] == first["bot_id"]
    reuse = token(notion_sim, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert reuse.status_code == 400 and reuse.json()["code"] == "invalid_grant"
    assert notion_sim.stats()["token_refreshes"] == 1
    with notion_http(notion_sim, token=first["access_token"]) as c:
        assert c.get("/v1/users/me").status_code == 401  # the old access token was revoked
    with notion_http(notion_sim, token=second["access_token"]) as c:
        assert c.get("/v1/users/me").status_code == 200


def test_access_tokens_expire_on_the_simulated_clock(notion_sim_factory: NotionSimFactory) -> None:
    sim = notion_sim_factory(oauth_access_token_ttl=3600, oauth_include_expires_in=True)
    data = exchange(sim)
    assert data["expires_in"] == 3600
    with notion_http(sim, token=data["access_token"]) as c:
        assert c.get("/v1/users/me").status_code == 200
        sim.admin("POST", "/_sim/clock", {"advance_seconds": 3601})
        assert c.get("/v1/users/me").status_code == 401


@pytest.mark.parametrize("style", ["rfc6749"])
def test_rfc_error_style(notion_sim_factory: NotionSimFactory, style: str) -> None:
    sim = notion_sim_factory(oauth_error_style=style)
    resp = token(sim, {"grant_type": "refresh_token", "refresh_token": "nrt_unknown"})
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_grant"
    bad = token(sim, {"grant_type": "refresh_token", "refresh_token": "x"}, secret="nope")
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"


def test_introspect_and_revoke(notion_sim: NotionSimHandle) -> None:
    data = exchange(notion_sim)
    auth = (notion_sim.client_id, notion_sim.client_secret)
    url = notion_sim.url + "/v1/oauth"
    assert httpx.post(f"{url}/introspect", json={"token": data["access_token"]}, auth=auth).json()["active"]
    assert httpx.post(f"{url}/revoke", json={"token": data["access_token"]}, auth=auth).status_code == 200
    assert not httpx.post(f"{url}/introspect", json={"token": data["access_token"]}, auth=auth).json()[
        "active"
    ]
