"""The demo's world: simulators with known content, a configured server, and a client for it."""

from __future__ import annotations

import asyncio
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from breadbox.config import Settings
from breadbox.demo.model import (
    LINEAR_COMMENT,
    LINEAR_ISSUE,
    NOTION_PAGE,
    DemoError,
)


def start_simulators(stack: ExitStack, pages: int, issues: int) -> tuple[Any, Any]:
    try:
        return _simulators(stack, pages, issues)
    except FileNotFoundError as exc:  # the Linear simulator serves Linear's own GraphQL schema
        raise DemoError(f"a simulator could not start: {exc}") from exc


def _simulators(stack: ExitStack, pages: int, issues: int) -> tuple[Any, Any]:
    from breadbox.simulators import linear as linear_sim
    from breadbox.simulators import notion as notion_sim

    # Notion's documented average is 3 requests/s; the demo allows a little more so it stays short,
    # and the Breadbox side paces itself just under it (so a 429 is possible but rare).
    notion = stack.enter_context(
        notion_sim.start(notion_sim.NotionSimConfig(pages=pages, rate_limit_rps=10.0, burst=10))
    )
    # Linear's hourly budgets (the simulator's defaults are Linear's own figures) apply as they are.
    linear = stack.enter_context(
        linear_sim.start(linear_sim.LinearSimConfig(issues=issues, comments_per_issue=2))
    )
    return notion, linear


def plant_known_content(notion: Any, linear: Any) -> None:
    """One Notion page and one Linear issue (with a comment) that the searches will find."""
    try:
        notion.admin("POST", "/_sim/pages", NOTION_PAGE).raise_for_status()
        with httpx.Client(base_url=linear.url, timeout=10) as sim:
            issue = sim.post("/_sim/issues", json=LINEAR_ISSUE)
            issue.raise_for_status()
            sim.post(
                f"/_sim/issues/{issue.json()['id']}/comments", json={"body": LINEAR_COMMENT}
            ).raise_for_status()
    except httpx.HTTPError as exc:
        raise DemoError(f"could not add the demo's page and issue to the simulators: {exc}") from exc


def demo_settings(data_dir: Path, database_url: str | None, notion: Any, linear: Any) -> tuple[Settings, str]:
    from breadbox.servers import free_port

    api_url = f"http://127.0.0.1:{free_port()}"
    settings = Settings(
        host="127.0.0.1",
        data_dir=data_dir,
        database_url=database_url,
        public_url=api_url,
        log_level="warning",
        notion_api_url=notion.url,
        notion_client_id=notion.client_id,
        notion_client_secret=notion.client_secret,
        notion_rate_limit=8.0,
        notion_rate_burst=8.0,
        linear_api_url=linear.url,
        linear_authorize_url=f"{linear.url}/oauth/authorize",
        linear_client_id=linear.client_id,
        linear_client_secret=linear.client_secret,
        sync_tick_seconds=0.2,
    )
    return settings, api_url


def prepare_database(settings: Settings) -> str:
    """Migrate, then make the demo's API key (in an organization of its own, so a reused data
    directory never clashes with an earlier run's store)."""
    from breadbox.auth.service import ApiKeyService
    from breadbox.db.migrate import upgrade
    from breadbox.db.session import Database

    upgrade(settings.resolved_database_url)

    async def work() -> str:
        database = Database(settings.resolved_database_url)
        try:
            async with database.session() as session:
                service = ApiKeyService(session)
                _, _, value = await service.create_for_organization(f"demo-{uuid.uuid4().hex[:8]}", "demo")
                return value
        finally:
            await database.dispose()

    return asyncio.run(work())


def start_server(stack: ExitStack, settings: Settings, api_url: str) -> None:
    from breadbox.app import create_app
    from breadbox.servers import ServerThread

    port = int(urlsplit(api_url).port or 0)
    server = ServerThread(create_app(settings, worker=True), port=port, access_log=False).start()
    stack.callback(server.stop)


class DemoApi:
    """The few calls the demo makes, failing with a readable message."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def _check(self, response: httpx.Response, expected: tuple[int, ...]) -> Any:
        if response.status_code not in expected:
            raise DemoError(
                f"{response.request.method} {response.request.url.path} answered "
                f"{response.status_code}: {response.text[:500]}"
            )
        return response.json() if response.content else None

    def get(self, path: str) -> Any:
        return self._check(self.client.get(path), (200,))

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self._check(self.client.post(path, json=body), (200, 201))


def connect_linear_by_oauth(api: DemoApi, api_url: str) -> dict[str, Any]:
    """The OAuth dance a browser would do; the simulator's consent screen approves at once."""
    ds = api.post(
        "/v1/data_sources/",
        {"type": "linear", "name": "Linear (simulated)", "auth_params": {"type": "oauth2"}},
    )
    url = api.get(f"/v1/data_sources/{ds['id']}/oauth2/authorize")["url"]
    with httpx.Client(timeout=30, follow_redirects=False) as browser:
        consent = browser.get(url)
        location = consent.headers.get("location")
        if consent.status_code not in (302, 303, 307) or not location:
            raise DemoError(f"the Linear simulator did not approve the OAuth request: {consent.text[:300]}")
        parts = urlsplit(location)
        back = browser.get(f"{api_url}{parts.path}?{parts.query}")
        if back.status_code not in (302, 303, 307):
            raise DemoError(f"the OAuth callback failed ({back.status_code}): {back.text[:300]}")
    connected: dict[str, Any] = api.get(f"/v1/data_sources/{ds['id']}")
    if connected.get("auth_params", {}).get("type") != "oauth2" or not connected["auth_params"].get(
        "access_token"
    ):
        raise DemoError(f"the Linear data source has no access token after OAuth: {connected}")
    return connected


# --- first sync ----------------------------------------------------------------------------------
