"""Data source rules: which auth each type takes, PUT semantics, credentials sealed at rest."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.connectors.service import ConnectorService
from breadbox.crypto import SecretBox
from breadbox.data_sources import credentials
from breadbox.data_sources.models import DataSource
from breadbox.data_sources.repository import DataSourceRecord, DataSourceRecords, DataSourceRepository
from breadbox.data_sources.schemas import (
    ApiKeyCreateOrUpdateParams,
    DataSourceParams,
    OAuth2CreateOrUpdateParams,
)
from breadbox.data_sources.schemas import (
    DataSource as DataSourceOut,
)
from breadbox.db.base import utcnow
from breadbox.db.session import ReadSource
from breadbox.errors import NotFoundError
from breadbox.pagination import CursorParams, Page
from breadbox.validation import invalid

# Linear has no API keys for apps acting on a workspace's behalf: OAuth2 only.
ALLOWED_AUTH = {"notion": {"api_key", "oauth2"}, "linear": {"oauth2"}}


class DataSourceQueries:
    """The read-only operations: `DataSourceRecord`s through the fast read path. `source` is the
    request's session, or the `Database` for a request that only reads (it then needs no session)."""

    def __init__(self, source: ReadSource) -> None:
        self.records = DataSourceRecords(source)

    async def get(self, organization_id: uuid.UUID, data_source_id: uuid.UUID) -> DataSourceRecord:
        """A read-only view of the data source (another organization's is a 404 like a missing one)."""
        record = await self.records.find(organization_id, data_source_id)
        if record is None:
            raise _not_found(data_source_id)
        return record

    async def list(self, organization_id: uuid.UUID, params: CursorParams) -> Page[DataSourceRecord]:
        return await self.records.page(organization_id, params)


class DataSourceService:
    def __init__(self, session: AsyncSession, box: SecretBox) -> None:
        self.session = session
        self.box = box
        self.repository = DataSourceRepository(session)
        self.queries = DataSourceQueries(session)

    async def create(self, organization_id: uuid.UUID, params: DataSourceParams) -> DataSource:
        row = DataSource(
            organization_id=organization_id, type=params.type, name=params.name, metadata_=params.metadata
        )
        self._apply_auth(row, params.type, params.auth_params)
        self.repository.add(row)
        await self.session.flush()
        return row

    async def get(self, organization_id: uuid.UUID, data_source_id: uuid.UUID) -> DataSourceRecord:
        """A read-only view of the data source (another organization's is a 404 like a missing one)."""
        return await self.queries.get(organization_id, data_source_id)

    async def list(self, organization_id: uuid.UUID, params: CursorParams) -> Page[DataSourceRecord]:
        return await self.queries.list(organization_id, params)

    async def _row(self, organization_id: uuid.UUID, data_source_id: uuid.UUID) -> DataSource:
        """The ORM row, for a change in this unit of work."""
        row = await self.repository.get(organization_id, data_source_id)
        if row is None:
            raise _not_found(data_source_id)
        return row

    async def update(
        self, organization_id: uuid.UUID, data_source_id: uuid.UUID, params: DataSourceParams
    ) -> DataSource:
        """PUT: `name` is replaced; `metadata` and `auth_params` are replaced when the body has them
        (explicit null clears them); an omitted `type` keeps the current one, another type is a 422.
        New auth params discard the stored credentials."""
        row = await self._row(organization_id, data_source_id)
        given = params.model_fields_set
        if "type" in given and params.type != row.type:
            invalid(
                ("body", "type"),
                f"The type of a data source cannot change (it is '{row.type}')",
                params.type,
            )
        row.name = params.name
        if "metadata" in given:
            row.metadata_ = params.metadata
        if "auth_params" in given:
            self._apply_auth(row, row.type, params.auth_params)
        row.updated_at = utcnow()
        await self.session.flush()
        return row

    async def delete(self, organization_id: uuid.UUID, data_source_id: uuid.UUID) -> DataSource:
        """Deleting a data source deletes its connectors first (which cancels their syncs)."""
        row = await self._row(organization_id, data_source_id)
        await ConnectorService(self.session).delete_all_for_data_source(row.id)
        await self.repository.delete(row)
        await self.session.flush()
        return row

    def _apply_auth(
        self,
        row: DataSource,
        source_type: str,
        auth: OAuth2CreateOrUpdateParams | ApiKeyCreateOrUpdateParams | None,
    ) -> None:
        if auth is None:
            credentials.clear(row)
            return
        if auth.type not in ALLOWED_AUTH[source_type]:
            invalid(
                ("body", "auth_params", "type"),
                f"A {source_type} data source does not support '{auth.type}' authentication; "
                f"use one of: {', '.join(sorted(ALLOWED_AUTH[source_type]))}",
                auth.type,
            )
        if isinstance(auth, ApiKeyCreateOrUpdateParams):
            credentials.set_api_key(row, self.box, auth.api_key)
        else:
            credentials.set_oauth2_pending(row)


def _not_found(data_source_id: uuid.UUID) -> NotFoundError:
    return NotFoundError(f"Data source {data_source_id} not found", error_type="data_source_not_found")


def to_schema(row: DataSource | DataSourceRecord) -> DataSourceOut:
    return DataSourceOut(
        id=str(row.id),
        created_at=row.created_at,
        updated_at=row.updated_at,
        type=row.type,  # type: ignore[arg-type]
        name=row.name,
        metadata=row.metadata_,
        auth_params=credentials.public_auth_params(row),
    )
