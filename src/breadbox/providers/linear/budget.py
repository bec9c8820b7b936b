"""Linear's hourly request and complexity budgets, as the `X-RateLimit-*` headers report them.

The budgets belong to the credential (all of a user's keys share one quota, linear.md §2), so the
state lives on the credential's shared `RateLimiter`: every connector in the process that reads
the same workspace sees the same numbers and pauses the same limiter. Before a query is sent, its
computed cost is reserved; when the remaining budget cannot afford it, the limiter is paused until
the budget has refilled enough (leaky bucket: `limit / period` per second) or, at the latest,
until the reset the server announced.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from breadbox.providers.ratelimit import RateLimiter

# "LIMIT per 1 hour" (linear.md §2); a RATELIMITED body's `meta.rateLimitResult.duration` updates it.
DEFAULT_PERIOD = 3600.0
_ATTRIBUTE = "_linear_budget"


def epoch_seconds(value: str | float | None) -> float | None:
    """A reset header as epoch seconds: Linear sends milliseconds today, seconds in older docs."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    # 1e11 s is the year 5138, so anything larger must be milliseconds.
    return number / 1000.0 if number >= 1e11 else number


@dataclass
class Meter:
    """One budget (requests or complexity points): what the last response said, minus reservations."""

    limit: float | None = None
    remaining: float | None = None
    reset_at: float | None = None  # epoch seconds
    observed_at: float = 0.0

    def observe(self, headers: Mapping[str, str], prefix: str, now: float) -> None:
        limit = _number(headers.get(f"{prefix}-limit"))
        remaining = _number(headers.get(f"{prefix}-remaining"))
        reset_at = epoch_seconds(headers.get(f"{prefix}-reset"))
        if limit is not None:
            self.limit = limit
        if remaining is not None:
            self.remaining, self.observed_at = remaining, now
        if reset_at is not None:
            self.reset_at = reset_at

    def available(self, period: float, now: float) -> float | None:
        """The remaining budget now, counting the leaky bucket's refill since it was reported."""
        if self.remaining is None:
            return None
        if self.reset_at is not None and now >= self.reset_at:
            return self.limit if self.limit is not None else self.remaining
        refill = (now - self.observed_at) * self.limit / period if self.limit else 0.0
        ceiling = self.limit if self.limit is not None else float("inf")
        return min(ceiling, self.remaining + max(0.0, refill))

    def wait_for(self, amount: float, period: float, now: float) -> float:
        """Seconds until `amount` is affordable (0 if it is, or if nothing is known yet)."""
        available = self.available(period, now)
        if available is None or available >= amount:
            return 0.0
        waits = []
        if self.limit:
            waits.append((amount - available) * period / self.limit)
        if self.reset_at is not None:
            waits.append(max(0.0, self.reset_at - now))
        return min([*waits, period])


class LinearBudget:
    """Request and complexity budgets of one credential, shared through its limiter."""

    def __init__(self) -> None:
        self.requests = Meter()
        self.complexity = Meter()
        self.period = DEFAULT_PERIOD

    def observe(self, headers: Mapping[str, str]) -> None:
        """Fold in the `X-RateLimit-*` headers of any response (errors included)."""
        lowered = {k.lower(): v for k, v in headers.items()}
        now = time.time()
        self.requests.observe(lowered, "x-ratelimit-requests", now)
        self.complexity.observe(lowered, "x-ratelimit-complexity", now)

    def max_query_cost(self, cap: float) -> float:
        """A query may never cost more than the whole hourly budget, or it could never run."""
        if self.complexity.limit:
            return min(cap, self.complexity.limit)
        return cap

    def wait_for(self, cost: float, now: float | None = None) -> float:
        moment = time.time() if now is None else now
        return max(
            self.requests.wait_for(1, self.period, moment),
            self.complexity.wait_for(cost, self.period, moment),
        )

    def reserve(self, cost: float) -> None:
        """Count a query against the budget before its answer arrives (for concurrent readers)."""
        if self.requests.remaining is not None:
            self.requests.remaining -= 1
        if self.complexity.remaining is not None:
            self.complexity.remaining -= cost

    def until_reset(self, requested: float = 1.0, now: float | None = None) -> float | None:
        """Seconds until the budget that refused a query of cost `requested` resets."""
        moment = time.time() if now is None else now
        meters = [m for m in (self.requests, self.complexity) if m.reset_at is not None]
        exhausted = [
            m
            for m, amount in ((self.requests, 1.0), (self.complexity, requested))
            if m.reset_at is not None and m.remaining is not None and m.remaining < amount
        ] or meters
        if not exhausted:
            return None
        latest = max(m.reset_at or moment for m in exhausted)
        return min(max(0.0, latest - moment), self.period)


def budget_for(limiter: RateLimiter) -> LinearBudget:
    """The budget attached to the credential's shared limiter (created on first use)."""
    budget = getattr(limiter, _ATTRIBUTE, None)
    if not isinstance(budget, LinearBudget):
        budget = LinearBudget()
        setattr(limiter, _ATTRIBUTE, budget)
    return budget


def _number(value: str | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        return None
