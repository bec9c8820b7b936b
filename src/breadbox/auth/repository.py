"""SQL for organizations and API keys."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import String, Uuid, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.auth.models import ApiKey, Organization
from breadbox.db.base import UTCDateTime
from breadbox.db.session import Database


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


class KeyCredentials(NamedTuple):
    """What authentication needs of a key row, read as a Core row."""

    id: uuid.UUID
    organization_id: uuid.UUID
    secret_hash: str
    scope: list[dict[str, Any]] | None
    expires_at: datetime | None
    last_active_at: datetime | None
    revoked_at: datetime | None


_k = ApiKey.__table__
_BY_LOOKUP = select(
    _k.c.id,
    _k.c.organization_id,
    _k.c.secret_hash,
    _k.c.scope,
    _k.c.expires_at,
    _k.c.last_active_at,
    _k.c.revoked_at,
).where(_k.c.lookup == bindparam("lookup", type_=String()))
_ACTIVITY = (
    update(ApiKey)
    .where(
        ApiKey.id == bindparam("key_id", type_=Uuid()),
        or_(ApiKey.last_active_at.is_(None), ApiKey.last_active_at < bindparam("stale", type_=UTCDateTime())),
    )
    .values(last_active_at=bindparam("now", type_=UTCDateTime()))
)


class ApiKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    async def credentials(database: Database, lookup: str) -> KeyCredentials | None:
        """The key with this lookup part, through the fast read path (authentication happens before,
        and outside, the request's unit of work)."""
        rows = await database.read_all(_BY_LOOKUP, {"lookup": lookup})
        return KeyCredentials._make(rows[0]) if rows else None

    @staticmethod
    async def record_activity(database: Database, key_id: uuid.UUID, now: datetime, stale: datetime) -> None:
        """Set `last_active_at` to `now` unless it is already more recent than `stale`, in a short
        transaction of its own (so a read-only request stays free of writes otherwise)."""
        async with database.engine.begin() as conn:
            await conn.execute(_ACTIVITY, {"key_id": key_id, "now": now, "stale": stale})

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
