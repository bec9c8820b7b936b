"""`TokenService` against the simulators: proactive and forced refresh, single flight (in one
process and across event loops standing in for processes), rotation and `invalid_grant`."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from breadbox.crypto import SecretBox
from breadbox.db.session import Database
from breadbox.errors import NotFoundError
from breadbox.oauth.errors import ReauthorizationRequired, TokenRefreshError
from breadbox.oauth.tokens import TokenService
from tests.oauth.conftest import Sims
from tests.oauth.flow import SIM, connect, create, raw_row
from tests.plugins.api import ApiServer

DAY = 86_399  # the simulator's access token lifetime, as Linear's


def stats(sim_url: str) -> dict[str, Any]:
    return SIM.get(f"{sim_url}/_sim/stats", timeout=10).json()  # type: ignore[no-any-return]


def refreshes(sim_url: str) -> int:
    return int(stats(sim_url).get("token_refreshes", 0))


def linear_viewer(sims: Sims, token: str) -> int:
    response = SIM.post(
        f"{sims.linear.url}/graphql",
        json={"query": "{ viewer { id } }"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code in (200, 401), response.text
    return response.status_code


def shifted(seconds: float) -> Callable[[], datetime]:
    return lambda: datetime.now(UTC) + timedelta(seconds=seconds)


@pytest.fixture
async def database(oauth_server: ApiServer) -> AsyncIterator[Database]:
    db = Database(oauth_server.settings.resolved_database_url)
    yield db
    await db.dispose()


@pytest.fixture
def tokens_of(oauth_server: ApiServer, box: SecretBox) -> Callable[[str], dict[str, Any]]:
    return lambda ds: box.open(raw_row(oauth_server, ds).credentials or b"")


@pytest.fixture
def linear_ds(api: httpx.Client, browser: httpx.Client) -> uuid.UUID:
    ds = create(api, "linear")
    connect(api, browser, ds)
    return uuid.UUID(ds)


async def test_fresh_token_is_returned_without_refresh(
    oauth_server: ApiServer,
    database: Database,
    box: SecretBox,
    sims: Sims,
    linear_ds: uuid.UUID,
    tokens_of: Any,
) -> None:
    service = TokenService(database, box, oauth_server.settings)
    token = await service.access_token(linear_ds)
    assert token == tokens_of(str(linear_ds))["access_token"]
    assert linear_viewer(sims, token) == 200
    assert refreshes(sims.linear.url) == 0


async def test_expiring_linear_token_is_refreshed_before_use(
    oauth_server: ApiServer,
    database: Database,
    box: SecretBox,
    sims: Sims,
    linear_ds: uuid.UUID,
    tokens_of: Any,
) -> None:
    before = tokens_of(str(linear_ds))
    ahead = DAY - 120  # two minutes before expiry: inside the five-minute margin
    # The simulator's clock only moves forward (its rate limiter keeps time by it).
    SIM.post(f"{sims.linear.url}/_sim/clock", json={"advance_seconds": ahead}, timeout=10).raise_for_status()
    service = TokenService(database, box, oauth_server.settings, clock=shifted(ahead))
    token = await service.access_token(linear_ds)
    assert token != before["access_token"]
    assert refreshes(sims.linear.url) == 1
    after = tokens_of(str(linear_ds))
    assert after["access_token"] == token and after["refresh_token"] != before["refresh_token"]
    assert linear_viewer(sims, token) == 200
    assert linear_viewer(sims, before["access_token"]) == 401  # the simulator revokes it on refresh
    # Stored (and shown) expiry moved a day ahead of the shifted clock; a second call reuses it.
    assert await service.access_token(linear_ds) == token
    assert refreshes(sims.linear.url) == 1
    row = raw_row(oauth_server, str(linear_ds))
    expires = datetime.fromisoformat((row.auth_info or {})["expires_on"])
    assert expires - shifted(ahead)() > timedelta(hours=23)


async def test_twenty_concurrent_callers_trigger_one_refresh(
    oauth_server: ApiServer, database: Database, box: SecretBox, sims: Sims, linear_ds: uuid.UUID
) -> None:
    service = TokenService(database, box, oauth_server.settings, clock=shifted(DAY))
    got = await asyncio.gather(*(service.access_token(linear_ds) for _ in range(20)))
    assert len(set(got)) == 1
    assert refreshes(sims.linear.url) == 1
    assert linear_viewer(sims, got[0]) == 200


async def test_twenty_callers_rejected_at_once_trigger_one_refresh(
    oauth_server: ApiServer, database: Database, box: SecretBox, sims: Sims, linear_ds: uuid.UUID
) -> None:
    service = TokenService(database, box, oauth_server.settings)
    rejected = await service.access_token(linear_ds)
    got = await asyncio.gather(
        *(service.access_token(linear_ds, force_refresh=True, rejected_token=rejected) for _ in range(20))
    )
    assert len(set(got)) == 1 and got[0] != rejected
    assert refreshes(sims.linear.url) == 1


def test_single_flight_across_event_loops_with_their_own_engines(
    oauth_server: ApiServer, box: SecretBox, sims: Sims, linear_ds: uuid.UUID
) -> None:
    """Two threads, each with its own loop, engine and service (no shared in-process lock), stand
    in for two worker processes: the database must make them agree on one refresh."""
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        async def run() -> list[str]:
            db = Database(oauth_server.settings.resolved_database_url)
            try:
                service = TokenService(db, box, oauth_server.settings, clock=shifted(DAY))
                await service.access_token(linear_ds, force_refresh=True, rejected_token="none-yet")
                barrier.wait(timeout=10)
                return list(await asyncio.gather(*(service.access_token(linear_ds) for _ in range(10))))
            finally:
                await db.dispose()

        try:
            results.extend(asyncio.run(run()))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    # Warm-up above used force with a token that never existed: that path returns the stored
    # token without refreshing, so both services start from the same pair.
    token_posts_before = stats(sims.linear.url)["requests"]["by_endpoint"].get("POST /oauth/token", 0)
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(results) == 20 and len(set(results)) == 1
    assert refreshes(sims.linear.url) == 1
    assert raw_row(oauth_server, str(linear_ds)).auth_error is None
    attempts = (
        stats(sims.linear.url)["requests"]["by_endpoint"].get("POST /oauth/token", 0) - token_posts_before
    )
    if oauth_server.backend == "postgres":
        assert attempts == 1  # the row lock kept the second process from even trying
    else:
        assert attempts <= 2  # SQLite: a loser's invalid_grant finds the winner's pair instead


async def test_refresh_token_reused_after_rotation_needs_reauthorization(
    oauth_server: ApiServer,
    database: Database,
    box: SecretBox,
    sims: Sims,
    linear_ds: uuid.UUID,
    tokens_of: Any,
    api: httpx.Client,
    browser: httpx.Client,
) -> None:
    stale = tokens_of(str(linear_ds))
    # Someone else redeems the stored refresh token first (a copy of the grant elsewhere).
    rotated = SIM.post(
        f"{sims.linear.url}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": stale["refresh_token"],
            "client_id": sims.linear.client_id,
            "client_secret": sims.linear.client_secret,
        },
        timeout=10,
    )
    assert rotated.status_code == 200
    service = TokenService(database, box, oauth_server.settings)
    with pytest.raises(ReauthorizationRequired) as caught:
        await service.access_token(linear_ds, force_refresh=True)
    assert caught.value.data_source_id == linear_ds and caught.value.error_type == "reauthorization_required"
    assert "invalid_grant" in str(caught.value)
    for secret in (stale["access_token"], stale["refresh_token"]):
        assert secret not in str(caught.value)
    row = raw_row(oauth_server, str(linear_ds))
    assert row.auth_error == "reauthorization_required"
    # Marked: later callers fail fast without asking the provider again.
    before = stats(sims.linear.url)["requests"]["by_endpoint"].get("POST /oauth/token", 0)
    with pytest.raises(ReauthorizationRequired):
        await service.access_token(linear_ds)
    assert stats(sims.linear.url)["requests"]["by_endpoint"].get("POST /oauth/token", 0) == before
    # A new authorization resumes it.
    connect(api, browser, str(linear_ds))
    assert raw_row(oauth_server, str(linear_ds)).auth_error is None
    token = await service.access_token(linear_ds)
    assert linear_viewer(sims, token) == 200


async def test_token_endpoint_5xx_during_refresh_keeps_the_pair(
    oauth_server: ApiServer,
    database: Database,
    box: SecretBox,
    sims: Sims,
    linear_ds: uuid.UUID,
    tokens_of: Any,
) -> None:
    before = tokens_of(str(linear_ds))
    fault = {"fail_next": 1, "statuses": [502]}
    SIM.post(f"{sims.linear.url}/_sim/faults", json=fault, timeout=10).raise_for_status()
    service = TokenService(database, box, oauth_server.settings, clock=shifted(DAY))
    with pytest.raises(TokenRefreshError) as caught:
        await service.access_token(linear_ds)
    assert caught.value.retriable and "502" in str(caught.value)
    assert tokens_of(str(linear_ds)) == before
    assert raw_row(oauth_server, str(linear_ds)).auth_error is None
    # The fault has passed: the next call refreshes with the same, still valid refresh token.
    assert await service.access_token(linear_ds) != before["access_token"]


async def test_notion_forced_refresh_rotates_the_pair_over_json(
    oauth_server: ApiServer,
    database: Database,
    box: SecretBox,
    sims: Sims,
    api: httpx.Client,
    browser: httpx.Client,
    tokens_of: Any,
) -> None:
    ds = create(api, "notion")
    connect(api, browser, ds)
    before = tokens_of(ds)
    service = TokenService(database, box, oauth_server.settings, clock=shifted(10 * DAY))
    # No expires_in from Notion: no proactive refresh, however late it is.
    assert await service.access_token(uuid.UUID(ds)) == before["access_token"]
    token = await service.access_token(uuid.UUID(ds), force_refresh=True)
    after = tokens_of(ds)
    assert token == after["access_token"] != before["access_token"]
    assert after["refresh_token"] != before["refresh_token"]
    assert refreshes(sims.notion.url) == 1
    me = SIM.get(
        f"{sims.notion.url}/v1/users/me",
        headers={"Authorization": f"Bearer {token}", "Notion-Version": "2025-09-03"},
        timeout=10,
    )
    assert me.status_code == 200
    # The workspace metadata survives the refresh.
    assert (raw_row(oauth_server, ds).auth_info or {})["additional_params"]["workspace_id"]


async def test_api_key_and_unauthorized_data_sources(
    oauth_server: ApiServer, database: Database, box: SecretBox, api: httpx.Client
) -> None:
    key = "ntn_0123456789abcdef0123456789abcdef"
    keyed = create(api, "notion", auth={"type": "api_key", "api_key": key})
    pending = create(api, "linear")
    service = TokenService(database, box, oauth_server.settings)
    assert await service.access_token(uuid.UUID(keyed)) == key
    with pytest.raises(ReauthorizationRequired, match="not been authorized"):
        await service.access_token(uuid.UUID(pending))
    with pytest.raises(NotFoundError):
        await service.access_token(uuid.uuid4())
