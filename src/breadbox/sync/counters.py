"""A run's counters: what the run history and live progress show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from breadbox.providers.base import ItemFailure
from breadbox.sync.errors import TooManyItemFailures

MAX_RECORDED_FAILURES = 100


@dataclass
class RunCounters:
    fetched: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    failed: int = 0
    provider_requests: int = 0
    batches: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        if outcome == "created":
            self.created += 1
        elif outcome == "updated":
            self.updated += 1
        else:
            self.unchanged += 1

    def add_failures(self, failures: list[ItemFailure]) -> None:
        self.failed += len(failures)
        for failure in failures[: MAX_RECORDED_FAILURES - len(self.failures)]:
            self.failures.append({"source_id": failure.source_id, "message": failure.message[:500]})

    def check_failures(self, max_share: float) -> None:
        attempted = self.fetched + self.failed
        if self.failed and attempted and self.failed / attempted > max_share:
            raise TooManyItemFailures(
                f"{self.failed} of {attempted} items failed (more than {max_share:.0%}); see the run's failures"
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "fetched": self.fetched,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "provider_requests": self.provider_requests,
            "batches": self.batches,
            "failures": list(self.failures),
        }
