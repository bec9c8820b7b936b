"""SQL for data sources."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.data_sources.models import DataSource
from breadbox.pagination import CursorParams, Page, paginate


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

    def owned_by(self, organization_id: uuid.UUID) -> Select[DataSource]:
        return select(DataSource).where(DataSource.organization_id == organization_id)

    async def page(self, organization_id: uuid.UUID, params: CursorParams) -> Page[DataSource]:
        return await paginate(
            self.session, self.owned_by(organization_id), DataSource.created_at, DataSource.id, params
        )

    def add(self, row: DataSource) -> None:
        self.session.add(row)

    async def delete(self, row: DataSource) -> None:
        await self.session.delete(row)
