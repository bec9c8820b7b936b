"""The one HTTP path every provider request takes: credential, pacing, retries, classification.

Providers build their API clients (notion-client, a GraphQL poster) on an `httpx.AsyncClient` whose
transport is a `ProviderTransport`, so rate limits, `Retry-After`, backoff with jitter, token
refresh on a 401 and error typing are written once, here, and never in a connector.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

from breadbox.providers.base import CredentialError, RetryableProviderError, TokenGetter
from breadbox.providers.ratelimit import RateLimiter

RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})


@dataclass(frozen=True)
class Verdict:
    """How a response should be treated: `retry_after` set means back off and retry."""

    retry: bool = False
    retry_after: float | None = None
    auth_failed: bool = False


def default_classify(response: httpx.Response) -> Verdict:
    if response.status_code == 401:
        return Verdict(auth_failed=True)
    if response.status_code in RETRYABLE_STATUSES:
        return Verdict(retry=True, retry_after=retry_after_seconds(response))
    return Verdict()


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            return None


class _Retry(Exception):
    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderTransport(httpx.AsyncBaseTransport):
    """Sends each request with the current credential, paced by the credential's limiter.

    `classify` sees JSON error bodies already read (status >= 400), so it may inspect them.
    Retryable answers (429, 529, 5xx, timeouts, or what `classify` says) are retried with
    exponential backoff and full jitter, honouring `Retry-After` (which also pauses every other
    caller on the credential). A 401 forces one token refresh and one retry; a second 401 is a
    `CredentialError`.
    """

    def __init__(
        self,
        get_token: TokenGetter,
        limiter: RateLimiter,
        *,
        auth_header: Callable[[str], str] = lambda token: f"Bearer {token}",
        classify: Callable[[httpx.Response], Verdict] = default_classify,
        max_attempts: int = 6,
        max_throttled_attempts: int = 30,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        inner: httpx.AsyncBaseTransport | None = None,
        on_response: Callable[[httpx.Response], None] | None = None,
    ) -> None:
        self.get_token = get_token
        self.limiter = limiter
        self.auth_header = auth_header
        self.classify = classify
        self.max_attempts = max_attempts
        self.max_throttled_attempts = max_throttled_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.inner = inner or httpx.AsyncHTTPTransport()
        self.on_response = on_response
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        refreshed = False
        attempt_no = 0
        try:
            async for attempt in AsyncRetrying(
                stop=self._stop,
                retry=retry_if_exception_type((_Retry, httpx.TransportError)),
                wait=self._wait,
                reraise=True,
            ):
                with attempt:
                    attempt_no += 1
                    token = await self.get_token(False)
                    response = await self._send(request, body, token)
                    verdict = self.classify(response)
                    if verdict.auth_failed and not refreshed:
                        await response.aclose()
                        refreshed = True
                        token = await self.get_token(True)
                        response = await self._send(request, body, token)
                        verdict = self.classify(response)
                    if verdict.auth_failed:
                        await response.aclose()
                        raise CredentialError("The provider refused the credential after a refresh")
                    if verdict.retry:
                        await response.aclose()
                        if verdict.retry_after is not None:
                            self.limiter.pause(verdict.retry_after)
                        raise _Retry(
                            f"HTTP {response.status_code} from {request.url.path}", verdict.retry_after
                        )
                    return response
        except _Retry as exc:
            raise RetryableProviderError(
                f"{exc} (gave up after {attempt_no} attempts)", retry_after=exc.retry_after
            ) from None
        except httpx.TransportError as exc:
            raise RetryableProviderError(
                f"{type(exc).__name__} calling {request.url.path} (gave up after {attempt_no} attempts)"
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(self, request: httpx.Request, body: bytes, token: str) -> httpx.Response:
        await self.limiter.acquire()
        headers = httpx.Headers(request.headers)
        headers["Authorization"] = self.auth_header(token)
        fresh = httpx.Request(
            request.method, request.url, headers=headers, content=body, extensions=request.extensions
        )
        self.requests += 1
        response = await self.inner.handle_async_request(fresh)
        if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
            # Error bodies are small; reading them lets `classify` see errors that some APIs put
            # only in the body (Linear answers rate limits with HTTP 400 and a code in JSON).
            await response.aread()
        if self.on_response is not None:
            self.on_response(response)
        return response

    def _stop(self, state: RetryCallState) -> bool:
        """Give up after `max_attempts` failures; answers that said when to come back (429 with
        `Retry-After`, Linear's budget resets) are the provider pacing us, not failing, so they
        get `max_throttled_attempts` instead."""
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, _Retry) and exc.retry_after is not None:
            return state.attempt_number >= self.max_throttled_attempts
        return state.attempt_number >= self.max_attempts

    def _wait(self, state: object) -> float:
        outcome = getattr(state, "outcome", None)
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, _Retry) and exc.retry_after is not None:
            return 0.0  # the limiter's pause already holds us for Retry-After
        attempt = getattr(state, "attempt_number", 1)
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))

    async def aclose(self) -> None:
        await self.inner.aclose()
