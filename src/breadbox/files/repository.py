"""SQL for files; every query is scoped to an organization."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.files.models import File
from breadbox.pagination import CursorParams, Page, paginate


class FileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: File) -> None:
        self.session.add(row)

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

    async def delete(self, file_id: uuid.UUID) -> None:
        await self.session.execute(delete(File).where(File.id == file_id))
