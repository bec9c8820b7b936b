"""SQL for files; every query is scoped to an organization.

Writes go through `insert_many` / `delete_many`: one Core statement per batch (an `executemany`),
shared by API uploads (a batch of one) and the sync sink.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.files.models import File
from breadbox.pagination import CursorParams, Page, paginate

FILES = cast(Table, File.__table__)


class FileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert complete rows (keys are column names, e.g. `bytes`) in one statement."""
        if rows:
            await self.session.execute(insert(FILES), list(rows))

    async def get(self, organization_id: uuid.UUID, file_id: uuid.UUID) -> File | None:
        stmt = select(File).where(File.organization_id == organization_id, File.id == file_id)
        return (await self.session.scalars(stmt)).one_or_none()

    async def content(self, file_id: uuid.UUID) -> bytes:
        return (await self.session.scalars(select(File.content).where(File.id == file_id))).one()

    async def page(self, organization_id: uuid.UUID, params: CursorParams, q: str | None) -> Page[File]:
        stmt = select(File).where(File.organization_id == organization_id)
        if q:
            stmt = stmt.where(or_(File.filename.ilike(f"%{q}%")))
        return await paginate(self.session, stmt, File.created_at, File.id, params)

    async def delete_many(self, file_ids: Sequence[uuid.UUID]) -> None:
        """Store files made from these files go with them (ON DELETE CASCADE)."""
        for start in range(0, len(file_ids), IN_LIST_SIZE):
            part = list(file_ids[start : start + IN_LIST_SIZE])
            await self.session.execute(delete(FILES).where(FILES.c.id.in_(part)))


# Bound parameters per IN list: far below SQLite's limit (32,766), large enough for one batch.
IN_LIST_SIZE = 500
