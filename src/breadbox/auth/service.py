"""API key rules, shared by the HTTP API and the CLI (one service for every entry point), and the
authentication of a bearer value (`Authenticator`, HTTP only)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.auth import keys
from breadbox.auth.cache import CachedKey, PrincipalCache, principals
from breadbox.auth.models import ApiKey, Organization
from breadbox.auth.repository import ApiKeyRepository, OrganizationRepository
from breadbox.auth.scopes import Principal, Scope
from breadbox.db.base import utcnow
from breadbox.db.session import Database
from breadbox.errors import AuthenticationError, ConflictError, NotFoundError
from breadbox.validation import invalid

DEFAULT_ORGANIZATION = "default"
# `last_active_at` is refreshed at most this often, so reads do not turn into writes.
ACTIVITY_RESOLUTION = timedelta(seconds=60)


class Authenticator:
    """The principal for a bearer value; every failure looks the same to the caller.

    Answered from the principal cache when it can (`breadbox.auth.cache` documents what that keeps
    exact and what it delays), else by one read of the key through the fast read path. The write of
    `last_active_at` happens at most once per `ACTIVITY_RESOLUTION` per key, in a transaction of its
    own that only writes when the stored value is that old (so several processes together still
    write it at most once per window)."""

    def __init__(self, database: Database, cache: PrincipalCache = principals) -> None:
        self.database = database
        self.cache = cache

    async def authenticate(self, value: str | None) -> Principal:
        lookup = keys.lookup_of(value or "")
        if value is None or lookup is None:
            raise AuthenticationError("Invalid or missing API key")
        digest = keys.hash_value(value)
        reader = self.database.reader
        version = await reader.version() if reader is not None else None
        entry = self.cache.get(digest, version)
        if entry is None:
            generation = self.cache.generation
            entry = await self._load(value, lookup, version)
            self.cache.put(digest, entry, generation)
        now = utcnow()
        if entry.expires_at is not None and entry.expires_at <= now:
            raise AuthenticationError("This API key has expired")
        if entry.last_active_at is None or now - entry.last_active_at > ACTIVITY_RESOLUTION:
            self.cache.touched(digest, now)  # first, so concurrent requests do not write too
            await ApiKeyRepository.record_activity(
                self.database, entry.key_id, now, now - ACTIVITY_RESOLUTION
            )
        return entry.principal

    async def _load(self, value: str, lookup: str, version: int | None) -> CachedKey:
        row = await ApiKeyRepository.credentials(self.database, lookup)
        if row is None or not keys.matches(value, row.secret_hash):
            raise AuthenticationError("Invalid or missing API key")
        if row.revoked_at is not None:
            raise AuthenticationError("This API key has been revoked")
        scope = tuple(Scope.model_validate(s) for s in row.scope) if row.scope is not None else None
        return CachedKey(
            principal=Principal(organization_id=row.organization_id, api_key_id=row.id, scope=scope),
            key_id=row.id,
            expires_at=row.expires_at,
            last_active_at=row.last_active_at,
            version=version,
            loaded_at=time.monotonic(),
        )


class ApiKeyService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.keys = ApiKeyRepository(session)
        self.organizations = OrganizationRepository(session)

    async def create(
        self,
        organization_id: uuid.UUID,
        name: str,
        scope: list[Scope] | None = None,
        expires_at: datetime | None = None,
    ) -> tuple[ApiKey, str]:
        """A new key and its value, which is shown this once and never stored."""
        _check_expiry(expires_at)
        material = keys.generate()
        row = ApiKey(
            organization_id=organization_id,
            name=name,
            lookup=material.lookup,
            secret_hash=material.secret_hash,
            last_four=material.last_four,
            scope=_scope_json(scope),
            expires_at=expires_at,
        )
        self.keys.add(row)
        await self.session.flush()
        return row, material.value

    async def create_for_organization(self, organization: str, name: str) -> tuple[Organization, ApiKey, str]:
        org = await self.organizations.get_or_create(organization)
        row, value = await self.create(org.id, name)
        return org, row, value

    async def get(self, organization_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
        row = await self.keys.get(organization_id, key_id)
        if row is None:
            raise NotFoundError(f"API key {key_id} not found")
        return row

    async def list(
        self, organization_id: uuid.UUID | None, limit: int, offset: int
    ) -> tuple[list[ApiKey], int]:
        rows = await self.keys.list(organization_id, limit, offset)
        return list(rows), await self.keys.count(organization_id)

    async def update(self, organization_id: uuid.UUID, key_id: uuid.UUID, changes: dict[str, Any]) -> ApiKey:
        row = await self.get(organization_id, key_id)
        if "name" in changes and changes["name"] is not None:
            row.name = changes["name"]
        if "expires_at" in changes:
            _check_expiry(changes["expires_at"])
            row.expires_at = changes["expires_at"]
        row.updated_at = utcnow()
        await self.session.flush()
        self._forget(row.id)
        return row

    async def delete(self, organization_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
        row = await self.get(organization_id, key_id)
        await self.keys.delete(row)
        await self.session.flush()
        self._forget(row.id)
        return row

    async def revoke(self, organization_id: uuid.UUID | None, key_id: uuid.UUID) -> ApiKey:
        row = await (
            self.keys.get(organization_id, key_id) if organization_id else self.session.get(ApiKey, key_id)
        )
        if row is None:
            raise NotFoundError(f"API key {key_id} not found")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            row.updated_at = row.revoked_at
        await self.session.flush()
        self._forget(row.id)
        return row

    async def reroll(self, organization_id: uuid.UUID, key_id: uuid.UUID) -> tuple[ApiKey, str]:
        """A new value for the same key (same id, name, scope); the old value stops working at once."""
        row = await self.get(organization_id, key_id)
        if row.revoked_at is not None:
            raise ConflictError("A revoked API key cannot be rerolled; create a new one")
        material = keys.generate()
        row.lookup, row.secret_hash, row.last_four = material.lookup, material.secret_hash, material.last_four
        row.updated_at = utcnow()
        await self.session.flush()
        self._forget(row.id)
        return row, material.value

    async def any_active(self) -> bool:
        return await self.keys.any_active()

    def _forget(self, key_id: uuid.UUID) -> None:
        """Drop the key from this process's principal cache now and again once the change commits
        (a request that read the key in between must not keep the old state: see the cache)."""
        principals.forget(key_id)
        event.listen(
            self.session.sync_session, "after_commit", lambda _: principals.forget(key_id), once=True
        )


def _check_expiry(expires_at: datetime | None) -> None:
    if expires_at is None:
        return
    aware = expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=UTC)
    if aware <= utcnow():
        invalid(("body", "expires_at"), "expires_at must be in the future", expires_at.isoformat())


def _scope_json(scope: list[Scope] | None) -> list[dict[str, Any]] | None:
    if scope is None:
        return None
    return [s.model_dump(mode="json") for s in scope]
