"""The Linear connector: issues (with every comment), projects and documents of a workspace.

Each `load` sends one *sweep* request that reads the next page of every unfinished stream at
once (issues, projects, documents; in incremental windows also changed comments and newly
archived issues), then the few follow-up requests that page's issues need (long comment
threads, issues named by changed comments, unknown labels). So a batch holds one page per
stream, and the checkpoint is just each stream's cursor and a phase name.

Windows are `updatedAt` ranges bounded by the run's start (`lte: until`), so edits made during
a run wait for the next one instead of being skipped, and every query passes
`includeArchived: true`, without which trashed and archived items are invisible (linear.md §3).
Items are keyed by `id`, never by `identifier`, which changes when an issue moves teams.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import httpx
from pydantic import BaseModel, Field

from breadbox.providers.base import Batch, Document, IdListing, SyncWindow, TokenGetter
from breadbox.providers.linear.client import LinearClient
from breadbox.providers.linear.fields import (
    FULL_STREAMS,
    INCREMENTAL_STREAMS,
    POLL_FIRST,
    catalogue_root,
    listing_root,
    stream_root,
)
from breadbox.providers.linear.issues import IssueAssembler, connection, partial_failures
from breadbox.providers.linear.query import MAX_FIRST, Root, build, fit
from breadbox.providers.linear.render import is_gone, render_document, render_issue, render_project
from breadbox.providers.ratelimit import RateLimiter

LISTED_KINDS = ("issues", "projects", "documents")


class LinearCheckpoint(BaseModel):
    """Where a run stands: the next cursor of each stream, and the streams read to the end."""

    phase: Literal["sweep", "done"] = "sweep"
    cursors: dict[str, str] = Field(default_factory=dict)
    finished: list[str] = Field(default_factory=list)


class LinearConnector:
    """`SourceConnector` for Linear's GraphQL API (`{api_url}/graphql`)."""

    checkpoint_model: type[BaseModel] = LinearCheckpoint
    # Linear timestamps are exact to the millisecond; the overlap only absorbs clock skew
    # between us (who set the window's end) and Linear (who stamps updatedAt).
    overlap_seconds: ClassVar[int] = 30

    def __init__(
        self,
        api_url: str,
        get_token: TokenGetter,
        *,
        limiter: RateLimiter,
        timeout: float = 60.0,
        max_attempts: int = 8,
        base_delay: float = 0.5,
        inner: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.client = LinearClient(
            api_url, get_token, limiter, timeout=timeout, max_attempts=max_attempts,
            base_delay=base_delay, inner=inner,
        )  # fmt: skip
        # Label id -> name. Filled by a catalogue read riding on the first sweep requests;
        # labels it misses are looked up by id. Lives as long as the connector (one run).
        self.labels: dict[str, str] = {}
        self._catalogue: str | None = None  # cursor of the catalogue read
        self._catalogue_done = False

    async def load(self, checkpoint: BaseModel, window: SyncWindow) -> Batch:
        """One sweep page of every unfinished stream, plus what its issues need to be whole."""
        state = LinearCheckpoint.model_validate(checkpoint.model_dump())
        if state.phase == "done":
            return Batch([], [], state, done=True)
        before = self.client.requests
        streams = [
            s
            for s in (FULL_STREAMS if window.since is None else INCREMENTAL_STREAMS)
            if s not in state.finished
        ]
        roots = [stream_root(name, window, state.cursors.get(name)) for name in streams]
        if not self._catalogue_done:
            roots.append(catalogue_root(self._catalogue, MAX_FIRST if window.since is None else POLL_FIRST))
        roots = fit(roots, self.client.cap())
        data, errors = await self.client.run(build("Sweep", roots))
        failures = partial_failures(errors)
        pages = self._advance(state, data, roots)
        documents: list[Document] = []
        deleted = [str(n["id"]) for n in pages.get("archived", [])]
        for kind, render in (("projects", render_project), ("documents", render_document)):
            for node in pages.get(kind, []):
                if is_gone(node):
                    deleted.append(str(node["id"]))
                else:
                    documents.append(render(node))
        named = {str(c["issueId"]) for c in pages.get("comments", []) if c.get("issueId")}
        assembly = await IssueAssembler(self.client, self.labels).complete(pages.get("issues", []), named)
        for issue in assembly.issues:
            documents.append(render_issue(issue, assembly.comments.get(str(issue["id"]), []), self.labels))
        deleted += assembly.deleted
        failures += assembly.failures
        done = all(s in state.finished for s in streams)
        if done:
            state.phase = "done"
        return Batch(
            documents=documents,
            failures=failures,
            checkpoint=state,
            done=done,
            deleted_ids=sorted(set(deleted)),
            requests=self.client.requests - before,
        )

    def _advance(
        self, state: LinearCheckpoint, data: dict[str, Any], roots: list[Root]
    ) -> dict[str, list[dict[str, Any]]]:
        """Each stream's nodes from a sweep answer; cursors moved on, finished streams noted."""
        pages: dict[str, list[dict[str, Any]]] = {}
        for root in roots:
            nodes, more, end = connection(data, root.alias)
            if root.alias == "labels":
                for label in nodes:
                    self.labels[str(label["id"])] = str(label.get("name") or "")
                self._catalogue, self._catalogue_done = end, not more or end is None
                continue
            pages[root.alias] = nodes
            if more and end:
                state.cursors[root.alias] = end
            else:
                state.cursors.pop(root.alias, None)
                state.finished.append(root.alias)
        return pages

    async def list_ids(self, full: bool) -> IdListing:
        """Full: every live issue, project and document id (an ID-only sweep, about 1.3 points a
        row), so hard deletes and lost access are noticed. Incremental runs list nothing: trash
        and archiving are reported by the windows, hard deletes wait for the scheduled sweep."""
        if not full:
            return IdListing(ids=set(), covers=frozenset())
        before = self.client.requests
        ids: set[str] = set()
        cursors: dict[str, str | None] = dict.fromkeys(LISTED_KINDS)
        while cursors:
            roots = fit([listing_root(kind, after) for kind, after in cursors.items()], self.client.cap())
            data, _ = await self.client.run(build("Listing", roots))
            for root in roots:
                nodes, more, end = connection(data, root.alias)
                ids.update(str(n["id"]) for n in nodes if not is_gone(n))
                if more and end:
                    cursors[root.alias] = end
                else:
                    del cursors[root.alias]
        return IdListing(ids=ids, covers=frozenset({"listing"}), requests=self.client.requests - before)

    async def aclose(self) -> None:
        await self.client.aclose()
