"""Completing a page of issues: every comment, issues named by changed comments, label names.

An issue arrives with its first comments nested; a longer thread is read in full through the
top-level `comments` query filtered by issue (paginated, never capped, unlike the connectors
that silently stop at 50, linear.md §5). Issues whose comments changed are fetched by id, and
labels missing from the catalogue are looked up by id. All of these share requests: each one
carries as much of the outstanding work as fits under the complexity cap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from breadbox.providers.base import ItemFailure
from breadbox.providers.linear.client import LinearClient
from breadbox.providers.linear.fields import issues_by_id, labels_by_id, thread_root
from breadbox.providers.linear.query import MAX_FIRST, Root, build, fit
from breadbox.providers.linear.render import is_gone


def connection(data: dict[str, Any], alias: str) -> tuple[list[dict[str, Any]], bool, str | None]:
    """(nodes, hasNextPage, endCursor) of one root field of an answer."""
    value = data.get(alias) or {}
    nodes = [n for n in value.get("nodes") or [] if isinstance(n, dict) and n.get("id") is not None]
    info = value.get("pageInfo") or {}
    return nodes, bool(info.get("hasNextPage")), info.get("endCursor")


def partial_failures(errors: list[dict[str, Any]]) -> list[ItemFailure]:
    """Errors beside data (a field that failed on one node): recorded, not fatal."""
    return [
        ItemFailure(None, f"Linear: {str(e.get('message', 'error'))[:300]} at {e.get('path')}")
        for e in errors
    ]


@dataclass
class Assembly:
    """Issues ready to render, each with its full comment list."""

    issues: list[dict[str, Any]] = field(default_factory=list)
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    failures: list[ItemFailure] = field(default_factory=list)


class IssueAssembler:
    """Does the follow-up reads one batch of issues needs, in as few requests as fit."""

    def __init__(self, client: LinearClient, labels: dict[str, str]) -> None:
        self.client = client
        self.labels = labels  # id -> name, shared with the connector's catalogue

    async def complete(self, page: list[dict[str, Any]], named_by_comments: set[str]) -> Assembly:
        out = Assembly()
        overflow: list[str] = []  # issues whose nested comments had more
        self._accept(page, out, overflow)
        known = {issue["id"] for issue in page}
        extra = sorted(named_by_comments - known)
        thread_ids: list[str] = []  # issues of the running thread query
        cursor: str | None = None
        while True:
            unknown = self._unknown_labels(out.issues)
            if not thread_ids and overflow:
                thread_ids, overflow = overflow[:MAX_FIRST], overflow[MAX_FIRST:]
                cursor = None
                for issue_id in thread_ids:
                    out.comments[issue_id] = []
            roots: list[Root] = []
            if extra:
                roots.append(issues_by_id(extra[:MAX_FIRST]))
            if thread_ids:
                roots.append(thread_root(thread_ids, cursor))
            if unknown:
                roots.append(labels_by_id(unknown[:MAX_FIRST]))
            if not roots:
                return out
            roots = [self._narrow(r, extra, unknown) for r in fit(roots, self.client.cap())]
            data, errors = await self.client.run(build("Complete", roots))
            out.failures += partial_failures(errors)
            for root in roots:
                nodes, more, end = connection(data, root.alias)
                if root.alias == "extra":
                    asked, extra = extra[: root.first], extra[root.first :]
                    self._accept(nodes, out, overflow)
                    known.update(asked)
                elif root.alias == "thread":
                    for comment in nodes:
                        out.comments.setdefault(str(comment.get("issueId")), []).append(comment)
                    cursor = end if more else None
                    if not more:
                        thread_ids = []
                else:
                    for label in nodes:
                        self.labels[str(label["id"])] = str(label.get("name") or "")
                    # A label that is not returned was deleted: name it by nothing, ask no more.
                    for label_id in unknown[: root.first]:
                        self.labels.setdefault(label_id, "")

    @staticmethod
    def _narrow(root: Root, extra: list[str], unknown: list[str]) -> Root:
        """Lookups by id must ask for exactly `first` ids, or the server picks which to return."""
        if root.alias == "extra":
            return issues_by_id(extra[: root.first])
        if root.alias == "lookup":
            return labels_by_id(unknown[: root.first])
        return root

    def _accept(self, issues: list[dict[str, Any]], out: Assembly, overflow: list[str]) -> None:
        for issue in issues:
            issue_id = str(issue["id"])
            if is_gone(issue):
                out.deleted.append(issue_id)
                continue
            nested = issue.get("comments") or {}
            out.issues.append(issue)
            out.comments[issue_id] = list(nested.get("nodes") or [])
            if (nested.get("pageInfo") or {}).get("hasNextPage"):
                overflow.append(issue_id)

    def _unknown_labels(self, issues: list[dict[str, Any]]) -> list[str]:
        wanted = {str(i) for issue in issues for i in issue.get("labelIds") or []}
        return sorted(wanted - self.labels.keys())
