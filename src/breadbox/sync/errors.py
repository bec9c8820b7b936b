"""Why runs end other than by completing, and the `error` payload the connector shows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from breadbox.providers.base import ProviderError


class SyncAborted(Exception):
    """The connector was deleted or its run cancelled while the run was going."""


class SyncInterrupted(Exception):
    """The process is shutting down: the run stops between batches and resumes elsewhere."""


class MassDeletionBlocked(Exception):
    """A deletion pass would remove too much; nothing was deleted. Confirm with a forced sync."""

    error_type = "mass_deletion_blocked"

    def __init__(self, candidates: int, total: int, share: float) -> None:
        super().__init__(
            f"This sync would delete {candidates} of {total} documents (more than {share:.0%}); nothing was "
            'deleted. If that is right, confirm with a forced sync (POST .../sync {"force": true} '
            "or `breadbox sync ID --force`)."
        )


class TooManyItemFailures(ProviderError):
    error_type = "too_many_item_failures"
    retryable = True


def error_payload(exc: BaseException) -> dict[str, Any]:
    """`{"type", "message", "retryable", "at"}` as the connector's `error` field shows it."""
    if isinstance(exc, ProviderError | MassDeletionBlocked):
        error_type = exc.error_type
        retryable = bool(getattr(exc, "retryable", False))
        message = str(exc)
    else:
        error_type, retryable = "internal_error", True
        message = f"{type(exc).__name__}: {str(exc)[:500]}"
    return {
        "type": error_type,
        "message": message,
        "retryable": retryable,
        "at": datetime.now(UTC).isoformat(),
    }
