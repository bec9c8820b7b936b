"""The Notion connector's checkpoint: where the run is, as IDs and cursors only.

Page objects and query results are never stored here (they can be fetched again); a checkpoint
stays a few kilobytes however large the workspace, which matters because the engine saves it
after every batch.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class NotionCheckpoint(BaseModel):
    # search: walking POST /v1/search; sources: (incremental) listing data sources; queue: traversal
    phase: Literal["search", "sources", "queue"] = "search"
    search_cursor: str | None = None  # cursor that fetched the search page being consumed
    search_offset: int = 0  # results of that page already handled
    pages: list[str] = Field(default_factory=list)  # child pages found in content, to load
    databases: list[str] = Field(default_factory=list)  # child databases, to open
    sources: list[str] = Field(default_factory=list)  # data sources whose rows are still to query
    source_cursor: str | None = None  # query cursor for sources[0]
    source_offset: int = 0
    # After the 10,000-row query cap (notion.md 2.2): rows created on or after this time.
    source_created_from: str | None = None

    def queues_empty(self) -> bool:
        return not (self.pages or self.databases or self.sources)
