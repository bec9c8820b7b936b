"""The simulated workspace's objects, kept version-neutral: JSON shapes are made per request.

Timestamps are epoch seconds (simulated clock); rich text is a list of `Span`s so both the JSON
renderer and the markdown renderer can read it without parsing API payloads back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")


def dashed(raw: str) -> str | None:
    """Normalise an id given with or without dashes; None when it is not a UUID at all."""
    compact = raw.replace("-", "")
    if not _HEX32.match(compact):
        return None
    compact = compact.lower()
    return f"{compact[:8]}-{compact[8:12]}-{compact[12:16]}-{compact[16:20]}-{compact[20:]}"


def iso(ts: float, floor_minute: bool = True) -> str:
    """ISO-8601 with milliseconds and Z; Notion floors object timestamps to the minute."""
    if floor_minute:
        ts = ts - ts % 60
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts * 1000) % 1000:03d}Z"


def floor_minute(ts: float) -> float:
    return ts - ts % 60


@dataclass(slots=True)
class Span:
    """One rich-text run: plain text, a mention (page/user/date/database) or an inline equation."""

    text: str
    kind: str = "text"  # text | mention_page | mention_database | mention_user | mention_date | equation
    target: str | None = None  # id for mentions, ISO date for date mentions
    bold: bool = False
    italic: bool = False
    code: bool = False
    link: str | None = None


@dataclass(slots=True)
class Block:
    """A content block. `data` holds the type-specific, version-neutral fields."""

    id: str
    type: str
    parent_type: str  # page_id | block_id
    parent_id: str
    created: float
    edited: float
    rich: list[Span] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    children: list[str] = field(default_factory=list)
    in_trash: bool = False


@dataclass(slots=True)
class Page:
    """A page or a database row. `props` (rows only) maps property name -> raw value."""

    id: str
    title: str
    parent_type: str  # workspace | page_id | block_id | data_source_id
    parent_id: str | None
    created: float
    edited: float
    children: list[str] = field(default_factory=list)
    shared: bool = False  # shared directly with the integration
    revoked: bool = False  # connection explicitly removed (overrides inheritance)
    in_trash: bool = False
    deleted: bool = False  # permanently deleted -> 404 for everyone
    icon: str | None = None
    props: dict[str, Any] = field(default_factory=dict)
    created_by: str = ""
    edited_by: str = ""


@dataclass(slots=True)
class DataSource:
    id: str
    database_id: str
    name: str
    schema: dict[str, dict[str, Any]]  # property name -> {"id", "type", <type config>}
    rows: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Database:
    id: str
    title: str
    parent_type: str  # workspace | page_id | block_id
    parent_id: str | None
    created: float
    edited: float
    is_inline: bool = False
    data_sources: list[str] = field(default_factory=list)
    shared: bool = False
    revoked: bool = False
    in_trash: bool = False
    deleted: bool = False


@dataclass(slots=True)
class Comment:
    id: str
    discussion_id: str
    parent_type: str  # page_id | block_id
    parent_id: str
    created: float
    author: str
    rich: list[Span]
    resolved: bool = False


@dataclass(slots=True)
class User:
    id: str
    name: str
    kind: str  # person | bot
    email: str | None = None
