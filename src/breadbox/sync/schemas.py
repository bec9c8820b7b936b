"""Run history and sync control bodies (additive routes, not in the Mixedbread contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from breadbox.sync.models import SyncRun


class SyncRequestParams(BaseModel):
    """Ask for a sync now."""

    full: bool = Field(False, description="Reload everything and reconcile deletions, including by traversal")
    force: bool = Field(
        False, description="Confirm a deletion pass the safety valve blocked (mass_deletion_blocked)"
    )


class SyncRunCounters(BaseModel):
    fetched: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    failed: int = 0
    provider_requests: int = 0
    batches: int = 0
    failures: list[dict[str, Any]] = Field(default_factory=list)


class SyncRunOut(BaseModel):
    """One sync of a connector: while it runs, `counters` is its live progress."""

    id: str
    connector_id: str
    trigger: str
    status: Literal["pending", "in_progress", "completed", "failed", "cancelled"]
    full: bool
    force: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    counters: SyncRunCounters
    error: dict[str, Any] | None
    object: Literal["data_source.connector.sync"] = "data_source.connector.sync"

    @classmethod
    def of(cls, run: SyncRun) -> SyncRunOut:
        return cls(
            id=str(run.id),
            connector_id=str(run.connector_id),
            trigger=run.trigger,
            status=run.status,  # type: ignore[arg-type]
            full=run.full,
            force=run.force,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            heartbeat_at=run.heartbeat_at,
            counters=SyncRunCounters.model_validate(run.counters or {}),
            error=run.error,
        )


class SyncRunList(BaseModel):
    data: list[SyncRunOut]
    object: Literal["list"] = "list"
