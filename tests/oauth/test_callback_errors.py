"""Everything that must not store tokens: bad, expired, reused or foreign state; provider errors;
failed code exchanges. Each checks the answer and that the data source still has no tokens."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx
import pytest

from tests.oauth.conftest import Sims
from tests.oauth.flow import (
    SIM,
    authorize,
    callback,
    connect,
    create,
    expire_state,
    provider_redirect,
    query,
    raw_row,
    state_row,
)
from tests.plugins.api import ApiServer


def envelope(response: httpx.Response, status: int, error_type: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == status and body["error"]["type"] == error_type, body
    return str(body["error"]["message"])


def assert_no_tokens(server: ApiServer, api: httpx.Client, ds: str) -> None:
    assert raw_row(server, ds).credentials is None
    shown = api.get(f"/v1/data_sources/{ds}").json()["auth_params"]
    assert shown["type"] == "oauth2" and shown["access_token"] is None


def test_unknown_state_is_404(browser: httpx.Client) -> None:
    response = browser.get("/v1/data_sources/oauth2/callback", params={"state": "made-up", "code": "x"})
    envelope(response, 404, "invalid_state")


def test_reused_state_is_404_and_keeps_the_first_tokens(
    oauth_server: ApiServer, api: httpx.Client, browser: httpx.Client
) -> None:
    ds = create(api, "notion")
    location = provider_redirect(authorize(api, ds))
    assert callback(browser, location).status_code == 307
    first = raw_row(oauth_server, ds).credentials
    envelope(callback(browser, location), 404, "invalid_state")
    assert raw_row(oauth_server, ds).credentials == first


def test_expired_state_is_404(oauth_server: ApiServer, api: httpx.Client, browser: httpx.Client) -> None:
    ds = create(api, "linear")
    url = authorize(api, ds)
    location = provider_redirect(url)
    expire_state(oauth_server, url, datetime.now(UTC) - timedelta(seconds=1))
    envelope(callback(browser, location), 404, "invalid_state")
    assert_no_tokens(oauth_server, api, ds)


def test_state_binds_to_its_data_source(
    oauth_server: ApiServer, api: httpx.Client, browser: httpx.Client
) -> None:
    """A's state with the code of B's authorization fails (Linear's PKCE ties the code to the
    verifier sealed with A's state); nothing lands on either, and B's own flow still completes."""
    a, b = create(api, "linear", name="A"), create(api, "linear", name="B")
    a_state = query(authorize(api, a))["state"]
    b_location = provider_redirect(authorize(api, b))
    b_code = query(b_location)["code"]
    mixed = browser.get("/v1/data_sources/oauth2/callback", params={"state": a_state, "code": b_code})
    assert "invalid_grant" in envelope(mixed, 400, "oauth2_token_exchange_failed")
    assert_no_tokens(oauth_server, api, a)
    assert_no_tokens(oauth_server, api, b)
    assert callback(browser, b_location).status_code == 307
    assert raw_row(oauth_server, b).credentials is not None
    assert raw_row(oauth_server, a).credentials is None


def test_other_organizations_cannot_authorize_or_see_the_result(
    oauth_server: ApiServer, api: httpx.Client, browser: httpx.Client
) -> None:
    ds = create(api, "notion")
    with oauth_server.client(oauth_server.new_key()) as other:
        envelope(other.get(f"/v1/data_sources/{ds}/oauth2/authorize"), 404, "data_source_not_found")
        connect(api, browser, ds)
        assert other.get(f"/v1/data_sources/{ds}").status_code == 404
    assert api.get(f"/v1/data_sources/{ds}").json()["auth_params"]["access_token"]


def test_deleted_data_source_makes_its_state_invalid(
    oauth_server: ApiServer, api: httpx.Client, browser: httpx.Client
) -> None:
    ds = create(api, "notion")
    url = authorize(api, ds)
    location = provider_redirect(url)
    assert api.delete(f"/v1/data_sources/{ds}").status_code == 200
    assert state_row(oauth_server, url) is None  # cascaded
    envelope(callback(browser, location), 404, "invalid_state")


@pytest.mark.parametrize("source_type", ["notion", "linear"])
def test_access_denied_is_400_with_the_provider_error(
    oauth_server: ApiServer, api: httpx.Client, browser: httpx.Client, sims: Sims, source_type: str
) -> None:
    sim_url = sims.notion.url if source_type == "notion" else sims.linear.url
    SIM.post(f"{sim_url}/_sim/oauth", json={"deny": True}, timeout=10).raise_for_status()
    ds = create(api, source_type)
    url = authorize(api, ds)
    location = provider_redirect(url)
    assert query(location)["error"] == "access_denied" and "code" not in query(location)
    message = envelope(callback(browser, location), 400, "oauth2_authorization_error")
    assert "access_denied" in message
    assert_no_tokens(oauth_server, api, ds)
    state = state_row(oauth_server, url)
    assert state is not None and state.used_at is not None  # a denial ends that attempt


def test_error_description_is_carried_and_code_is_optional_with_an_error(
    api: httpx.Client, browser: httpx.Client
) -> None:
    ds = create(api, "notion")
    state = query(authorize(api, ds))["state"]
    params = {"state": state, "error": "access_denied", "error_description": "The user said no"}
    message = envelope(
        browser.get("/v1/data_sources/oauth2/callback", params=params), 400, "oauth2_authorization_error"
    )
    assert "access_denied" in message and "The user said no" in message


def test_missing_code_without_error_is_a_422(api: httpx.Client, browser: httpx.Client) -> None:
    ds = create(api, "notion")
    state = query(authorize(api, ds))["state"]
    response = browser.get("/v1/data_sources/oauth2/callback", params={"state": state})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "code"]
    assert browser.get("/v1/data_sources/oauth2/callback", params={"code": "x"}).status_code == 422


@pytest.mark.parametrize("source_type", ["notion", "linear"])
def test_token_endpoint_5xx_is_400_and_stores_nothing(
    oauth_server: ApiServer, api: httpx.Client, browser: httpx.Client, sims: Sims, source_type: str
) -> None:
    sim_url = sims.notion.url if source_type == "notion" else sims.linear.url
    ds = create(api, source_type)
    location = provider_redirect(authorize(api, ds))
    fault = {"fail_next": 1, "statuses": [503]}
    SIM.post(f"{sim_url}/_sim/faults", json=fault, timeout=10).raise_for_status()
    message = envelope(callback(browser, location), 400, "oauth2_token_exchange_failed")
    assert "503" in message
    assert_no_tokens(oauth_server, api, ds)


@pytest.mark.parametrize("source_type", ["notion", "linear"])
def test_wrong_client_secret_is_400_and_stores_nothing(
    oauth_server: ApiServer, api: httpx.Client, browser: httpx.Client, sims: Sims, source_type: str
) -> None:
    """The provider's secret was rotated and Breadbox still has the old one."""
    ds = create(api, source_type)
    location = provider_redirect(authorize(api, ds))
    if source_type == "notion":
        sims.notion.state.oauth.client_secret = "secret_rotated"
    else:
        sims.linear.config.client_secret = "rotated"
    message = envelope(callback(browser, location), 400, "oauth2_token_exchange_failed")
    assert ("invalid_client" if source_type == "linear" else "unauthorized") in message
    assert_no_tokens(oauth_server, api, ds)


@pytest.mark.parametrize("source_type", ["notion", "linear"])
def test_code_issued_for_another_redirect_uri_is_refused(
    oauth_server: ApiServer, api: httpx.Client, browser: httpx.Client, sims: Sims, source_type: str
) -> None:
    """A code the provider issued for a different redirect URI cannot be redeemed with ours."""
    ds = create(api, source_type)
    ours = query(authorize(api, ds))
    elsewhere = {**ours, "redirect_uri": "http://127.0.0.1:9/elsewhere"}
    base = (
        f"{sims.notion.url}/v1/oauth/authorize"
        if source_type == "notion"
        else f"{sims.linear.url}/oauth/authorize"
    )
    code = query(provider_redirect(f"{base}?{urlencode(elsewhere)}"))["code"]
    response = browser.get("/v1/data_sources/oauth2/callback", params={"state": ours["state"], "code": code})
    message = envelope(response, 400, "oauth2_token_exchange_failed")
    assert "invalid_grant" in message and "redirect_uri" in message
    assert_no_tokens(oauth_server, api, ds)


def test_errors_are_html_for_a_browser(api: httpx.Client, browser: httpx.Client) -> None:
    response = browser.get(
        "/v1/data_sources/oauth2/callback",
        params={"state": "made-up", "code": "x"},
        headers={"Accept": "text/html,application/xhtml+xml"},
    )
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Authorization failed" in response.text and "made-up" not in response.text
    assert response.headers["referrer-policy"] == "no-referrer"
    ds = create(api, "notion")
    state = query(authorize(api, ds))["state"]
    denied = browser.get(
        "/v1/data_sources/oauth2/callback",
        params={"state": state, "error": "access_denied", "error_description": "<script>x</script>"},
        headers={"Accept": "text/html"},
    )
    assert denied.status_code == 400 and "&lt;script&gt;" in denied.text and "<script>" not in denied.text


def test_authorize_rules(oauth_server: ApiServer, api: httpx.Client) -> None:
    envelope(api.get(f"/v1/data_sources/{uuid.uuid4()}/oauth2/authorize"), 404, "data_source_not_found")
    keyed = create(api, "notion", auth={"type": "api_key", "api_key": "ntn_0123456789abcdef0123456789"})
    assert "api_key" in envelope(
        api.get(f"/v1/data_sources/{keyed}/oauth2/authorize"), 400, "auth_type_not_supported"
    )
    bare = api.post("/v1/data_sources/", json={"type": "notion", "name": "No auth"}).json()["id"]
    envelope(api.get(f"/v1/data_sources/{bare}/oauth2/authorize"), 400, "auth_type_not_supported")
    with oauth_server.client() as anonymous:
        envelope(anonymous.get(f"/v1/data_sources/{keyed}/oauth2/authorize"), 401, "unauthorized")
    # Starting a credential change takes `write`: a read-only key of the same organization may
    # look at the data source but not authorize it.
    organization = f"org-{uuid.uuid4().hex[:10]}"
    with oauth_server.client(oauth_server.new_key(organization)) as writer:
        target = create(writer, "linear")
        assert writer.get(f"/v1/data_sources/{target}/oauth2/authorize").status_code == 200
    with oauth_server.client(oauth_server.new_key(organization, scope=[{"method": "read"}])) as reader:
        assert reader.get(f"/v1/data_sources/{target}").status_code == 200
        envelope(reader.get(f"/v1/data_sources/{target}/oauth2/authorize"), 403, "forbidden")
