"""Running the Notion connector against a simulator the way the engine does, batch by batch."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from breadbox.providers.base import Document, ItemFailure, SyncWindow
from breadbox.providers.notion import NotionCheckpoint, NotionConnector
from breadbox.providers.ratelimit import RateLimiter
from breadbox.simulators.notion import NotionSimHandle

SIGNED = re.compile(r"X-Amz-|[?&](sig|signature|expires)=", re.IGNORECASE)


@dataclass
class Run:
    documents: list[Document] = field(default_factory=list)
    failures: list[ItemFailure] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    batches: int = 0
    requests: int = 0

    def by_id(self) -> dict[str, Document]:
        return {doc.source_id: doc for doc in self.documents}


def connector(sim: NotionSimHandle, token: Any = None, **options: Any) -> NotionConnector:
    async def get_token(force_refresh: bool) -> str:
        return sim.token

    options.setdefault("retry_base_delay", 0.01)
    options.setdefault("limiter", RateLimiter(rate=0))
    return NotionConnector(sim.url, token or get_token, **options)


def full_window() -> SyncWindow:
    return SyncWindow(since=None, until=datetime.now(UTC), full=True)


async def run(conn: NotionConnector, window: SyncWindow | None = None) -> Run:
    window = window or full_window()
    out = Run()
    checkpoint: Any = NotionCheckpoint()
    while True:
        batch = await conn.load(checkpoint, window)
        assert len(batch.documents) <= conn.batch_size + 1  # + a data source document at most
        out.documents += batch.documents
        out.failures += batch.failures
        out.deleted += batch.deleted_ids
        out.batches += 1
        out.requests += batch.requests
        checkpoint = NotionCheckpoint.model_validate_json(batch.checkpoint.model_dump_json())  # as saved
        if batch.done:
            return out


def visible(sim: NotionSimHandle) -> dict[str, dict[str, Any]]:
    """Pages the integration can read and that are not in the trash, from `GET /_sim/pages`."""
    pages = httpx.get(f"{sim.url}/_sim/pages", timeout=10).json()["pages"]
    return {p["id"]: p for p in pages if p["visible"] and not p["in_trash"]}


def endpoints(sim: NotionSimHandle) -> dict[str, int]:
    stats = sim.stats()["requests"]
    assert isinstance(stats, dict)
    counts: dict[str, int] = stats["by_endpoint"]
    return counts


def reset_stats(sim: NotionSimHandle) -> None:
    sim.admin("POST", "/_sim/reset-stats")
