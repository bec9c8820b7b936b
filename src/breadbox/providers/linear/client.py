"""A GraphQL poster on the provider transport, with Linear's error codes and budgets.

Linear reports most failures in the body, not the status line: rate limits are HTTP 400 with
`extensions.code == "RATELIMITED"`, schema errors may be 400 or 500, a bad token is usually 401
but sometimes 400 (linear.md §1). So errors are classified by `extensions.code` first and by HTTP
status second, both for the transport's retry decision and for the error raised afterwards.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from breadbox.providers.base import (
    CredentialError,
    FatalProviderError,
    RetryableProviderError,
    TokenGetter,
)
from breadbox.providers.http import ProviderTransport, Verdict, default_classify
from breadbox.providers.linear.budget import LinearBudget, budget_for
from breadbox.providers.linear.query import SAFE_COMPLEXITY, Operation
from breadbox.providers.ratelimit import RateLimiter

log = logging.getLogger(__name__)

RATE_LIMITED = frozenset({"RATELIMITED"})
# `type` strings of the SDK's errorMap that mean "back off", in case `code` is absent.
RETRYABLE_TYPES = frozenset({"ratelimited", "usage limit exceeded", "lock timeout", "network error"})
AUTH_CODES = frozenset({"AUTHENTICATION_ERROR"})
FATAL_CODES = frozenset(
    {"FORBIDDEN", "FEATURE_NOT_ACCESSIBLE", "INPUT_ERROR", "GRAPHQL_VALIDATION_FAILED",
     "GRAPHQL_PARSE_FAILED", "BAD_REQUEST"}
)  # fmt: skip


def auth_header(token: str) -> str:
    """Personal API keys (`lin_api_…`) go raw; OAuth access tokens as `Bearer` (linear.md §1)."""
    return token if token.startswith("lin_api_") else f"Bearer {token}"


def error_list(response: httpx.Response) -> list[dict[str, Any]]:
    """The GraphQL `errors` of a response whose body has been read (empty otherwise)."""
    try:
        body = response.json()
    except (httpx.ResponseNotRead, ValueError, UnicodeDecodeError):
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    return [e for e in errors or [] if isinstance(e, dict)]


def extensions(error: dict[str, Any]) -> dict[str, Any]:
    ext = error.get("extensions")
    return ext if isinstance(ext, dict) else {}


@dataclass
class Classifier:
    """The transport's verdict on a response: by `extensions.code`, then by HTTP status."""

    budget: LinearBudget

    def __call__(self, response: httpx.Response) -> Verdict:
        for error in error_list(response):
            ext = extensions(error)
            code, kind = ext.get("code"), ext.get("type")
            if code in RATE_LIMITED or (code is None and kind in RETRYABLE_TYPES):
                return Verdict(retry=True, retry_after=self._rate_limit_wait(ext))
            if code in AUTH_CODES:
                return Verdict(auth_failed=True)
            if code in FATAL_CODES:
                return Verdict()  # the client raises it; retrying cannot help
        return default_classify(response)

    def _rate_limit_wait(self, ext: dict[str, Any]) -> float | None:
        result = (ext.get("meta") or {}).get("rateLimitResult") or {}
        if isinstance(result.get("duration"), int | float) and result["duration"] > 0:
            self.budget.period = float(result["duration"]) / 1000.0
        requested = result.get("requested")
        wait = self.budget.until_reset(float(requested) if isinstance(requested, int | float) else 1.0)
        # A reset already passed (or unknown): a short pause rather than none, never a hot loop.
        return max(wait, 0.25) if wait is not None else None


class LinearClient:
    """Posts operations to `{base}/graphql` through a `ProviderTransport`.

    Each query's computed cost is checked against the credential's shared budget first; when it
    cannot be afforded, the credential's limiter is paused until it can (every connector on the
    credential waits, which is the point).
    """

    def __init__(
        self,
        api_url: str,
        get_token: TokenGetter,
        limiter: RateLimiter,
        *,
        timeout: float = 60.0,
        max_attempts: int = 8,
        base_delay: float = 0.5,
        inner: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = api_url.rstrip("/") + "/graphql"
        self.limiter = limiter
        self.budget = budget_for(limiter)
        self.transport = ProviderTransport(
            get_token,
            limiter,
            auth_header=auth_header,
            classify=Classifier(self.budget),
            max_attempts=max_attempts,
            base_delay=base_delay,
            inner=inner,
            on_response=lambda response: self.budget.observe(response.headers),
        )
        self.http = httpx.AsyncClient(transport=self.transport, timeout=timeout)
        # Ratio of the server's X-Complexity to our count, if it ever reports more than we think.
        self.calibration = 1.0
        self.points = 0  # computed cost of every query answered, for run statistics

    @property
    def requests(self) -> int:
        """Every attempt sent, retries included (the provider counts them all)."""
        return self.transport.requests

    def cap(self) -> float:
        """The most one query may cost: under the per-query cap and the whole hourly budget."""
        return self.budget.max_query_cost(SAFE_COMPLEXITY) / self.calibration

    async def run(self, op: Operation) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Execute `op`; returns (data, partial errors). Raises the typed provider errors."""
        cost = op.cost * self.calibration
        wait = self.budget.wait_for(cost)
        if wait > 0:
            log.info("Linear budget low: pausing %.1fs before a %d-point query", wait, op.cost)
            self.limiter.pause(wait)
        self.budget.reserve(cost)
        response = await self.http.post(self.url, json={"query": op.text, "variables": op.variables})
        self._calibrate(op, response)
        self.points += op.cost
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError):
            raise _by_status(response.status_code, "a non-JSON answer") from None
        data = body.get("data") if isinstance(body, dict) else None
        errors = (
            [e for e in (body.get("errors") or []) if isinstance(e, dict)] if isinstance(body, dict) else []
        )
        if isinstance(data, dict) and response.status_code < 400:
            return data, errors
        raise _typed(response.status_code, errors)

    def _calibrate(self, op: Operation, response: httpx.Response) -> None:
        try:
            reported = float(response.headers.get("x-complexity", "0"))
        except ValueError:
            return
        if op.cost and reported > op.cost * self.calibration:
            self.calibration = min(reported / op.cost, 10.0)
            log.warning("Linear counts %s points for a query we estimated at %s", reported, op.cost)

    async def aclose(self) -> None:
        await self.http.aclose()


def _typed(status: int, errors: list[dict[str, Any]]) -> Exception:
    """The provider error for a failed answer, by `extensions.code` first (linear.md §1)."""
    for error in errors:
        ext = extensions(error)
        code, message = ext.get("code"), str(error.get("message", ""))[:300]
        if code in AUTH_CODES:
            return CredentialError("Linear refused the credential")
        if code in RATE_LIMITED or ext.get("type") in RETRYABLE_TYPES:
            return RetryableProviderError(f"Linear rate limit: {message}")
        if code in FATAL_CODES:
            return FatalProviderError(f"Linear rejected the query ({code}): {message}")
    detail = json.dumps([str(e.get("message", ""))[:200] for e in errors]) if errors else "no data"
    return _by_status(status, detail)


def _by_status(status: int, detail: str) -> Exception:
    if status >= 500 or status in (408, 429):
        return RetryableProviderError(f"Linear answered HTTP {status}: {detail}")
    if status == 401:
        return CredentialError(f"Linear refused the credential (HTTP {status})")
    return FatalProviderError(f"Linear answered HTTP {status}: {detail}")
