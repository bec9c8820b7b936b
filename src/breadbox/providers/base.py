"""The connector contract: DB-free classes the sync engine drives, one page of work per call.

A connector knows its provider's API and how to render items to Markdown; it knows nothing of
stores, sessions or runners. The engine calls `load` repeatedly with the checkpoint the previous
call returned, saving it after each batch, so a crash resumes from the last saved batch. Per-item
problems are returned as `ItemFailure`s; raised errors are one of the three typed kinds below.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel


class ProviderError(Exception):
    """Base of errors a connector raises; messages must never carry credentials."""

    error_type: ClassVar[str] = "provider_error"
    retryable: ClassVar[bool] = False


class FatalProviderError(ProviderError):
    """The run cannot go on (bad configuration, a permanent refusal)."""

    error_type = "provider_error"


class RetryableProviderError(ProviderError):
    """A transient failure that outlived the client's own retries (rate limits, 5xx, timeouts)."""

    error_type = "provider_unavailable"
    retryable = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CredentialError(ProviderError):
    """The provider refused the credential even after one refresh: a human must re-authorize."""

    error_type = "reauthorization_required"


@dataclass(frozen=True)
class Document:
    """One item of the source, rendered. `source_id` is the provider's stable ID (never a
    human identifier that can change, such as a Linear issue key)."""

    source_id: str
    kind: str
    title: str
    content: str
    url: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    # How the item was found; the engine only infers deletions from listings that cover it.
    discovered_by: str = "listing"


@dataclass(frozen=True)
class ItemFailure:
    source_id: str | None
    message: str
    retryable: bool = True


@dataclass(frozen=True)
class SyncWindow:
    """What a run asks for: changes since `since` (None: everything), bounded by `until` (the run's
    start), so edits made during the run are picked up by the next one and never skipped."""

    since: datetime | None
    until: datetime
    full: bool


@dataclass
class Batch:
    documents: list[Document]
    failures: list[ItemFailure]
    checkpoint: BaseModel
    done: bool
    # Source IDs known to be gone (trashed, archived) that this page revealed.
    deleted_ids: list[str] = field(default_factory=list)
    # Provider requests this batch cost (for the run's counters).
    requests: int = 0


@dataclass(frozen=True)
class IdListing:
    """Every source ID that still exists, as far as `covers` goes: deletions are inferred only for
    documents whose `discovered_by` is in `covers` (Notion search cannot see pages shared only
    through an ancestor, so an incremental listing must not judge them)."""

    ids: set[str]
    covers: frozenset[str]
    # Provider requests the listing cost (for the run's counters).
    requests: int = 0


TokenGetter = Callable[[bool], Awaitable[str]]
"""`await get_token(force_refresh)`: the current credential; True after the provider refused it."""


class SourceConnector(Protocol):
    """What the engine needs from a provider connector."""

    checkpoint_model: type[BaseModel]
    # Seconds subtracted from the watermark (Notion floors `last_edited_time` to the minute).
    overlap_seconds: ClassVar[int]

    async def load(self, checkpoint: BaseModel, window: SyncWindow) -> Batch:
        """One page of work: the documents changed in `window` after `checkpoint`."""
        ...

    async def list_ids(self, full: bool) -> IdListing:
        """The IDs that exist at the source (cheap: IDs only); `full` also walks what a cheap
        listing cannot see."""
        ...

    async def aclose(self) -> None: ...
