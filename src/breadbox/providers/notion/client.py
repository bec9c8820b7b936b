"""The notion-client SDK on Breadbox's provider transport.

The transport owns credentials, pacing and retries, so the SDK gets no token (the transport sets
`Authorization` from the token getter on every attempt, including after a refresh) and has its
own retries switched off: two retry layers would multiply requests in a 429 storm.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from notion_client import APIResponseError, AsyncClient

from breadbox.providers.base import FatalProviderError, TokenGetter
from breadbox.providers.http import ProviderTransport
from breadbox.providers.ratelimit import RateLimiter

_sdk_log = logging.getLogger("breadbox.providers.notion.sdk")


def build_client(
    base_url: str,
    get_token: TokenGetter,
    limiter: RateLimiter,
    notion_version: str,
    *,
    timeout: float = 60.0,
    max_attempts: int = 6,
    base_delay: float = 0.5,
    inner: httpx.AsyncBaseTransport | None = None,
) -> tuple[AsyncClient, ProviderTransport]:
    """An SDK client and the transport it sends through (whose `requests` counts every attempt)."""
    transport = ProviderTransport(
        get_token, limiter, max_attempts=max_attempts, base_delay=base_delay, inner=inner
    )
    http = httpx.AsyncClient(transport=transport, timeout=timeout)
    client = AsyncClient(
        client=http,
        base_url=base_url.rstrip("/"),
        notion_version=notion_version,
        timeout_ms=int(timeout * 1000),
        retry=False,
        logger=_sdk_log,
        log_level=logging.WARNING,
    )
    return client, transport


def is_not_found(exc: Exception) -> bool:
    """404 means deleted *or* no longer shared with the integration (notion.md 6.3)."""
    return isinstance(exc, APIResponseError) and exc.status == 404


def is_stale_cursor(exc: Exception) -> bool:
    """Cursors can expire mid-listing: 400 "The start_cursor provided is invalid" (notion.md 3.0)."""
    return isinstance(exc, APIResponseError) and exc.status == 400 and "start_cursor" in str(exc)


def fatal(exc: APIResponseError, what: str) -> FatalProviderError:
    return FatalProviderError(f"Notion refused {what}: {exc.code} (HTTP {exc.status})")


def results(response: Any) -> list[dict[str, Any]]:
    """A list response's results, tolerating partial objects and odd shapes."""
    items = response.get("results") if isinstance(response, dict) else None
    return [item for item in items or [] if isinstance(item, dict)]
