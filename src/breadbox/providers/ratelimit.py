"""Per-credential rate limiting shared by every connector in the process that uses the credential.

A token bucket paces requests under the provider's documented average; when the provider says
"slow down" (429 with Retry-After, Linear's exhausted budgets), `pause` holds every caller on that
credential until the given time, so two connectors on one workspace never storm it together.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class RateLimiter:
    rate: float  # requests per second; 0 means unlimited
    burst: float = 1.0
    _tokens: float = field(init=False)
    _updated: float = field(init=False)
    _paused_until: float = field(default=0.0, init=False)
    _lock: asyncio.Lock | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._tokens = self.burst
        self._updated = time.monotonic()

    def _get_lock(self) -> asyncio.Lock:
        # Created lazily: a limiter may outlive the event loop it was first used on (tests).
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    async def acquire(self) -> None:
        """Wait until one request may be sent."""
        async with self._get_lock():
            while True:
                now = time.monotonic()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    continue
                if self.rate <= 0:
                    return
                self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self.rate)

    def pause(self, seconds: float) -> None:
        """Hold every caller for `seconds` (the provider asked us to back off)."""
        until = time.monotonic() + max(0.0, seconds)
        if until > self._paused_until:
            self._paused_until = until
            self._tokens = 0


class LimiterRegistry:
    """One limiter per credential key (e.g. `notion:<data source id>`), per process."""

    def __init__(self) -> None:
        self._limiters: dict[str, RateLimiter] = {}

    def get(self, key: str, rate: float, burst: float = 1.0) -> RateLimiter:
        limiter = self._limiters.get(key)
        if limiter is None or limiter.rate != rate or limiter.burst != burst:
            limiter = self._limiters[key] = RateLimiter(rate=rate, burst=burst)
        return limiter


limiters = LimiterRegistry()
