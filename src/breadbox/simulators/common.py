"""What both simulators share: a movable clock, request statistics, fault injection and the
`/_sim/` admin routes that expose them.

Tests and benchmarks observe the simulators only through `/_sim/stats`, so the counters here are
the ground truth for assertions such as "the incremental sync made at most 5 requests".
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


class SimClock:
    """Wall-clock time plus an offset that `POST /_sim/clock` moves forward."""

    def __init__(self) -> None:
        self._offset = 0.0

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    def time(self) -> float:
        """Seconds since the epoch, simulated."""
        return time.time() + self._offset

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self._offset)


@dataclass
class Stats:
    """Request counters; `max_concurrency` is the most requests ever in flight at once."""

    total: int = 0
    by_endpoint: Counter[str] = field(default_factory=Counter)
    by_token: Counter[str] = field(default_factory=Counter)
    rate_limited: int = 0
    max_concurrency: int = 0
    in_flight: int = 0
    extra: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def enter(self, endpoint: str) -> None:
        with self._lock:
            self.total += 1
            self.by_endpoint[endpoint] += 1
            self.in_flight += 1
            self.max_concurrency = max(self.max_concurrency, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def reset(self) -> None:
        with self._lock:
            self.total = 0
            self.by_endpoint.clear()
            self.by_token.clear()
            self.rate_limited = 0
            self.max_concurrency = self.in_flight
            self.extra.clear()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": {"total": self.total, "by_endpoint": dict(self.by_endpoint)},
                "rate_limited": self.rate_limited,
                "max_concurrency": self.max_concurrency,
                "by_token": dict(self.by_token),
                **{key: value for key, value in self.extra.items()},
            }


@dataclass
class Faults:
    """Injected failures: a share of requests answered with one of `statuses`, plus latency.

    `fail_next` fails exactly that many upcoming requests (deterministic bursts for tests);
    `error_rate` fails a random share of them.
    """

    error_rate: float = 0.0
    statuses: list[int] = field(default_factory=lambda: [500])
    latency_ms: float = 0.0
    fail_next: int = 0
    seed: int | None = None
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def update(self, body: dict[str, Any]) -> None:
        self.error_rate = float(body.get("error_rate", self.error_rate))
        self.statuses = [int(s) for s in body.get("statuses", self.statuses)] or [500]
        self.latency_ms = float(body.get("latency_ms", self.latency_ms))
        self.fail_next = int(body.get("fail_next", self.fail_next))
        if "seed" in body:
            self.seed = body["seed"]
            self._rng.seed(self.seed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "error_rate": self.error_rate,
            "statuses": self.statuses,
            "latency_ms": self.latency_ms,
            "fail_next": self.fail_next,
        }

    def pick_failure(self) -> int | None:
        """The status to fail this request with, or None to serve it."""
        if self.fail_next > 0:
            self.fail_next -= 1
            return self._rng.choice(self.statuses)
        if self.error_rate > 0 and self._rng.random() < self.error_rate:
            return self._rng.choice(self.statuses)
        return None

    async def delay(self) -> None:
        if self.latency_ms > 0:
            await asyncio.sleep(self.latency_ms / 1000)


class SimState:
    """The observable, adjustable parts every simulator has."""

    def __init__(self) -> None:
        self.clock = SimClock()
        self.stats = Stats()
        self.faults = Faults()


def admin_routes(state: SimState, on_reset: Callable[[], None] | None = None) -> list[Route]:
    """`/_sim/stats`, `/_sim/reset-stats`, `/_sim/faults` and `/_sim/clock`."""

    async def stats(_: Request) -> Response:
        return JSONResponse(state.stats.snapshot())

    async def reset_stats(_: Request) -> Response:
        state.stats.reset()
        if on_reset:
            on_reset()
        return JSONResponse(state.stats.snapshot())

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            state.faults.update(await _json(request))
        return JSONResponse(state.faults.as_dict())

    async def clock(request: Request) -> Response:
        body = await _json(request)
        state.clock.advance(float(body.get("advance_seconds", 0)))
        return JSONResponse({"now": state.clock.now().isoformat().replace("+00:00", "Z")})

    return [
        Route("/_sim/stats", stats, methods=["GET"]),
        Route("/_sim/reset-stats", reset_stats, methods=["POST"]),
        Route("/_sim/faults", faults, methods=["GET", "POST"]),
        Route("/_sim/clock", clock, methods=["POST"]),
    ]


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    import json

    data = json.loads(raw)
    return data if isinstance(data, dict) else {}


Handler = Callable[[Request], Awaitable[Response]]
