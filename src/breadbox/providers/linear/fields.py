"""What the connector reads from Linear: node selections and the paginated root fields.

Selections are kept lean because every field is paid for on every node of every page (0.1 point
for a scalar, 1 point per object): issue labels travel as `labelIds` (a scalar list) and are named
from a label catalogue fetched once, instead of a nested `labels` connection that would cost 11
points per issue (linear.md §3 "Recommended queries" prices it at first: 10).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from breadbox.providers.base import SyncWindow
from breadbox.providers.linear.query import MAX_FIRST, Conn, Obj, Root, Selection

# An issue's first comments travel with the issue; only longer threads cost a follow-up query
# (top-level `comments` filtered by issue, paginated, never capped). Ten covers most issues and
# keeps 250 issues per page under the per-query cap.
NESTED_COMMENTS = 10
# Incremental polls start with small pages: the cost is paid on the requested `first`, even for
# an empty answer (linear.md §7 item 9); a stream that has more goes to full pages.
POLL_FIRST = 50

COMMENT: tuple[Selection, ...] = ("id", "body", "createdAt", "archivedAt", Obj("user", ("name",)))
THREAD_COMMENT: tuple[Selection, ...] = (*COMMENT, "issueId")
ISSUE: tuple[Selection, ...] = (
    "id", "identifier", "title", "description", "url", "priorityLabel", "createdAt", "updatedAt",
    "archivedAt", "trashed", "labelIds",
    Obj("state", ("name", "type")), Obj("team", ("key", "name")), Obj("assignee", ("name",)),
    Obj("project", ("name",)),
    Conn("comments", NESTED_COMMENTS, "includeArchived: true, orderBy: createdAt", COMMENT),
)  # fmt: skip
PROJECT: tuple[Selection, ...] = (
    "id", "name", "description", "content", "url", "createdAt", "updatedAt", "archivedAt", "trashed",
    "targetDate", Obj("status", ("name",)), Obj("lead", ("name",)),
)  # fmt: skip
DOCUMENT: tuple[Selection, ...] = (
    "id", "title", "content", "url", "createdAt", "updatedAt", "archivedAt", "trashed",
    Obj("project", ("name",)), Obj("issue", ("identifier",)), Obj("team", ("key",)), Obj("creator", ("name",)),
)  # fmt: skip
LABEL: tuple[Selection, ...] = ("id", "name")
LISTED: tuple[Selection, ...] = ("id", "archivedAt", "trashed")
# Changed comments only say which issue to re-render; the issue is then read whole.
CHANGED_COMMENT: tuple[Selection, ...] = ("id", "issueId")
ARCHIVED: tuple[Selection, ...] = ("id",)


def stamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, Linear's precision."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _between(field: str, window: SyncWindow) -> dict[str, Any]:
    bounds = {"lte": stamp(window.until)}
    if window.since is not None:
        bounds["gt"] = stamp(window.since)
    return {field: bounds}


def _paged(
    alias: str,
    field: str,
    nodes: tuple[Selection, ...],
    first: int,
    after: str | None,
    filter_type: str | None = None,
    filter_value: dict[str, Any] | None = None,
    order: str | None = "updatedAt",
) -> Root:
    args: dict[str, tuple[str, Any]] = {"after": ("String", after), "includeArchived": ("Boolean", True)}
    if order:
        args["orderBy"] = ("PaginationOrderBy", order)
    if filter_type:
        args["filter"] = (filter_type, filter_value)
    return Root(alias, field, first, nodes, args)


# The sweep streams: (root field, nodes, filter type, filtered timestamp). `comments` and
# `archived` only run in incremental windows: a full window renders every issue whole anyway,
# and an incremental one must see new comments and archiving that may not bump the issue's
# updatedAt (both unverified, linear.md §3).
STREAMS: dict[str, tuple[str, tuple[Selection, ...], str, str]] = {
    "issues": ("issues", ISSUE, "IssueFilter", "updatedAt"),
    "comments": ("comments", CHANGED_COMMENT, "CommentFilter", "updatedAt"),
    "archived": ("issues", ARCHIVED, "IssueFilter", "archivedAt"),
    "projects": ("projects", PROJECT, "ProjectFilter", "updatedAt"),
    "documents": ("documents", DOCUMENT, "DocumentFilter", "updatedAt"),
}
FULL_STREAMS = ("issues", "projects", "documents")
INCREMENTAL_STREAMS = ("issues", "comments", "archived", "projects", "documents")


def stream_root(name: str, window: SyncWindow, after: str | None) -> Root:
    field, nodes, filter_type, stamp_field = STREAMS[name]
    first = MAX_FIRST if window.since is None or after is not None else POLL_FIRST
    return _paged(name, field, nodes, first, after, filter_type, _between(stamp_field, window))


def catalogue_root(after: str | None, first: int) -> Root:
    return _paged("labels", "issueLabels", LABEL, first, after, order=None)


def issues_by_id(ids: list[str]) -> Root:
    return _paged("extra", "issues", ISSUE, len(ids), None, "IssueFilter", {"id": {"in": ids}}, order=None)


def thread_root(issue_ids: list[str], after: str | None) -> Root:
    return _paged(
        "thread", "comments", THREAD_COMMENT, MAX_FIRST, after,
        "CommentFilter", {"issue": {"id": {"in": issue_ids}}}, order="createdAt",
    )  # fmt: skip


def labels_by_id(ids: list[str]) -> Root:
    return _paged(
        "lookup", "issueLabels", LABEL, len(ids), None, "IssueLabelFilter", {"id": {"in": ids}}, None
    )


def listing_root(name: str, after: str | None) -> Root:
    return _paged(name, name, LISTED, MAX_FIRST, after, order=None)
