"""SQL for connectors."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.connectors.models import Connector
from breadbox.pagination import CursorParams, Page, paginate


class ConnectorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, data_source_id: uuid.UUID, connector_id: uuid.UUID) -> Connector | None:
        return await self.session.scalar(
            select(Connector).where(Connector.id == connector_id, Connector.data_source_id == data_source_id)
        )

    async def page(self, data_source_id: uuid.UUID, params: CursorParams) -> Page[Connector]:
        stmt = select(Connector).where(Connector.data_source_id == data_source_id)
        return await paginate(self.session, stmt, Connector.created_at, Connector.id, params)

    async def for_data_source(self, data_source_id: uuid.UUID) -> Sequence[Connector]:
        return (
            await self.session.scalars(select(Connector).where(Connector.data_source_id == data_source_id))
        ).all()

    def add(self, row: Connector) -> None:
        self.session.add(row)

    async def delete(self, row: Connector) -> None:
        await self.session.delete(row)
