"""Per-credential request and complexity budgets (linear.md §2).

One bucket pair per user and credential kind: all API keys of a user share a quota, and an OAuth
grant keeps its quota across token refreshes. Time comes from the simulated clock, so a test can
exhaust a tiny budget and then either wait out a short period or advance the clock.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

from .config import RateLimitSettings
from .errors import ApiError, ratelimited


@dataclass
class Bucket:
    limit: int
    period: float
    remaining: float
    updated: float
    window_start: float

    def refill(self, now: float, mode: str) -> None:
        if mode == "window":
            if now >= self.window_start + self.period:
                elapsed = math.floor((now - self.window_start) / self.period)
                self.window_start += elapsed * self.period
                self.remaining = self.limit
        else:
            self.remaining = min(self.limit, self.remaining + (now - self.updated) * self.limit / self.period)
        self.updated = now

    def reset_ms(self, now: float, mode: str) -> int:
        """When the bucket is full again, in epoch milliseconds."""
        if mode == "window":
            return int((self.window_start + self.period) * 1000)
        missing = self.limit - self.remaining
        return int((now + missing * self.period / self.limit) * 1000)


@dataclass
class Decision:
    headers: dict[str, str]
    error: ApiError | None


class RateLimiter:
    """Checks and charges budgets; `settings` may be replaced at runtime by the admin API."""

    def __init__(self, settings: RateLimitSettings, now: Callable[[], float]) -> None:
        self.settings = settings
        self.now = now
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

    def _limits(self, kind: str) -> tuple[int, int]:
        s = self.settings
        if kind == "oauth":
            return s.oauth_requests, s.oauth_complexity
        return s.api_key_requests, s.api_key_complexity

    def _bucket(self, key: str, what: str, limit: int, now: float) -> Bucket:
        bucket = self._buckets.get((key, what))
        if bucket is None or bucket.limit != limit or bucket.period != self.settings.period_seconds:
            bucket = Bucket(limit, self.settings.period_seconds, float(limit), now, now)
            self._buckets[(key, what)] = bucket
        bucket.refill(now, self.settings.mode)
        return bucket

    def charge(self, key: str, kind: str, complexity: int) -> Decision:
        """Take one request and `complexity` points, or refuse without taking anything."""
        with self._lock:
            now = self.now()
            mode = self.settings.mode
            req_limit, cx_limit = self._limits(kind)
            requests = self._bucket(key, "requests", req_limit, now)
            points = self._bucket(key, "complexity", cx_limit, now)
            error: ApiError | None = None
            period_ms = int(self.settings.period_seconds * 1000)
            if requests.remaining < 1:
                error = ratelimited(
                    self.settings.status, "requests", req_limit, int(requests.remaining), 1, period_ms
                )
            elif points.remaining < complexity:
                error = ratelimited(
                    self.settings.status,
                    "complexity points",
                    cx_limit,
                    int(points.remaining),
                    complexity,
                    period_ms,
                )
            else:
                requests.remaining -= 1
                points.remaining -= complexity
            headers = {
                "X-RateLimit-Requests-Limit": str(req_limit),
                "X-RateLimit-Requests-Remaining": str(max(0, math.floor(requests.remaining))),
                "X-RateLimit-Requests-Reset": str(requests.reset_ms(now, mode)),
                "X-RateLimit-Complexity-Limit": str(cx_limit),
                "X-RateLimit-Complexity-Remaining": str(max(0, math.floor(points.remaining))),
                "X-RateLimit-Complexity-Reset": str(points.reset_ms(now, mode)),
            }
            return Decision(headers, error)

    def status(self, key: str, kind: str) -> list[dict[str, float | str]]:
        """The `rateLimitStatus.limits` rows for a credential, without charging it."""
        with self._lock:
            now = self.now()
            req_limit, cx_limit = self._limits(kind)
            rows: list[dict[str, float | str]] = []
            for what, limit in (("requests", req_limit), ("complexity", cx_limit)):
                bucket = self._bucket(key, what, limit, now)
                rows.append(
                    {
                        "type": "requestLimit" if what == "requests" else "complexityLimit",
                        "allowedAmount": float(limit),
                        "period": self.settings.period_seconds * 1000,
                        "remainingAmount": float(math.floor(bucket.remaining)),
                        "requestedAmount": 0.0,
                        "reset": float(bucket.reset_ms(now, self.settings.mode)),
                    }
                )
            return rows
