"""Per-token rate limiting (notion.md 2.1) and the bookkeeping tests use to prove a client obeyed it.

A token bucket per token: `rps` average with `burst` capacity. Real time (monotonic), not the
simulated clock: rate limits are about how fast a client actually talks to us.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable


class TokenBuckets:
    """One bucket per token; `rps <= 0` disables limiting."""

    def __init__(self, rps: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rps = rps
        self.burst = max(burst, 1)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # token -> (tokens, last refill)

    def acquire(self, token: str) -> int | None:
        """None when the request may proceed, else the whole seconds to wait (`Retry-After`)."""
        if self.rps <= 0:
            return None
        now = self._clock()
        tokens, last = self._buckets.get(token, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rps)
        if tokens >= 1.0:
            self._buckets[token] = (tokens - 1.0, now)
            return None
        self._buckets[token] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / self.rps))


class WindowTracker:
    """Most requests any token sent inside any 1-second window (all requests, 429s included)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._recent: dict[str, deque[float]] = {}
        self.max_by_token: dict[str, int] = {}

    def record(self, token: str) -> int:
        now = self._clock()
        window = self._recent.setdefault(token, deque())
        window.append(now)
        while window and now - window[0] >= 1.0:
            window.popleft()
        best = max(self.max_by_token.get(token, 0), len(window))
        self.max_by_token[token] = best
        return best

    def reset(self) -> None:
        self.max_by_token.clear()
        self._recent.clear()
