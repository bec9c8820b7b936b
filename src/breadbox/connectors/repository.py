"""SQL for connectors.

As for data sources (`breadbox.data_sources.repository`): `ConnectorRepository` hands out ORM rows
for a unit of work that changes them; `ConnectorRecords` answers read-only requests (GET one, list
pages) with `ConnectorRecord`s, plain Core rows, through the fast read path, from a session or from
the `Database` itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from fastapi.exceptions import RequestValidationError
from sqlalchemy import Uuid, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.connectors.models import Connector
from breadbox.data_sources.models import DataSource
from breadbox.data_sources.repository import DataSourceRecords
from breadbox.db.session import ReadSource, read_one
from breadbox.pagination import Cursor, CursorParams, Keyset, Page, page_of


class ConnectorRecord(NamedTuple):
    """A connector as read-only requests see it: the row without its sync bookkeeping
    (`next_sync_at`, `checkpoint`). Attribute names are the ORM model's, so either can be shaped
    into a response."""

    id: uuid.UUID
    organization_id: uuid.UUID
    data_source_id: uuid.UUID
    store_id: str
    name: str
    metadata_: Any
    polling_interval: int
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    last_synced_at: datetime | None
    error: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


_c = Connector.__table__
_d = DataSource.__table__
_COLUMNS = (
    _c.c.id,
    _c.c.organization_id,
    _c.c.data_source_id,
    _c.c.store_id,
    _c.c.name,
    _c.c.metadata,
    _c.c.polling_interval,
    _c.c.status,
    _c.c.started_at,
    _c.c.finished_at,
    _c.c.last_synced_at,
    _c.c.error,
    _c.c.created_at,
    _c.c.updated_at,
)
# One round trip for GET one: the organization's data source, outer-joined to the connector asked
# for. No row: no such data source; a row of NULL connector columns: no such connector.
_ONE = (
    select(*_COLUMNS)
    .select_from(
        _d.outerjoin(
            _c, and_(_c.c.data_source_id == _d.c.id, _c.c.id == bindparam("connector_id", type_=Uuid()))
        )
    )
    .where(
        _d.c.id == bindparam("data_source_id", type_=Uuid()),
        _d.c.organization_id == bindparam("organization_id", type_=Uuid()),
    )
)
# A connector belongs to its data source's organization, so a page of the organization's connectors
# of the data source that has rows proves the data source is the organization's.
_PAGES = Keyset(
    select(*_COLUMNS).where(
        _c.c.data_source_id == bindparam("data_source_id", type_=Uuid()),
        _c.c.organization_id == bindparam("organization_id", type_=Uuid()),
    ),
    _c.c.created_at,
    _c.c.id,
)


class ConnectorRecords:
    """Read-only `ConnectorRecord`s through the fast read path, from `source` (see the module
    docstring)."""

    def __init__(self, source: ReadSource) -> None:
        self.source = source

    async def find(
        self, organization_id: uuid.UUID, data_source_id: uuid.UUID, connector_id: uuid.UUID
    ) -> tuple[bool, ConnectorRecord | None]:
        """Whether the organization has the data source, and the connector of it if there is one."""
        params = {
            "organization_id": organization_id,
            "data_source_id": data_source_id,
            "connector_id": connector_id,
        }
        row = await read_one(self.source, _ONE, params)
        if row is None:
            return False, None
        return True, ConnectorRecord._make(row) if row[0] is not None else None

    async def page(
        self, organization_id: uuid.UUID, data_source_id: uuid.UUID, params: CursorParams
    ) -> Page[ConnectorRecord] | None:
        """A page of the data source's connectors; None when the organization has no such data
        source (checked before the page's own parameters, as a 404 comes before a 422)."""
        owner = {"organization_id": organization_id, "data_source_id": data_source_id}
        try:
            rows, has_more, total = await _PAGES.rows(self.source, params, owner)
        except RequestValidationError:
            if not await self._data_source_exists(organization_id, data_source_id):
                return None
            raise
        if not rows and not await self._data_source_exists(organization_id, data_source_id):
            return None
        return page_of(
            [ConnectorRecord._make(r) for r in rows], has_more, total, lambda r: Cursor(r.created_at, r.id)
        )

    async def _data_source_exists(self, organization_id: uuid.UUID, data_source_id: uuid.UUID) -> bool:
        return await DataSourceRecords(self.source).exists(organization_id, data_source_id)


class ConnectorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, data_source_id: uuid.UUID, connector_id: uuid.UUID) -> Connector | None:
        return await self.session.scalar(
            select(Connector).where(Connector.id == connector_id, Connector.data_source_id == data_source_id)
        )

    async def for_data_source(self, data_source_id: uuid.UUID) -> Sequence[Connector]:
        return (
            await self.session.scalars(select(Connector).where(Connector.data_source_id == data_source_id))
        ).all()

    def add(self, row: Connector) -> None:
        self.session.add(row)

    async def delete(self, row: Connector) -> None:
        await self.session.delete(row)
