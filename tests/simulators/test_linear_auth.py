"""Credentials and OAuth 2.0 (linear.md §1 auth headers, §4 OAuth)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.plugins.linear_sim import admin, gql, http

REDIRECT = "http://127.0.0.1:9/callback"
VIEWER = "{ viewer { id name } }"


def auth_error(response: httpx.Response) -> None:
    assert response.status_code == 401
    err = response.json()["errors"][0]
    assert err["message"] == "Authentication required, not authenticated"
    assert err["extensions"]["code"] == "AUTHENTICATION_ERROR"
    assert err["extensions"]["type"] == "authentication error"
    assert err["extensions"]["userPresentableMessage"] == "You need to authenticate to access this operation."


def authorize(sim: Any, **params: str) -> dict[str, list[str]]:
    query = {
        "client_id": sim.client_id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "read",
        "state": "st-1",
    }
    query.update(params)
    response = http(sim).get("/oauth/authorize", params=query, follow_redirects=False)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return parse_qs(urlsplit(location).query)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def token(sim: Any, basic: bool = False, **form: str) -> httpx.Response:
    auth = (sim.client_id, sim.client_secret) if basic else None
    return http(sim).post("/oauth/token", data=form, auth=auth)


def exchange(sim: Any) -> dict[str, Any]:
    code = authorize(sim)["code"][0]
    response = token(
        sim, grant_type="authorization_code", code=code, redirect_uri=REDIRECT,
        client_id=sim.client_id, client_secret=sim.client_secret,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()


def test_api_key_is_sent_raw(linear_sim: Any) -> None:
    assert gql(linear_sim, VIEWER).status_code == 200


def test_missing_or_wrong_credentials(linear_sim: Any) -> None:
    auth_error(gql(linear_sim, VIEWER, auth=None))
    auth_error(gql(linear_sim, VIEWER, auth="lin_api_wrong"))
    stats = admin(linear_sim, "GET", "/stats").json()
    assert stats["auth_errors"] == 2


def test_api_key_with_bearer_prefix_is_refused(linear_sim: Any) -> None:
    auth_error(gql(linear_sim, VIEWER, auth=f"Bearer {linear_sim.api_key}"))


def test_prefix_strictness_can_be_relaxed(linear_sim_factory: Any) -> None:
    sim = linear_sim_factory(strict_auth_prefix=False)
    assert gql(sim, VIEWER, auth=f"Bearer {sim.api_key}").status_code == 200


def test_authorize_redirects_with_code_and_state(linear_sim: Any) -> None:
    params = authorize(linear_sim)
    assert params["state"] == ["st-1"] and len(params["code"][0]) >= 16


def test_authorize_deny_switch(linear_sim: Any) -> None:
    admin(linear_sim, "POST", "/oauth", {"deny": True})
    params = authorize(linear_sim)
    assert params["error"] == ["access_denied"] and params["state"] == ["st-1"] and "code" not in params


def test_authorize_rejects_unknown_client_and_foreign_redirect(linear_sim: Any) -> None:
    base = {"redirect_uri": REDIRECT, "response_type": "code", "client_id": linear_sim.client_id}
    bad_client = http(linear_sim).get("/oauth/authorize", params={**base, "client_id": "nope"})
    assert bad_client.status_code == 400
    foreign = httpx.get(
        f"{linear_sim.url}/oauth/authorize", params={**base, "redirect_uri": "https://evil.example/cb"}
    )
    assert foreign.status_code == 400 and "location" not in foreign.headers


def test_code_exchange_gives_24h_bearer_token_and_refresh_token(linear_sim: Any) -> None:
    body = exchange(linear_sim)
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 86399
    assert body["scope"] == "read"
    assert body["refresh_token"] and body["access_token"] != body["refresh_token"]
    viewer = gql(linear_sim, VIEWER, auth=f"Bearer {body['access_token']}")
    assert viewer.status_code == 200
    assert int(viewer.headers["X-RateLimit-Requests-Limit"]) == 5000  # OAuth budget, not the API key one
    auth_error(gql(linear_sim, VIEWER, auth=body["access_token"]))  # OAuth token without Bearer


def test_code_is_single_use_and_reuse_revokes_its_token(linear_sim: Any) -> None:
    code = authorize(linear_sim)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    first = token(linear_sim, basic=True, **form)
    assert first.status_code == 200
    again = token(linear_sim, basic=True, **form)
    assert again.status_code == 400
    assert again.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid grant: authorization code is invalid",
    }
    auth_error(gql(linear_sim, VIEWER, auth=f"Bearer {first.json()['access_token']}"))


def test_redirect_uri_must_match(linear_sim: Any) -> None:
    code = authorize(linear_sim)["code"][0]
    response = token(
        linear_sim,
        basic=True,
        grant_type="authorization_code",
        code=code,
        redirect_uri="http://127.0.0.1:9/other",
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_wrong_client_secret_is_invalid_client(linear_sim: Any) -> None:
    code = authorize(linear_sim)["code"][0]
    body_auth = token(
        linear_sim, grant_type="authorization_code", code=code, redirect_uri=REDIRECT,
        client_id=linear_sim.client_id, client_secret="wrong",
    )  # fmt: skip
    assert body_auth.status_code == 400 and body_auth.json()["error"] == "invalid_client"
    basic = http(linear_sim).post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        auth=(linear_sim.client_id, "wrong"),
    )
    assert basic.status_code == 401 and basic.json()["error"] == "invalid_client"
    # The code survived the failed attempts.
    assert (
        token(
            linear_sim, basic=True, grant_type="authorization_code", code=code, redirect_uri=REDIRECT
        ).status_code
        == 200
    )


def test_token_endpoint_wants_form_encoding(linear_sim: Any) -> None:
    response = http(linear_sim).post(
        "/oauth/token", json={"grant_type": "refresh_token", "refresh_token": "x"}
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_pkce_s256(linear_sim: Any) -> None:
    verifier, challenge = pkce()
    code = authorize(linear_sim, code_challenge=challenge, code_challenge_method="S256")["code"][0]
    wrong = token(
        linear_sim, grant_type="authorization_code", code=code, redirect_uri=REDIRECT,
        client_id=linear_sim.client_id, code_verifier="not-the-verifier",
    )  # fmt: skip
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    missing = token(
        linear_sim,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        client_id=linear_sim.client_id,
    )
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_grant"
    ok = token(
        linear_sim, grant_type="authorization_code", code=code, redirect_uri=REDIRECT,
        client_id=linear_sim.client_id, code_verifier=verifier,
    )  # fmt: skip
    assert ok.status_code == 200, ok.text  # no client_secret needed with PKCE
    refreshed = token(
        linear_sim,
        grant_type="refresh_token",
        refresh_token=ok.json()["refresh_token"],
        client_id=linear_sim.client_id,
    )
    assert refreshed.status_code == 200


def test_refresh_rotates_and_old_refresh_token_is_invalid_grant(linear_sim: Any) -> None:
    admin(linear_sim, "POST", "/reset-stats")
    first = exchange(linear_sim)
    second = token(linear_sim, basic=True, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second.status_code == 200
    new = second.json()
    assert new["refresh_token"] != first["refresh_token"] and new["access_token"] != first["access_token"]
    assert new["expires_in"] == 86399
    reuse = token(linear_sim, basic=True, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    assert gql(linear_sim, VIEWER, auth=f"Bearer {new['access_token']}").status_code == 200
    auth_error(gql(linear_sim, VIEWER, auth=f"Bearer {first['access_token']}"))
    stats = admin(linear_sim, "GET", "/stats").json()
    assert stats["token_refreshes"] == 1
    assert stats["requests"]["by_endpoint"]["POST /oauth/token"] == 3


def test_refresh_grace_period_replays_the_same_answer(linear_sim_factory: Any) -> None:
    sim = linear_sim_factory(refresh_grace_seconds=1800)
    first = exchange(sim)
    a = token(sim, basic=True, grant_type="refresh_token", refresh_token=first["refresh_token"])
    b = token(sim, basic=True, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert a.status_code == b.status_code == 200 and a.json() == b.json()
    admin(sim, "POST", "/clock", {"advance_seconds": 1801})
    late = token(sim, basic=True, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert late.json()["error"] == "invalid_grant"


def test_access_token_expires_after_24_hours_of_simulated_time(linear_sim: Any) -> None:
    body = exchange(linear_sim)
    bearer = f"Bearer {body['access_token']}"
    admin(linear_sim, "POST", "/clock", {"advance_seconds": 86_000})
    assert gql(linear_sim, VIEWER, auth=bearer).status_code == 200
    admin(linear_sim, "POST", "/clock", {"advance_seconds": 500})
    auth_error(gql(linear_sim, VIEWER, auth=bearer))
    refreshed = token(linear_sim, basic=True, grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert gql(linear_sim, VIEWER, auth=f"Bearer {refreshed.json()['access_token']}").status_code == 200


def test_client_credentials_and_unsupported_grant(linear_sim: Any) -> None:
    cc = token(linear_sim, basic=True, grant_type="client_credentials", scope="read")
    assert cc.status_code == 200
    assert cc.json()["expires_in"] == 2591999 and "refresh_token" not in cc.json()
    odd = token(linear_sim, basic=True, grant_type="password")
    assert odd.status_code == 400 and odd.json()["error"] == "unsupported_grant_type"


def test_revoke(linear_sim: Any) -> None:
    body = exchange(linear_sim)
    assert http(linear_sim).post("/oauth/revoke", data={"token": body["access_token"]}).status_code == 200
    assert http(linear_sim).post("/oauth/revoke", data={"token": body["access_token"]}).status_code == 400
    auth_error(gql(linear_sim, VIEWER, auth=f"Bearer {body['access_token']}"))
