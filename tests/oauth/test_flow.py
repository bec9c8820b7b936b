"""The authorization flow end to end, over real HTTP, on both backends: authorize, the provider's
consent redirect, our callback, and what ends up stored and shown."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from breadbox.crypto import SecretBox
from tests.oauth.conftest import Sims
from tests.oauth.flow import (
    SIM,
    authorize,
    callback,
    connect,
    create,
    mark_reauthorization_required,
    provider_redirect,
    query,
    raw_row,
    state_row,
)
from tests.plugins.api import ApiServer

REDACTED = re.compile(r"^[a-z]+_…[0-9a-f]{4}$")


def test_notion_flow_stores_sealed_tokens_and_shows_them_redacted(
    oauth_server: ApiServer, api: httpx.Client, browser: httpx.Client, box: SecretBox, sims: Sims
) -> None:
    ds = create(api, "notion")
    url = authorize(api, ds)
    params = query(url)
    assert url.startswith(f"{sims.notion.url}/v1/oauth/authorize?")
    assert params["client_id"] == sims.notion.client_id
    assert params["redirect_uri"] == f"{oauth_server.url}/v1/data_sources/oauth2/callback"
    assert params["response_type"] == "code" and params["owner"] == "user"
    assert len(params["state"]) >= 22  # >= 128 bits in URL-safe base64
    assert "code_challenge" not in params  # Notion has no PKCE

    location = provider_redirect(url)
    assert location.startswith(f"{oauth_server.url}/v1/data_sources/oauth2/callback?")
    landed = callback(browser, location)
    assert landed.status_code == 307, landed.text
    assert landed.headers["location"] == f"/ui/data-sources/{ds}"

    row = raw_row(oauth_server, ds)
    assert row.credentials is not None and row.auth_error is None
    tokens = box.open(row.credentials)
    access, refresh = tokens["access_token"], tokens["refresh_token"]
    assert access.startswith("ntn_") and refresh
    for secret in (access, refresh, query(location)["code"], params["state"]):
        assert secret.encode() not in row.credentials
        assert secret not in str(row.auth_info)
    # The stored token is the real one: the provider accepts it.
    me = SIM.get(
        f"{sims.notion.url}/v1/users/me",
        headers={"Authorization": f"Bearer {access}", "Notion-Version": "2025-09-03"},
        timeout=10,
    )
    assert me.status_code == 200, me.text

    shown = api.get(f"/v1/data_sources/{ds}").json()["auth_params"]
    assert shown["type"] == "oauth2"
    assert REDACTED.match(shown["access_token"]) and shown["access_token"].endswith(access[-4:])
    assert shown["refresh_token"].endswith(refresh[-4:]) and refresh not in str(shown)
    assert shown["token_type"] == "bearer" and shown["expires_on"] is None
    created = datetime.fromisoformat(shown["created_at"].replace("Z", "+00:00"))
    assert abs(created - datetime.now(UTC)) < timedelta(minutes=1)
    workspace = sims.notion.state.ws
    assert shown["additional_params"]["workspace_id"] == workspace.id
    assert shown["additional_params"]["workspace_name"] == workspace.name
    assert shown["additional_params"]["bot_id"]
    listed = api.get("/v1/data_sources/").text
    assert access not in listed and refresh not in listed


def test_linear_flow_uses_pkce_and_records_the_organization(
    oauth_server: ApiServer, api: httpx.Client, browser: httpx.Client, box: SecretBox, sims: Sims
) -> None:
    ds = create(api, "linear")
    url = authorize(api, ds)
    params = query(url)
    assert url.startswith(f"{sims.linear.url}/oauth/authorize?")
    assert params["scope"] == "read" and params["response_type"] == "code"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    row = state_row(oauth_server, url)
    assert row is not None and row.code_verifier is not None
    verifier = box.open(row.code_verifier)["code_verifier"]
    assert verifier.encode() not in row.code_verifier  # sealed, not stored in the clear
    assert params["state"] not in row.state_hash  # only the digest is kept

    connect(api, browser, ds)
    stored = box.open(raw_row(oauth_server, ds).credentials or b"")
    assert stored["access_token"].startswith("lin_oauth_") and stored["refresh_token"]
    shown = api.get(f"/v1/data_sources/{ds}").json()["auth_params"]
    assert shown["scope"] == "read" and shown["token_type"] == "Bearer"
    expires = datetime.fromisoformat(shown["expires_on"].replace("Z", "+00:00"))
    assert timedelta(hours=23) < expires - datetime.now(UTC) <= timedelta(hours=24)
    organization = sims.linear.sim.ws.organization
    assert shown["additional_params"] == {
        "organization_id": organization.id,
        "organization_name": organization.name,
        "organization_url_key": organization.urlKey,
    }


def test_connected_page_names_the_data_source_without_secrets(
    oauth_server: ApiServer, api: httpx.Client, browser: httpx.Client, box: SecretBox
) -> None:
    ds = create(api, "linear", name="Roadmap <b>&")
    landed = connect(api, browser, ds)
    page = browser.get(landed.headers["location"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Roadmap &lt;b&gt;&amp; is connected" in page.text
    tokens = box.open(raw_row(oauth_server, ds).credentials or b"")
    assert tokens["access_token"] not in page.text and tokens["access_token"][-4:] not in page.text
    assert browser.get("/ui/data-sources/not-a-uuid").status_code == 404


def test_redirect_true_answers_307_to_the_provider(api: httpx.Client, sims: Sims) -> None:
    ds = create(api, "linear")
    response = api.get(f"/v1/data_sources/{ds}/oauth2/authorize", params={"redirect": "true"})
    assert response.status_code == 307
    assert response.headers["location"].startswith(f"{sims.linear.url}/oauth/authorize?")
    assert query(response.headers["location"])["client_id"] == sims.linear.client_id


def test_authorize_answers_url_and_expiry_ten_minutes_out(api: httpx.Client) -> None:
    ds = create(api, "notion")
    body = api.get(f"/v1/data_sources/{ds}/oauth2/authorize").json()
    assert set(body) == {"url", "expires_at"}
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=9) < expires - datetime.now(UTC) <= timedelta(minutes=10)
    # Every call issues a new state.
    assert query(authorize(api, ds))["state"] != query(body["url"])["state"]


@pytest.mark.parametrize("source_type", ["notion", "linear"])
def test_reauthorizing_replaces_tokens_and_clears_the_error(
    oauth_server: ApiServer,
    api: httpx.Client,
    browser: httpx.Client,
    box: SecretBox,
    source_type: str,
) -> None:
    ds = create(api, source_type)
    connect(api, browser, ds)
    first = box.open(raw_row(oauth_server, ds).credentials or b"")
    mark_reauthorization_required(oauth_server, ds)
    connect(api, browser, ds)
    row = raw_row(oauth_server, ds)
    second = box.open(row.credentials or b"")
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert row.auth_error is None
