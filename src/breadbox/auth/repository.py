"""SQL for organizations and API keys."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.auth.models import ApiKey, Organization


class OrganizationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_name(self, name: str) -> Organization | None:
        return await self.session.scalar(select(Organization).where(Organization.name == name))

    async def get_or_create(self, name: str) -> Organization:
        org = await self.get_by_name(name)
        if org is None:
            org = Organization(name=name)
            self.session.add(org)
            await self.session.flush()
        return org

    async def get(self, org_id: uuid.UUID) -> Organization | None:
        return await self.session.get(Organization, org_id)


class ApiKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_lookup(self, lookup: str) -> ApiKey | None:
        return await self.session.scalar(select(ApiKey).where(ApiKey.lookup == lookup))

    async def get(self, organization_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
        return await self.session.scalar(
            select(ApiKey).where(ApiKey.id == key_id, ApiKey.organization_id == organization_id)
        )

    async def list(self, organization_id: uuid.UUID | None, limit: int, offset: int) -> Sequence[ApiKey]:
        stmt = select(ApiKey).order_by(ApiKey.created_at.desc(), ApiKey.id.desc()).limit(limit).offset(offset)
        if organization_id is not None:
            stmt = stmt.where(ApiKey.organization_id == organization_id)
        return (await self.session.scalars(stmt)).all()

    async def count(self, organization_id: uuid.UUID | None) -> int:
        stmt = select(func.count()).select_from(ApiKey)
        if organization_id is not None:
            stmt = stmt.where(ApiKey.organization_id == organization_id)
        return int(await self.session.scalar(stmt) or 0)

    async def any_active(self) -> bool:
        return (
            await self.session.scalar(select(ApiKey.id).where(ApiKey.revoked_at.is_(None)).limit(1))
        ) is not None

    def add(self, key: ApiKey) -> None:
        self.session.add(key)

    async def delete(self, key: ApiKey) -> None:
        await self.session.delete(key)
