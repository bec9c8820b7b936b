"""SQL for data sources.

Two kinds of reads: `DataSourceRepository.get` / `get_for_update` hand out ORM rows for a unit of
work that changes them; `DataSourceRecords.find` / `page` answer read-only requests with
`DataSourceRecord`s, plain Core rows without the sealed credentials, through the fast read path
(`breadbox.db.session.read_all`). Records skip the ORM's identity map and change tracking, which is
about a third of the cost of a point read, and a read path that never loads `credentials` cannot
leak them. `DataSourceRecords` reads from a session or, for a request that only reads, from the
`Database` itself, so such a request needs no session at all.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Uuid, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.data_sources.models import DataSource
from breadbox.db.session import ReadSource, read_one
from breadbox.pagination import Cursor, CursorParams, Keyset, Page, page_of


class DataSourceRecord(NamedTuple):
    """A data source as read-only requests see it: the row without its sealed credentials.
    Attribute names are the ORM model's, so either can be shaped into a response."""

    id: uuid.UUID
    organization_id: uuid.UUID
    type: str
    name: str
    metadata_: Any
    auth_type: str | None
    auth_info: dict[str, Any] | None
    auth_updated_at: datetime | None
    created_at: datetime
    updated_at: datetime


_t = DataSource.__table__
_RECORD = select(
    _t.c.id,
    _t.c.organization_id,
    _t.c.type,
    _t.c.name,
    _t.c.metadata,
    _t.c.auth_type,
    _t.c.auth_info,
    _t.c.auth_updated_at,
    _t.c.created_at,
    _t.c.updated_at,
)
_OWNED = _RECORD.where(_t.c.organization_id == bindparam("organization_id", type_=Uuid()))
_ONE = _OWNED.where(_t.c.id == bindparam("id", type_=Uuid()))
_PAGES = Keyset(_OWNED, _t.c.created_at, _t.c.id)
_EXISTS = select(_t.c.id).where(
    _t.c.id == bindparam("id", type_=Uuid()),
    _t.c.organization_id == bindparam("organization_id", type_=Uuid()),
)


class DataSourceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, organization_id: uuid.UUID, data_source_id: uuid.UUID) -> DataSource | None:
        return await self.session.scalar(
            select(DataSource).where(
                DataSource.id == data_source_id, DataSource.organization_id == organization_id
            )
        )

    async def get_for_update(self, data_source_id: uuid.UUID) -> DataSource | None:
        """The row locked against concurrent writers (a no-op on SQLite, whose writes serialise)."""
        return await self.session.scalar(
            select(DataSource).where(DataSource.id == data_source_id).with_for_update()
        )

    def add(self, row: DataSource) -> None:
        self.session.add(row)

    async def delete(self, row: DataSource) -> None:
        await self.session.delete(row)


class DataSourceRecords:
    """Read-only `DataSourceRecord`s through the fast read path, from `source` (see the module
    docstring)."""

    def __init__(self, source: ReadSource) -> None:
        self.source = source

    async def find(self, organization_id: uuid.UUID, data_source_id: uuid.UUID) -> DataSourceRecord | None:
        row = await read_one(self.source, _ONE, {"organization_id": organization_id, "id": data_source_id})
        return DataSourceRecord._make(row) if row is not None else None

    async def exists(self, organization_id: uuid.UUID, data_source_id: uuid.UUID) -> bool:
        params = {"organization_id": organization_id, "id": data_source_id}
        return await read_one(self.source, _EXISTS, params) is not None

    async def page(self, organization_id: uuid.UUID, params: CursorParams) -> Page[DataSourceRecord]:
        rows, has_more, total = await _PAGES.rows(self.source, params, {"organization_id": organization_id})
        return page_of(
            [DataSourceRecord._make(r) for r in rows],
            has_more,
            total,
            lambda r: Cursor(r.created_at, r.id),
        )
