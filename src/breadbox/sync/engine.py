"""`run_sync`: joins a provider connector to a store sink, one checkpointed batch at a time.

The engine knows nothing of which runner calls it (in-process task, Procrastinate job, CLI). The
database rows are the truth: the run row (status, counters, heartbeat) and the connector row
(status, watermark, the in-flight checkpoint). Each batch is fetched outside any transaction and
written inside one that first locks the connector row, so a connector deleted mid-run never gets
files written after its deletion committed.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.config import Settings
from breadbox.connectors.models import Connector
from breadbox.data_sources.models import DataSource
from breadbox.db.base import as_datetime, utcnow
from breadbox.db.session import Database
from breadbox.errors import BreadboxError
from breadbox.metrics import observe_sync
from breadbox.oauth.errors import ReauthorizationRequired, TokenRefreshError
from breadbox.providers.base import (
    Batch,
    CredentialError,
    Document,
    FatalProviderError,
    ItemFailure,
    ProviderError,
    RetryableProviderError,
    SourceConnector,
    SyncWindow,
    TokenGetter,
)
from breadbox.stores.sink import LocalStoreSink, SinkDocument
from breadbox.sync.counters import RunCounters
from breadbox.sync.documents import to_sink_document
from breadbox.sync.errors import MassDeletionBlocked, SyncAborted, SyncInterrupted, error_payload
from breadbox.sync.ledger import Ledger
from breadbox.sync.models import SyncedDocument, SyncRun
from breadbox.sync.service import SyncRequests

log = logging.getLogger("breadbox.sync")


class TokenSource(Protocol):
    async def access_token(self, data_source_id: uuid.UUID, *, force_refresh: bool = False) -> str: ...


ConnectorFactory = Callable[[DataSource, TokenGetter], SourceConnector]
Stopping = Callable[[], bool]


@dataclass
class RunContext:
    run_id: uuid.UUID
    connector_id: uuid.UUID
    organization_id: uuid.UUID
    data_source_id: uuid.UUID
    store_id: str
    window: SyncWindow
    state: dict[str, Any] | None
    force: bool
    connector_metadata: Any
    source_type: str


class SyncEngine:
    def __init__(
        self, database: Database, settings: Settings, tokens: TokenSource, connectors: ConnectorFactory
    ) -> None:
        self.database = database
        self.settings = settings
        self.tokens = tokens
        self.connectors = connectors

    async def run(self, run_id: uuid.UUID, stopping: Stopping | None = None) -> str:
        """Drive one claimed (`in_progress`) run to its end; returns the final status.

        Cancellation arrives as `asyncio.CancelledError` (the runner cancels the task when the
        connector is deleted or the run cancelled): the run is marked `cancelled` and the error
        re-raised. `stopping` says the process is shutting down: the run then stops after the batch
        it is writing (or where the cancellation caught it), goes back to `pending` with its
        checkpoint, and is queued again for another worker to resume; `interrupted` is returned."""
        ctx = await self._begin(run_id)
        if ctx is None:
            return "cancelled"
        counters = RunCounters()
        provider: SourceConnector | None = None
        started = time.monotonic()
        status = "failed"
        error_type: str | None = None
        try:
            async with self.database.session() as session:
                ds = await session.get(DataSource, ctx.data_source_id)
                if ds is None:
                    raise SyncAborted("data source deleted")
                provider = self.connectors(ds, self._token_getter(ctx.data_source_id))
            await self._load_all(ctx, provider, counters, stopping)
            await self._reconcile(ctx, provider, counters)
            counters.check_failures(self.settings.item_failure_share)
            await self._finish(ctx, counters, "completed", None)
            status = "completed"
            return status
        except asyncio.CancelledError:
            if stopping is not None and stopping():
                await asyncio.shield(self._interrupt(ctx, counters))
                status = "interrupted"
            else:
                await asyncio.shield(self._finish(ctx, counters, "cancelled", None))
                status = "cancelled"
            raise
        except SyncInterrupted:
            await self._interrupt(ctx, counters)
            status = "interrupted"
            return status
        except SyncAborted:
            await self._finish(ctx, counters, "cancelled", None)
            status = "cancelled"
            return status
        except (ProviderError, MassDeletionBlocked) as exc:
            error = error_payload(exc)
            error_type = error["type"]
            await self._finish(ctx, counters, "failed", error)
            return "failed"
        except Exception as exc:
            log.exception("sync run %s failed unexpectedly", run_id)
            error = error_payload(exc)
            error_type = error["type"]
            await self._finish(ctx, counters, "failed", error)
            return "failed"
        finally:
            observe_sync(ctx.source_type, status, time.monotonic() - started, counters, error_type)
            if provider is not None:
                await provider.aclose()

    async def _interrupt(self, ctx: RunContext, counters: RunCounters) -> None:
        """Hand the run back: `pending` with its checkpoint, queued for whichever worker is next."""
        async with self.database.session() as session:
            run = await session.get(SyncRun, ctx.run_id)
            if run is None or run.status != "in_progress":
                return
            run.counters = counters.as_dict()
            await SyncRequests(session).requeue(run)
        log.info("sync run %s interrupted by shutdown; queued to resume from its checkpoint", ctx.run_id)

    def _token_getter(self, data_source_id: uuid.UUID) -> TokenGetter:
        """The provider's view of the token service, its failures typed as provider errors."""

        async def get_token(force_refresh: bool) -> str:
            try:
                return await self.tokens.access_token(data_source_id, force_refresh=force_refresh)
            except ReauthorizationRequired as exc:
                raise CredentialError(exc.message) from None
            except TokenRefreshError as exc:
                if exc.retriable:
                    raise RetryableProviderError(exc.message) from None
                raise FatalProviderError(exc.message) from None
            except BreadboxError as exc:
                raise FatalProviderError(exc.message) from None

        return get_token

    async def _begin(self, run_id: uuid.UUID) -> RunContext | None:
        async with self.database.session() as session:
            run = await session.get(SyncRun, run_id)
            if run is None or run.status != "in_progress":
                return None
            connector = await session.get(Connector, run.connector_id)
            if connector is None:
                return None
            checkpoint = dict(connector.checkpoint or {})
            resume = checkpoint.get("run") or {}
            started = run.started_at or utcnow()
            if resume.get("run_id") == str(run.id):
                window = SyncWindow(
                    since=as_datetime(resume.get("since")),
                    until=as_datetime(resume["until"]) or started,
                    full=bool(resume["full"]),
                )
                state = resume.get("state")
            else:
                window = self._window(run, checkpoint, started)
                state = None
                checkpoint["run"] = {
                    "run_id": str(run.id),
                    "since": window.since.isoformat() if window.since else None,
                    "until": window.until.isoformat(),
                    "full": window.full,
                    "state": None,
                }
            connector.checkpoint = checkpoint
            connector.status = "in_progress"
            connector.started_at = started
            connector.finished_at = None
            ds = await session.get(DataSource, connector.data_source_id)
            return RunContext(
                run_id=run.id,
                connector_id=connector.id,
                organization_id=connector.organization_id,
                data_source_id=connector.data_source_id,
                store_id=connector.store_id,
                window=window,
                state=state,
                force=run.force,
                connector_metadata=connector.metadata_,
                source_type=ds.type if ds else "unknown",
            )

    def _window(self, run: SyncRun, checkpoint: dict[str, Any], until: datetime) -> SyncWindow:
        watermark = as_datetime(checkpoint.get("watermark"))
        last_full = as_datetime(checkpoint.get("last_full_at"))
        due_full = last_full is None or until - last_full >= timedelta(
            seconds=self.settings.full_sync_interval
        )
        full = run.full or watermark is None or due_full
        return SyncWindow(since=None if full else watermark, until=until, full=full)

    async def _load_all(
        self, ctx: RunContext, provider: SourceConnector, counters: RunCounters, stopping: Stopping | None
    ) -> None:
        model = provider.checkpoint_model
        state = model.model_validate(ctx.state) if ctx.state else model()
        window = ctx.window
        if window.since is not None:
            window = SyncWindow(
                since=window.since - timedelta(seconds=provider.overlap_seconds),
                until=window.until,
                full=False,
            )
        while True:
            batch = await provider.load(state, window)
            await self._write_batch(ctx, batch, counters)
            state = batch.checkpoint
            if batch.done:
                return
            if stopping is not None and stopping():
                raise SyncInterrupted()

    async def _write_batch(self, ctx: RunContext, batch: Batch, counters: RunCounters) -> None:
        async with self.database.session() as session:
            connector = await self._lock_connector(session, ctx)
            sink = await self._sink(session, ctx)
            ledger = Ledger(session, ctx.connector_id)
            accepted: list[tuple[Document, SinkDocument]] = []
            refused: list[ItemFailure] = []
            for document in batch.documents:
                counters.fetched += 1
                sink_doc = to_sink_document(document, ctx)
                try:
                    sink.check(sink_doc)  # a type or size the store refuses is this item's failure
                except BreadboxError as exc:
                    refused.append(ItemFailure(document.source_id, exc.message, retryable=False))
                    continue
                accepted.append((document, sink_doc))
            outcomes = await sink.upsert_many([sink_doc for _, sink_doc in accepted])
            entries = await ledger.get_many([document.source_id for document, _ in accepted])
            for (document, sink_doc), outcome in zip(accepted, outcomes, strict=True):
                counters.count(outcome)
                entry = entries.get(document.source_id)
                if entry is None:
                    entry = entries[document.source_id] = SyncedDocument(
                        connector_id=ctx.connector_id, source_id=document.source_id
                    )
                    ledger.add(entry)
                entry.external_id = sink_doc.external_id
                entry.kind = document.kind
                entry.discovered_by = document.discovered_by
                entry.content_hash = sink_doc.digest()
                entry.source_updated_at = document.updated_at
                entry.last_run_id = ctx.run_id
                entry.updated_at = utcnow()
            counters.add_failures(refused)
            for source_id in batch.deleted_ids:
                entry = await ledger.get(source_id)
                if entry is not None:
                    await sink.delete(entry.external_id)
                    await ledger.remove(source_id)
                    counters.deleted += 1
            counters.add_failures(batch.failures)
            counters.provider_requests += batch.requests
            counters.batches += 1
            checkpoint = dict(connector.checkpoint or {})
            run_state = dict(checkpoint.get("run") or {})
            run_state["state"] = batch.checkpoint.model_dump(mode="json")
            checkpoint["run"] = run_state
            connector.checkpoint = checkpoint
            await self._save_progress(session, ctx, counters)

    async def _reconcile(self, ctx: RunContext, provider: SourceConnector, counters: RunCounters) -> None:
        """Infer deletions from an ID-only listing, behind the mass-deletion safety valve."""
        listing = await provider.list_ids(ctx.window.full)
        counters.provider_requests += listing.requests
        async with self.database.session() as session:
            await self._lock_connector(session, ctx)
            ledger = Ledger(session, ctx.connector_id)
            candidates = [
                e
                for e in await ledger.untouched(ctx.run_id, listing.covers)
                if e.source_id not in listing.ids
            ]
            total = await ledger.count()
            share = len(candidates) / total if total else 0.0
            if (
                not ctx.force
                and len(candidates) >= self.settings.mass_deletion_min
                and share > self.settings.mass_deletion_share
            ):
                raise MassDeletionBlocked(len(candidates), total, self.settings.mass_deletion_share)
            sink = await self._sink(session, ctx)
            for entry in candidates:
                await sink.delete(entry.external_id)
                await ledger.remove(entry.source_id)
                counters.deleted += 1
            await self._save_progress(session, ctx, counters)

    async def _lock_connector(self, session: AsyncSession, ctx: RunContext) -> Connector:
        connector = await session.scalar(
            select(Connector).where(Connector.id == ctx.connector_id).with_for_update()
        )
        run = await session.get(SyncRun, ctx.run_id)
        if connector is None or run is None or run.status != "in_progress":
            raise SyncAborted("connector deleted or run cancelled")
        return connector

    async def _sink(self, session: AsyncSession, ctx: RunContext) -> LocalStoreSink:
        return await LocalStoreSink.open(
            session,
            ctx.organization_id,
            ctx.store_id,
            str(ctx.connector_id),
            chunk_size=self.settings.chunk_size,
            max_file_bytes=self.settings.max_file_bytes,
        )

    async def _save_progress(self, session: AsyncSession, ctx: RunContext, counters: RunCounters) -> None:
        run = await session.get(SyncRun, ctx.run_id)
        if run is not None:
            run.counters = counters.as_dict()
            run.heartbeat_at = utcnow()

    async def _finish(
        self, ctx: RunContext, counters: RunCounters, status: str, error: dict[str, Any] | None
    ) -> None:
        async with self.database.session() as session:
            now = utcnow()
            run = await session.get(SyncRun, ctx.run_id)
            if run is not None:
                run.status = status if run.status == "in_progress" else run.status
                run.finished_at = now
                run.counters = counters.as_dict()
                run.error = error
            connector = await session.get(Connector, ctx.connector_id)
            if connector is None:
                return
            checkpoint = dict(connector.checkpoint or {})
            if status == "completed":
                checkpoint.pop("run", None)
                checkpoint["watermark"] = ctx.window.until.isoformat()
                if ctx.window.full:
                    checkpoint["last_full_at"] = ctx.window.until.isoformat()
                connector.last_synced_at = now
            elif status == "cancelled":
                checkpoint.pop("run", None)
            connector.checkpoint = checkpoint
            connector.finished_at = now
            connector.error = error
            failures = 0
            if error is not None and error.get("retryable"):
                failures = await _consecutive_failures(session, connector.id)
            connector.next_sync_at = now + timedelta(
                seconds=next_delay(connector.polling_interval, error, failures)
            )
            follow_up = await session.scalar(
                select(SyncRun.id)
                .where(SyncRun.connector_id == connector.id, SyncRun.status == "pending")
                .limit(1)
            )
            connector.status = "pending" if follow_up is not None else status


