"""Helpers for driving the Linear connector against a real simulator, DB-free.

`drain` plays the engine's part: it calls `load` with each returned checkpoint until `done`,
so every test exercises the same loop the sync engine runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from breadbox.providers.base import Document, SyncWindow, TokenGetter
from breadbox.providers.linear import LinearCheckpoint, LinearConnector
from breadbox.providers.ratelimit import RateLimiter
from breadbox.simulators.linear import LinearSimHandle
from tests.plugins.linear_sim import admin, http


def sim_now(sim: LinearSimHandle, advance: float = 0.0) -> datetime:
    """The simulator's clock (optionally moved forward first): windows must end on its time."""
    now = admin(sim, "POST", "/clock", {"advance_seconds": advance}).json()["now"]
    return datetime.fromisoformat(now.replace("Z", "+00:00"))


def stats(sim: LinearSimHandle) -> dict[str, Any]:
    return http(sim).get("/_sim/stats").json()


def reset_stats(sim: LinearSimHandle) -> None:
    admin(sim, "POST", "/reset-stats")


def workspace(sim: LinearSimHandle) -> dict[str, Any]:
    return http(sim).get("/_sim/workspace").json()


def api_key_getter(sim: LinearSimHandle) -> TokenGetter:
    async def get_token(force_refresh: bool) -> str:
        return sim.api_key

    return get_token


def connector(
    sim: LinearSimHandle, get_token: TokenGetter | None = None, limiter: RateLimiter | None = None, **kw: Any
) -> LinearConnector:
    kw.setdefault("base_delay", 0.01)
    return LinearConnector(sim.url, get_token or api_key_getter(sim), limiter=limiter or RateLimiter(0), **kw)


@dataclass
class Drained:
    documents: dict[str, Document] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    batches: int = 0
    requests: int = 0
    checkpoints: list[LinearCheckpoint] = field(default_factory=list)

    def of_kind(self, kind: str) -> dict[str, Document]:
        return {k: d for k, d in self.documents.items() if d.kind == kind}


async def drain(conn: LinearConnector, window: SyncWindow, max_batches: int = 200) -> Drained:
    out = Drained()
    state = LinearCheckpoint()
    for _ in range(max_batches):
        batch = await conn.load(state, window)
        out.batches += 1
        out.requests += batch.requests
        for document in batch.documents:
            out.documents[document.source_id] = document
        out.deleted.update(batch.deleted_ids)
        assert isinstance(batch.checkpoint, LinearCheckpoint)
        # The engine stores checkpoints as JSON: they must survive the round trip, and stay small.
        dumped = batch.checkpoint.model_dump_json()
        assert len(dumped) < 1000
        state = LinearCheckpoint.model_validate_json(dumped)
        out.checkpoints.append(state)
        if batch.done:
            return out
    raise AssertionError("load never finished")


def full_window(sim: LinearSimHandle) -> SyncWindow:
    return SyncWindow(since=None, until=sim_now(sim), full=True)


def live_ids(sim: LinearSimHandle) -> dict[str, set[str]]:
    """What the workspace holds that a store should hold, by kind (from the admin API)."""
    ws = workspace(sim)
    issues = {i["id"] for i in ws["issues"] if not i["archived"] and not i["trashed"]}
    projects = {p.id for p in sim.sim.ws.projects if p.archivedAt is None}
    documents = {d.id for d in sim.sim.ws.documents if d.archivedAt is None}
    return {"issue": issues, "project": projects, "document": documents}
