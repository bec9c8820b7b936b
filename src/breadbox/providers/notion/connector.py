"""`NotionConnector`: the checkpointed Notion load (notion.md 8) behind `SourceConnector`.

One `load` call handles at most `batch_size` items and returns. A run goes through:

1. search: `POST /v1/search` sorted by `last_edited_time` descending (an edit during the run
   moves a page to the front, so offsets behind the cursor never skip an unread page). Full runs
   search without a filter, so pages and data sources come in one listing; incremental runs search
   pages only and stop at the first result older than the window.
2. sources (incremental only): the data sources, all of them, since row edits do not bump them.
3. queue: child pages and databases found in content (search misses pages shared through an
   ancestor, notion.md 6.2), databases opened for their data sources, and data source queries
   (with a `last_edited_time` filter on incremental runs) for rows.

Content comes from the markdown endpoint (see `content.py`): measured on the simulator's
1,000-page workspace it costs ~1.1 requests a page against ~2 for a block walk.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
from notion_client import APIResponseError
from pydantic import BaseModel

from breadbox.providers.base import Batch, Document, IdListing, ItemFailure, SyncWindow, TokenGetter
from breadbox.providers.ratelimit import RateLimiter

from .checkpoint import NotionCheckpoint
from .client import build_client, fatal, is_not_found, is_stale_cursor, results
from .content import ContentFetcher
from .documents import is_trashed, page_document, parse_time, source_document
from .nodes import emit
from .sources import QueryState, database_sources, query_rows

SEARCH, TRAVERSAL = "search", "traversal"


@dataclass
class _Work:
    """What one `load` call gathered before fetching content."""

    pages: list[tuple[dict[str, Any], str]] = field(default_factory=list)  # (page object, found by)
    documents: list[Document] = field(default_factory=list)
    failures: list[ItemFailure] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def size(self) -> int:
        return len(self.pages) + len(self.documents)


class NotionConnector:
    """Pages, databases and their rows from one Notion workspace, as Markdown documents."""

    checkpoint_model: type[BaseModel] = NotionCheckpoint
    overlap_seconds: ClassVar[int] = 120  # last_edited_time is floored to the minute (notion.md 6.1)

    def __init__(
        self,
        base_url: str,
        get_token: TokenGetter,
        *,
        limiter: RateLimiter,
        include_comments: bool = False,
        notion_version: str = "2025-09-03",
        page_size: int = 100,
        batch_size: int = 25,
        concurrency: int = 4,
        use_markdown: bool = True,
        max_attempts: int = 6,
        retry_base_delay: float = 0.5,
        inner_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.client, self.transport = build_client(
            base_url,
            get_token,
            limiter,
            notion_version,
            max_attempts=max_attempts,
            base_delay=retry_base_delay,
            inner=inner_transport,
        )
        self.fetcher = ContentFetcher(self.client, use_markdown=use_markdown, concurrency=concurrency)
        self.include_comments = include_comments
        self.page_size = min(max(page_size, 1), 100)
        self.batch_size = max(batch_size, 1)
        # Per run, in memory only: IDs already loaded or queued (dedup without a growing checkpoint),
        # and every ID found, which answers `list_ids(full=True)` for free after a complete full load.
        self._until: datetime | None = None
        self._seen: set[str] = set()
        self._found: set[str] = set()
        self._complete = False
        self._listing: set[str] | None = None
        self._stubs: dict[str, dict[str, Any]] = {}  # child page id -> page object from its block
        self._search_cache: tuple[tuple[Any, ...], dict[str, Any]] | None = None
        self._query = QueryState()

    # ---- the contract ------------------------------------------------------------------------
    async def load(self, checkpoint: BaseModel, window: SyncWindow) -> Batch:
        cp = NotionCheckpoint.model_validate(checkpoint.model_dump())  # never mutate the caller's
        self._begin(cp, window)
        before = self.transport.requests
        work = _Work()
        while work.size() < self.batch_size and await self._step(cp, window, work):
            pass
        await self._render(cp, window, work)
        done = cp.phase == "queue" and cp.queues_empty()
        if done and window.full and self._complete:
            self._listing = set(self._found)
        return Batch(
            documents=work.documents,
            failures=work.failures,
            checkpoint=cp,
            done=done,
            deleted_ids=work.deleted,
            requests=self.transport.requests - before,
        )

    async def list_ids(self, full: bool) -> IdListing:
        before = self.transport.requests
        listing = await self._list_ids(full)
        return IdListing(listing.ids, listing.covers, requests=self.transport.requests - before)

    async def _list_ids(self, full: bool) -> IdListing:
        if full:
            if self._listing is None:  # no complete full load in this instance: walk everything
                window = SyncWindow(since=None, until=datetime.now(UTC), full=True)
                cp: BaseModel = NotionCheckpoint()
                while not (batch := await self.load(cp, window)).done:
                    cp = batch.checkpoint
            return IdListing(set(self._listing or ()), frozenset({SEARCH, TRAVERSAL}))
        ids: set[str] = set()
        cursor: str | None = None
        while True:
            page = await self._search({}, cursor, cached=False)  # fresh: deletions are judged on it
            ids.update(item["id"] for item in results(page) if not is_trashed(item))
            cursor = page.get("next_cursor")
            if not page.get("has_more") or not cursor:
                return IdListing(ids, frozenset({SEARCH}))

    async def aclose(self) -> None:
        await self.client.aclose()

    # ---- steps -------------------------------------------------------------------------------
    def _begin(self, cp: NotionCheckpoint, window: SyncWindow) -> None:
        fresh = cp == NotionCheckpoint()
        if fresh or window.until != self._until:
            self._until, self._seen, self._found, self._stubs = window.until, set(), set(), {}
            self._complete, self._listing = fresh, None

    async def _step(self, cp: NotionCheckpoint, window: SyncWindow, work: _Work) -> bool:
        """One unit of listing work; False when there is nothing left to list."""
        if cp.phase == "search":
            await self._search_step(cp, window, work)
        elif cp.phase == "sources":
            await self._sources_step(cp, window, work)
        elif cp.databases:
            await self._database_step(cp, window, work)
        elif cp.sources:
            await query_rows(
                self, cp, window, work.pages, work.deleted, work.failures, self.batch_size - work.size()
            )
        elif cp.pages:
            await self._pages_step(cp, window, work)
        else:
            return False
        return True

    async def _search(self, flt: dict[str, Any], cursor: str | None, cached: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {
            "sort": {"timestamp": "last_edited_time", "direction": "descending"},
            "page_size": self.page_size,
        }
        if flt:
            body["filter"] = flt
        if cursor:
            body["start_cursor"] = cursor
        key = (repr(flt), cursor)
        if cached and self._search_cache and self._search_cache[0] == key:
            return self._search_cache[1]
        try:
            response: dict[str, Any] = await self.fetcher.call(self.client.search, **body)
        except APIResponseError as exc:
            if is_stale_cursor(exc):
                raise
            raise fatal(exc, "the search") from exc
        self._search_cache = (key, response)
        return response

    async def _search_step(self, cp: NotionCheckpoint, window: SyncWindow, work: _Work) -> None:
        flt = {} if window.since is None else {"property": "object", "value": "page"}
        try:
            response = await self._search(flt, cp.search_cursor)
        except APIResponseError:  # stale cursor: restart the listing; the seen-set dedups the rerun
            cp.search_cursor, cp.search_offset = None, 0
            return
        items = results(response)
        while cp.search_offset < len(items) and work.size() < self.batch_size:
            item = items[cp.search_offset]
            cp.search_offset += 1
            if item.get("object") == "page" and _older(item, window):
                cp.phase, cp.search_cursor, cp.search_offset = "sources", None, 0
                return
            self._from_search(item, cp, window, work)
        if cp.search_offset >= len(items):
            cursor = response.get("next_cursor")
            if response.get("has_more") and cursor:
                cp.search_cursor, cp.search_offset = cursor, 0
            else:
                cp.phase = "queue" if window.since is None else "sources"
                cp.search_cursor, cp.search_offset = None, 0

    def _from_search(
        self, item: dict[str, Any], cp: NotionCheckpoint, window: SyncWindow, work: _Work
    ) -> None:
        object_id = str(item.get("id", ""))
        if is_trashed(item):
            work.deleted.append(object_id)
        elif item.get("object") == "data_source":
            if object_id not in self._seen:
                self._seen.add(object_id)
                self._found.add(object_id)
                cp.sources.append(object_id)
                if not _older(item, window):
                    work.documents.append(source_document(item, SEARCH))
        elif item.get("object") == "page":
            if object_id in cp.pages:  # queued by traversal, but search sees it: search owns it
                cp.pages.remove(object_id)
            elif object_id in self._seen:
                return
            self._seen.add(object_id)
            if "url" in item:
                work.pages.append((item, SEARCH))
            else:  # a partial object (notion.md 3.1): fetch it with the queue
                cp.pages.append(object_id)

    async def _sources_step(self, cp: NotionCheckpoint, window: SyncWindow, work: _Work) -> None:
        try:
            response = await self._search({"property": "object", "value": "data_source"}, cp.search_cursor)
        except APIResponseError:  # stale cursor
            cp.search_cursor = None
            return
        for item in results(response):
            self._from_search(item, cp, window, work)
        cursor = response.get("next_cursor")
        if response.get("has_more") and cursor:
            cp.search_cursor = cursor
        else:
            cp.phase, cp.search_cursor = "queue", None

    async def _database_step(self, cp: NotionCheckpoint, window: SyncWindow, work: _Work) -> None:
        database_id = cp.databases.pop(0)
        for source, trashed in await database_sources(self.fetcher, database_id):
            if trashed:
                work.deleted.append(source["id"])
            elif source["id"] not in self._seen:
                self._seen.add(source["id"])
                self._found.add(source["id"])
                cp.sources.append(source["id"])
                if not _older(source, window):
                    work.documents.append(source_document(source, TRAVERSAL))

    async def _pages_step(self, cp: NotionCheckpoint, window: SyncWindow, work: _Work) -> None:
        take = max(1, min(len(cp.pages), self.batch_size - work.size()))
        ids, cp.pages = cp.pages[:take], cp.pages[take:]
        found = await asyncio.gather(*(self._get_page(page_id) for page_id in ids))
        # (a stub from the parent's child_page block saves the GET; gone after a restart)
        for page in found:
            if page is None:
                continue
            if is_trashed(page):
                work.deleted.append(page["id"])
            elif _older(page, window):  # unchanged child of a changed page: nothing to do
                self._found.add(page["id"])
            else:
                work.pages.append((page, TRAVERSAL))

    async def _get_page(self, page_id: str) -> dict[str, Any] | None:
        stub = self._stubs.pop(page_id, None)
        if stub is not None:
            return stub
        try:
            page: dict[str, Any] = await self.fetcher.call(self.client.pages.retrieve, page_id=page_id)
            return page
        except APIResponseError as exc:
            if is_not_found(exc):  # referenced but not shared with us: not ours to index
                return None
            raise

    # ---- content -----------------------------------------------------------------------------
    async def _render(self, cp: NotionCheckpoint, window: SyncWindow, work: _Work) -> None:
        rendered = await asyncio.gather(*(self._one(page, by) for page, by in work.pages))
        for (page, _), outcome in zip(work.pages, rendered, strict=True):
            if isinstance(outcome, ItemFailure):
                work.failures.append(outcome)
                if outcome.retryable:
                    self._found.add(page["id"])  # it exists; only a missing page may be deleted
                continue
            document, refs = outcome
            work.documents.append(document)
            self._found.add(page["id"])
            self._stubs.update(refs.stubs)
            for child in refs.pages:
                if child not in self._seen:
                    self._seen.add(child)
                    cp.pages.append(child)
            for database_id in refs.databases:
                if database_id not in self._seen:
                    self._seen.add(database_id)
                    cp.databases.append(database_id)

    async def _one(self, page: dict[str, Any], found_by: str) -> Any:
        page_id = str(page["id"])
        try:
            content = await self.fetcher.page(page_id)
            comments = await self._comments(page_id)
        except APIResponseError as exc:
            if is_not_found(exc):
                return ItemFailure(page_id, "page not found or no longer shared", retryable=False)
            return ItemFailure(page_id, f"Notion refused the page content: {exc.code} (HTTP {exc.status})")
        return page_document(page, emit(content.nodes), found_by, comments), content.refs

    async def _comments(self, page_id: str) -> list[str]:
        if not self.include_comments:
            return []
        try:
            return await self.fetcher.comments(page_id)
        except APIResponseError as exc:
            if exc.status == 403:  # no "read comments" capability: stop asking
                self.include_comments = False
                return []
            raise


def _older(obj: dict[str, Any], window: SyncWindow) -> bool:
    """Edited before the window (the engine already widened `since` by `overlap_seconds`)."""
    if window.since is None:
        return False
    edited = parse_time(obj.get("last_edited_time"))
    return edited is not None and edited < window.since


__all__ = ["NotionCheckpoint", "NotionConnector"]
