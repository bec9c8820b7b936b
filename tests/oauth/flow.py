"""The browser's part of the flow, done with httpx: no redirect is followed implicitly, so every
hop (our authorize answer, the provider's redirect, our callback's redirect) is observed."""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import select, update

from breadbox.data_sources.models import DataSource
from breadbox.db.session import Database
from breadbox.oauth.models import OAuthState
from tests.plugins.api import ApiServer

# One keep-alive client for the simulators and other plain calls (a new client costs ~50 ms).
SIM = httpx.Client(timeout=30, follow_redirects=False)


def create(
    api: httpx.Client, source_type: str, auth: dict[str, Any] | None = None, name: str = "Team"
) -> str:
    body: dict[str, Any] = {"type": source_type, "name": name}
    body["auth_params"] = auth if auth is not None else {"type": "oauth2"}
    response = api.post("/v1/data_sources/", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def authorize(api: httpx.Client, data_source_id: str) -> str:
    response = api.get(f"/v1/data_sources/{data_source_id}/oauth2/authorize")
    assert response.status_code == 200, response.text
    return str(response.json()["url"])


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def provider_redirect(authorize_url: str) -> str:
    """Where the provider sends the browser back (its consent screen approves at once)."""
    response = SIM.get(authorize_url)
    assert response.status_code == 302, response.text
    return response.headers["location"]


def callback(browser: httpx.Client, location: str, **headers: str) -> httpx.Response:
    """Follow the provider's redirect to our callback (relative to our base URL)."""
    parts = urlsplit(location)
    return browser.get(f"{parts.path}?{parts.query}", headers=headers)


def connect(api: httpx.Client, browser: httpx.Client, data_source_id: str) -> httpx.Response:
    response = callback(browser, provider_redirect(authorize(api, data_source_id)))
    assert response.status_code == 307, response.text
    return response


def state_hash(url: str) -> str:
    return hashlib.sha256(query(url)["state"].encode()).hexdigest()


def run(server: ApiServer, work: Any) -> Any:
    """`server.run(work)`, from sync tests and (in a helper thread) from async ones alike."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return server.run(work)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(server.run, work).result()


def raw_row(server: ApiServer, data_source_id: str) -> DataSource:
    async def read(database: Database) -> DataSource:
        async with database.session() as session:
            row = await session.scalar(select(DataSource).where(DataSource.id == uuid.UUID(data_source_id)))
            assert row is not None
            return row

    return run(server, read)  # type: ignore[no-any-return]


def expire_state(server: ApiServer, url: str, when: Any) -> None:
    async def write(database: Database) -> None:
        async with database.session() as session:
            await session.execute(
                update(OAuthState).where(OAuthState.state_hash == state_hash(url)).values(expires_at=when)
            )

    run(server, write)


def state_row(server: ApiServer, url: str) -> OAuthState | None:
    async def read(database: Database) -> OAuthState | None:
        async with database.session() as session:
            return await session.scalar(select(OAuthState).where(OAuthState.state_hash == state_hash(url)))

    return run(server, read)  # type: ignore[no-any-return]


def quiet_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str | None]:
    """GET without following redirects and without any logging (`http.client` logs nothing):
    (status, Location). For the logging test, whose browser must not be the one that logs URLs."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}", headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("location")
    finally:
        connection.close()


def mark_reauthorization_required(server: ApiServer, data_source_id: str) -> None:
    """Put a data source in the state an `invalid_grant` leaves it in."""

    async def write(database: Database) -> None:
        async with database.session() as session:
            await session.execute(
                update(DataSource)
                .where(DataSource.id == uuid.UUID(data_source_id))
                .values(auth_error="reauthorization_required")
            )

    run(server, write)
    assert raw_row(server, data_source_id).auth_error == "reauthorization_required"
