"""An app whose settings point at both simulators (OAuth client credentials, endpoints, and a
PUBLIC_URL equal to its own address), once per backend; plus the simulators, reset between tests.

The simulators are shared by the whole module tree to keep the suite fast; every test that flips
one of their switches (deny, faults, client secret, clock) gets it put back by `reset_sims`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from breadbox.crypto import SecretBox, load_secret_key
from breadbox.servers import free_port
from breadbox.simulators.linear import LinearSimConfig, LinearSimHandle
from breadbox.simulators.linear import start as start_linear
from breadbox.simulators.notion import NotionSimConfig, NotionSimHandle
from breadbox.simulators.notion import start as start_notion
from tests.oauth.flow import SIM
from tests.plugins.api import BACKENDS, ApiServer, serve_app


@dataclass
class Sims:
    notion: NotionSimHandle
    linear: LinearSimHandle


def oauth_settings(sims: Sims, **overrides: object) -> dict[str, object]:
    """Settings fields that point Breadbox at the simulators."""
    return {
        "notion_client_id": sims.notion.client_id,
        "notion_client_secret": sims.notion.client_secret,
        "linear_client_id": sims.linear.client_id,
        "linear_client_secret": sims.linear.client_secret,
        "notion_api_url": sims.notion.url,
        "linear_api_url": sims.linear.url,
        "linear_authorize_url": f"{sims.linear.url}/oauth/authorize",
        **overrides,
    }


@pytest.fixture(scope="session")
def sims() -> Iterator[Sims]:
    notion_config = NotionSimConfig(pages=3, rate_limit_rps=0.0, private_pages=0, trashed_pages=0)
    linear_config = LinearSimConfig(issues=3, comments_per_issue=1, projects=1, documents=1)
    with start_notion(notion_config) as notion, start_linear(linear_config) as linear:
        yield Sims(notion, linear)


@pytest.fixture(scope="session", params=BACKENDS)
def oauth_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sims: Sims
) -> Iterator[ApiServer]:
    """Breadbox under uvicorn, configured for OAuth against the simulators, on one backend."""
    tmp = tmp_path_factory.mktemp(f"oauth-{request.param}")
    port = free_port()
    settings = oauth_settings(sims, public_url=f"http://127.0.0.1:{port}")
    with serve_app(request.param, tmp, port=port, **settings) as server:
        yield server


@pytest.fixture
def box(oauth_server: ApiServer) -> SecretBox:
    """The server's secret box (same key file), to check what is sealed in the database."""
    return SecretBox(load_secret_key(oauth_server.settings))


@pytest.fixture
def api(oauth_server: ApiServer) -> Iterator[httpx.Client]:
    with oauth_server.client(oauth_server.new_key()) as client:
        yield client


@pytest.fixture
def browser(oauth_server: ApiServer) -> Iterator[httpx.Client]:
    """What arrives at the callback: no API key, redirects not followed."""
    with httpx.Client(base_url=oauth_server.url, timeout=30, follow_redirects=False) as client:
        yield client


@pytest.fixture(autouse=True)
def reset_sims(sims: Sims) -> Iterator[None]:
    notion_secret = sims.notion.state.oauth.client_secret
    linear_secret = sims.linear.config.client_secret
    for url in (sims.notion.url, sims.linear.url):
        SIM.post(f"{url}/_sim/reset-stats", timeout=10).raise_for_status()
    yield
    sims.notion.state.oauth.client_secret = notion_secret
    sims.linear.config.client_secret = linear_secret
    for url in (sims.notion.url, sims.linear.url):
        SIM.post(f"{url}/_sim/oauth", json={"deny": False}, timeout=10).raise_for_status()
        SIM.post(
            f"{url}/_sim/faults", json={"fail_next": 0, "error_rate": 0.0}, timeout=10
        ).raise_for_status()
