"""Server configuration errors, the OpenAPI contract of the two operations, and logs free of
secrets across the whole flow."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from breadbox.app import create_app
from breadbox.config import Settings
from breadbox.crypto import SecretBox
from breadbox.oauth.tokens import TokenService
from breadbox.servers import ServerThread
from tests.oauth.conftest import Sims, oauth_settings
from tests.oauth.flow import SIM, authorize, create, query, quiet_get, raw_row, state_row
from tests.plugins.api import ApiServer


@pytest.fixture
def half_configured(oauth_server: ApiServer, sims: Sims) -> Iterator[str]:
    """A second server on the same database: Linear has no secret, Notion no client at all."""
    settings = Settings(
        data_dir=oauth_server.settings.data_dir,
        database_url=oauth_server.settings.database_url,
        **oauth_settings(sims, linear_client_secret=None, notion_client_id=None, notion_client_secret=None),
    )
    server = ServerThread(create_app(settings)).start()
    try:
        yield server.url
    finally:
        server.stop()


def test_missing_client_settings_are_named(half_configured: str, oauth_server: ApiServer) -> None:
    key = oauth_server.new_key()
    with httpx.Client(
        base_url=half_configured, headers={"Authorization": f"Bearer {key}"}, timeout=30
    ) as api:
        linear = create(api, "linear")
        response = api.get(f"/v1/data_sources/{linear}/oauth2/authorize")
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["type"] == "oauth2_not_configured"
        assert "BREADBOX_LINEAR_CLIENT_SECRET" in error["message"]
        assert "BREADBOX_LINEAR_CLIENT_ID" not in error["message"]
        notion = create(api, "notion")
        message = api.get(f"/v1/data_sources/{notion}/oauth2/authorize").json()["error"]["message"]
        assert "BREADBOX_NOTION_CLIENT_ID and BREADBOX_NOTION_CLIENT_SECRET" in message


def test_openapi_declares_the_contract_operations(oauth_server: ApiServer) -> None:
    contract = pytest.importorskip("tests.contract.test_openapi")
    ours = SIM.get(f"{oauth_server.url}/openapi.json", timeout=30).json()
    for operation_id in ("authorize_data_source", "oauth2_callback"):
        assert contract.compare_operation(contract.DS_SPEC, ours, operation_id) == []
    callback_op = ours["paths"]["/v1/data_sources/oauth2/callback"]["get"]
    code = next(p for p in callback_op["parameters"] if p["name"] == "code")
    assert code["required"] is True  # as the contract declares it, though an error may come alone


def _secret_free(records: list[logging.LogRecord], secrets: list[str]) -> list[str]:
    """Messages (with arguments and exception text) that contain any of `secrets`.

    The browser's requests (which carry state and code in their URLs) are made with `http.client`,
    which logs nothing, so every record here comes from the server side: our app, Authlib, httpx
    and httpcore (down to DEBUG), the database drivers, uvicorn."""
    found = []
    for record in records:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        found += [f"{record.name}: {text}" for secret in secrets if secret in text]
    return found


async def test_no_state_code_or_token_in_logs(
    oauth_server: ApiServer,
    api: httpx.Client,
    box: SecretBox,
    sims: Sims,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("breadbox", "breadbox.access", "breadbox.oauth", "httpx", "httpcore", "uvicorn.error"):
        caplog.set_level(logging.DEBUG, logger=name)
    secrets: list[str] = []
    for source_type in ("notion", "linear"):
        ds = create(api, source_type)
        url = authorize(api, ds)
        status, location = quiet_get(url)
        assert status == 302 and location
        secrets += [query(url)["state"], query(location)["code"]]
        pending = state_row(oauth_server, url)
        assert pending is not None
        if pending.code_verifier:
            secrets.append(box.open(pending.code_verifier)["code_verifier"])
        assert quiet_get(location)[0] == 307
        # A failing callback (reused state) is exercised too.
        assert quiet_get(location)[0] == 404
        tokens = box.open(raw_row(oauth_server, ds).credentials or b"")
        secrets += [tokens["access_token"], tokens["refresh_token"]]
        # A refresh, and a refresh that fails with invalid_grant after a rotation elsewhere.
        service = TokenService(_database(oauth_server), box, oauth_server.settings)
        try:
            fresh = await service.access_token(uuid.UUID(ds), force_refresh=True)
            secrets.append(fresh)
            secrets.append(box.open(raw_row(oauth_server, ds).credentials or b"")["refresh_token"])
        finally:
            await service.database.dispose()
    assert len(secrets) == 2 * 6 + 1  # per provider: state, code, pair, refreshed pair; + a verifier
    assert any(r.name == "breadbox.access" and "/oauth2/callback" in r.getMessage() for r in caplog.records)
    assert _secret_free(caplog.records, secrets) == []


def _database(server: ApiServer) -> Any:
    from breadbox.db.session import Database

    return Database(server.settings.resolved_database_url)
