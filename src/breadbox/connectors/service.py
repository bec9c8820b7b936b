"""Connector rules: defaults, partial updates, sync requests, and the store they fill."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.connectors.models import Connector
from breadbox.connectors.repository import ConnectorRecord, ConnectorRecords, ConnectorRepository
from breadbox.connectors.schemas import (
    DataSourceConnector,
    DataSourceConnectorCreateParams,
    DataSourceConnectorUpdateParams,
)
from breadbox.data_sources.repository import DataSourceRepository
from breadbox.db.base import utcnow
from breadbox.db.session import ReadSource
from breadbox.durations import DEFAULT_SECONDS, format_iso
from breadbox.errors import NotFoundError
from breadbox.pagination import CursorParams, Page
from breadbox.stores.service import StoreService
from breadbox.stores.sink import LocalStoreSink
from breadbox.sync.service import SyncRequests


class ConnectorQueries:
    """The read-only operations: `ConnectorRecord`s through the fast read path. `source` is the
    request's session, or the `Database` for a request that only reads (it then needs no session)."""

    def __init__(self, source: ReadSource) -> None:
        self.records = ConnectorRecords(source)

    async def get(
        self, organization_id: uuid.UUID, data_source_id: uuid.UUID, connector_id: uuid.UUID
    ) -> ConnectorRecord:
        found, record = await self.records.find(organization_id, data_source_id, connector_id)
        if not found:
            raise _data_source_not_found(data_source_id)
        if record is None:
            raise _not_found(connector_id)
        return record

    async def list(
        self, organization_id: uuid.UUID, data_source_id: uuid.UUID, params: CursorParams
    ) -> Page[ConnectorRecord]:
        page = await self.records.page(organization_id, data_source_id, params)
        if page is None:
            raise _data_source_not_found(data_source_id)
        return page


class ConnectorService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repository = ConnectorRepository(session)
        self.data_sources = DataSourceRepository(session)
        self.syncs = SyncRequests(session)
        self.queries = ConnectorQueries(session)

    async def _data_source_id(self, organization_id: uuid.UUID, data_source_id: uuid.UUID) -> uuid.UUID:
        if await self.data_sources.get(organization_id, data_source_id) is None:
            raise _data_source_not_found(data_source_id)
        return data_source_id

    async def create(
        self, organization_id: uuid.UUID, data_source_id: uuid.UUID, params: DataSourceConnectorCreateParams
    ) -> Connector:
        await self._data_source_id(organization_id, data_source_id)
        # The store must be the organization's (by ID or unique name); the ID is what is kept.
        store = await StoreService(self.session).resolve(organization_id, params.store_id)
        row = Connector(
            organization_id=organization_id,
            data_source_id=data_source_id,
            store_id=str(store.id),
            name=params.name,
            metadata_=params.metadata,
            polling_interval=int(params.polling_interval or DEFAULT_SECONDS),
            status="idle",
        )
        self.repository.add(row)
        await self.session.flush()
        if params.trigger_sync:
            await self.syncs.request(row, "create")
            await self.session.flush()
        return row

    async def get(
        self, organization_id: uuid.UUID, data_source_id: uuid.UUID, connector_id: uuid.UUID
    ) -> Connector:
        """The ORM row, for a change in this unit of work (read-only requests use `find`)."""
        await self._data_source_id(organization_id, data_source_id)
        row = await self.repository.get(data_source_id, connector_id)
        if row is None:
            raise _not_found(connector_id)
        return row

    async def find(
        self, organization_id: uuid.UUID, data_source_id: uuid.UUID, connector_id: uuid.UUID
    ) -> ConnectorRecord:
        """A read-only view of the connector, through the fast read path."""
        return await self.queries.get(organization_id, data_source_id, connector_id)

    async def list(
        self, organization_id: uuid.UUID, data_source_id: uuid.UUID, params: CursorParams
    ) -> Page[ConnectorRecord]:
        return await self.queries.list(organization_id, data_source_id, params)

    async def update(
        self,
        organization_id: uuid.UUID,
        data_source_id: uuid.UUID,
        connector_id: uuid.UUID,
        params: DataSourceConnectorUpdateParams,
    ) -> Connector:
        """Partial: only the fields given change; `trigger_sync` requests a sync only when true."""
        row = await self.get(organization_id, data_source_id, connector_id)
        given: dict[str, Any] = {k: getattr(params, k) for k in params.model_fields_set}
        if given.get("name") is not None:
            row.name = given["name"]
        if "metadata" in given:
            row.metadata_ = given["metadata"]
        if given.get("polling_interval") is not None:
            row.polling_interval = int(given["polling_interval"])
        row.updated_at = utcnow()
        if given.get("trigger_sync") is True:
            await self.syncs.request(row, "update")
        await self.session.flush()
        return row

    async def delete(
        self, organization_id: uuid.UUID, data_source_id: uuid.UUID, connector_id: uuid.UUID
    ) -> Connector:
        row = await self.get(organization_id, data_source_id, connector_id)
        await self._remove(row)
        return row

    async def delete_all_for_data_source(self, data_source_id: uuid.UUID) -> None:
        for row in await self.repository.for_data_source(data_source_id):
            await self._remove(row)

    async def _remove(self, row: Connector) -> None:
        """Cancel its syncs (a running one stops within a runner tick), delete the store files
        it created, then the connector (its runs and ledger go with it)."""
        await self.syncs.cancel(row)
        try:
            sink = await LocalStoreSink.open(self.session, row.organization_id, row.store_id, str(row.id))
        except NotFoundError:
            sink = None  # the store is gone; nothing of ours is left in it
        if sink is not None:
            await sink.delete_all()
        await self.repository.delete(row)
        await self.session.flush()


def _data_source_not_found(data_source_id: uuid.UUID) -> NotFoundError:
    return NotFoundError(f"Data source {data_source_id} not found", error_type="data_source_not_found")


def _not_found(connector_id: uuid.UUID) -> NotFoundError:
    return NotFoundError(f"Connector {connector_id} not found", error_type="connector_not_found")


def to_schema(row: Connector | ConnectorRecord) -> DataSourceConnector:
    return DataSourceConnector(
        id=str(row.id),
        created_at=row.created_at,
        updated_at=row.updated_at,
        store_id=row.store_id,
        data_source_id=str(row.data_source_id),
        name=row.name,
        metadata=row.metadata_,
        polling_interval=format_iso(row.polling_interval),
        started_at=row.started_at,
        finished_at=row.finished_at,
        last_synced_at=row.last_synced_at,
        status=row.status,  # type: ignore[arg-type]
        error=row.error,
    )