RETRY_SOON_SECONDS = 300
RETRY_FIRST_SECONDS = 15


def next_delay(polling_interval: int, error: dict[str, Any] | None, failures: int = 1) -> float:
    """The polling interval with up to 10% jitter (so connectors created together spread out).

    A retryable failure comes back sooner, with exponential backoff over the consecutive failed
    runs: 15 s, 30 s, 60 s, … up to five minutes (never later than the polling interval)."""
    base = float(polling_interval)
    if error is not None and error.get("retryable"):
        backoff = RETRY_FIRST_SECONDS * 2 ** max(0, min(failures, 16) - 1)
        base = min(base, RETRY_SOON_SECONDS, backoff)
    return base * (1 + random.uniform(0, 0.1))


async def _consecutive_failures(session: AsyncSession, connector_id: uuid.UUID) -> int:
    """Failed runs since the connector's last completed one (the current run included)."""
    await session.flush()
    last_ok = (
        select(func.max(SyncRun.finished_at))
        .where(SyncRun.connector_id == connector_id, SyncRun.status == "completed")
        .scalar_subquery()
    )
    count = await session.scalar(
        select(func.count())
        .select_from(SyncRun)
        .where(
            SyncRun.connector_id == connector_id,
            SyncRun.status == "failed",
            (SyncRun.finished_at > last_ok) | last_ok.is_(None),
        )
    )
    return max(1, int(count or 0))
