"""Databases and data sources (notion.md 1.3, 3.5): opening a database, paging its rows.

Under 2025-09-03 a database is a container: `GET /v1/databases/{id}` lists its data sources and
`POST /v1/data_sources/{id}/query` returns rows as full page objects (properties included, so no
per-row `GET /v1/pages`). A query stops at 10,000 rows with `request_status.incomplete`; we then
continue with a `created_time` window starting at the last row seen (rows sharing that minute
come again and are dropped by the seen-set).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from notion_client import APIResponseError

from breadbox.providers.base import ItemFailure, SyncWindow

from .checkpoint import NotionCheckpoint
from .client import is_not_found, is_stale_cursor, results
from .content import ContentFetcher
from .documents import is_trashed
from .inline import plain


@dataclass
class QueryState:
    """The last query page fetched, so a batch boundary inside it costs no second request."""

    key: tuple[Any, ...] | None = None
    response: dict[str, Any] = field(default_factory=dict)


async def database_sources(fetcher: ContentFetcher, database_id: str) -> list[tuple[dict[str, Any], bool]]:
    """(data-source-shaped dict, trashed) for each source of a database; [] when not visible."""
    try:
        db: dict[str, Any] = await fetcher.call(fetcher.client.databases.retrieve, database_id=database_id)
    except APIResponseError as exc:
        if is_not_found(exc):
            return []
        raise
    title = plain(db.get("title")) or "Untitled database"
    sources = db.get("data_sources") or []
    out = []
    for source in sources:
        name = str(source.get("name") or "")
        shown = title if len(sources) == 1 or not name or name == title else f"{title} / {name}"
        out.append(
            (
                {
                    "object": "data_source",
                    "id": source["id"],
                    "title": [{"plain_text": shown}],
                    "description": db.get("description") or [],
                    "parent": {"type": "database_id", "database_id": db["id"]},
                    "database_parent": db.get("parent") or {},
                    "url": db.get("url"),
                    "created_time": db.get("created_time"),
                    "last_edited_time": db.get("last_edited_time"),
                },
                is_trashed(db),
            )
        )
    return out


def _query_body(cp: NotionCheckpoint, window: SyncWindow, page_size: int) -> dict[str, Any]:
    filters: list[dict[str, Any]] = []
    if window.since is not None:
        since = window.since.isoformat().replace("+00:00", "Z")
        filters.append({"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": since}})
    if cp.source_created_from:
        filters.append({"timestamp": "created_time", "created_time": {"on_or_after": cp.source_created_from}})
    body: dict[str, Any] = {
        "sorts": [{"timestamp": "created_time", "direction": "ascending"}],
        "page_size": page_size,
    }
    if filters:
        body["filter"] = filters[0] if len(filters) == 1 else {"and": filters}
    if cp.source_cursor:
        body["start_cursor"] = cp.source_cursor
    return body


def _next_source(cp: NotionCheckpoint) -> None:
    cp.sources.pop(0)
    cp.source_cursor, cp.source_offset, cp.source_created_from = None, 0, None


async def query_rows(
    conn: Any,
    cp: NotionCheckpoint,
    window: SyncWindow,
    pages: list[tuple[dict[str, Any], str]],
    deleted: list[str],
    failures: list[ItemFailure],
    room: int,
) -> None:
    """Move `cp.sources[0]`'s query forward, adding unseen rows to `pages` (up to the batch size)."""
    fetcher: ContentFetcher = conn.fetcher
    state: QueryState = conn._query
    seen: set[str] = conn._seen
    source_id = cp.sources[0]
    body = _query_body(cp, window, conn.page_size)
    key = (source_id, repr(body))
    if state.key != key:
        try:
            state.response = await fetcher.call(
                fetcher.client.data_sources.query, data_source_id=source_id, **body
            )
        except APIResponseError as exc:
            if is_stale_cursor(exc):
                cp.source_cursor, cp.source_offset = None, 0
                return
            if not is_not_found(exc):
                failures.append(ItemFailure(source_id, f"data source query refused: {exc.code}"))
            _next_source(cp)
            return
        state.key = key
    response = state.response
    rows = results(response)
    while cp.source_offset < len(rows) and room > 0:
        row = rows[cp.source_offset]
        cp.source_offset += 1
        if is_trashed(row):
            deleted.append(row["id"])
        elif row.get("object") == "page" and row["id"] not in seen:
            seen.add(row["id"])
            pages.append((row, "traversal"))
            room -= 1
    if cp.source_offset < len(rows):
        return
    cursor = response.get("next_cursor")
    status = response.get("request_status") or {}
    if response.get("has_more") and cursor:
        cp.source_cursor, cp.source_offset = cursor, 0
    elif status.get("type") == "incomplete" and rows:
        last = str(rows[-1].get("created_time") or "")
        if not last or last == cp.source_created_from:  # >10k rows in one minute: cannot split further
            failures.append(ItemFailure(source_id, "rows beyond the 10,000-row query cap were skipped"))
            _next_source(cp)
        else:
            cp.source_created_from, cp.source_cursor, cp.source_offset = last, None, 0
    else:
        _next_source(cp)
