"""`TokenService`: the one place that hands out a data source's credential, refreshing OAuth2
tokens when needed. Provider clients call it before each request (and once more, with
`force_refresh=True`, when the provider rejects the token).

Why it is built this way (linear.md 4, notion.md 5.4): refresh tokens rotate on every use, so two
refreshes with the same refresh token lose the data source (the second gets `invalid_grant`).
Hence:

- single-flight per data source: an in-process `asyncio.Lock` (callers in one process queue
  there) and, on PostgreSQL, `SELECT ... FOR UPDATE` on the data source row (processes queue
  there). After taking the locks the row is read again, so a waiter sees the pair the previous
  holder stored and does not refresh again;
- the new pair is committed before the access token is returned;
- the write is conditional on the sealed credentials being the ones that were read, so a
  concurrent re-authorization (or, on SQLite, another process's refresh) is never overwritten;
- `invalid_grant` first checks whether another process rotated the pair meanwhile (SQLite has
  no row lock across processes); only then is the data source marked `reauthorization_required`,
  in its own committed transaction, and `ReauthorizationRequired` raised.

Call it outside any open write transaction on the same database: on PostgreSQL a caller holding
the data source row locked would wait on itself.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.config import Settings
from breadbox.crypto import SecretBox
from breadbox.data_sources.models import DataSource
from breadbox.db.base import utcnow
from breadbox.db.session import Database
from breadbox.errors import NotFoundError
from breadbox.oauth.client import ProviderTokenError, TokenGrant, refresh
from breadbox.oauth.errors import ReauthorizationRequired, TokenRefreshError
from breadbox.oauth.grants import apply_grant, expires_at
from breadbox.oauth.locks import data_source_lock
from breadbox.oauth.providers import provider_for

REFRESH_MARGIN = timedelta(minutes=5)
REAUTHORIZATION_REQUIRED = "reauthorization_required"
# After an `invalid_grant` on SQLite, how long to look for a pair another process may be storing.
ROTATION_RECHECKS = 5
ROTATION_RECHECK_DELAY = 0.2

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class _Credential:
    """What one read of the data source row says about its credential."""

    data_source_id: uuid.UUID
    source_type: str
    auth_type: str | None
    auth_error: str | None
    sealed: bytes | None = field(repr=False)
    secrets: dict[str, Any] = field(repr=False)
    auth_info: dict[str, Any]


class TokenService:
    """Credentials for provider clients: the API key, or a fresh OAuth2 access token.

    Construct one per process (or per worker) with the app's `Database`, `SecretBox` and
    `Settings`; `clock` and `margin` are injectable so tests can stand at any moment."""

    def __init__(
        self,
        database: Database,
        box: SecretBox,
        settings: Settings,
        *,
        clock: Clock = utcnow,
        margin: timedelta = REFRESH_MARGIN,
    ) -> None:
        self.database = database
        self.box = box
        self.settings = settings
        self.clock = clock
        self.margin = margin

    async def access_token(
        self, data_source_id: uuid.UUID, *, force_refresh: bool = False, rejected_token: str | None = None
    ) -> str:
        """The credential to send for `data_source_id`.

        API-key data sources get their key. OAuth2 data sources get an access token valid for at
        least `margin` more (refreshed first if not). `force_refresh=True` is for a token the
        provider just rejected: it refreshes unless the stored token already differs from
        `rejected_token` (default: the token stored now), so N callers rejected at once cause
        one refresh.

        Raises `ReauthorizationRequired` (no tokens, no refresh token, `invalid_grant`, or already
        marked), `TokenRefreshError` (provider or network failure; `.retriable`),
        `OAuthNotConfiguredError` (client credentials missing) or `NotFoundError`."""
        current = await self._read(data_source_id)
        token = self._usable(current, force_refresh, rejected_token)
        if token is not None:
            return token
        if force_refresh and rejected_token is None:
            rejected_token = current.secrets.get("access_token")
        async with data_source_lock(data_source_id):
            return await self._refresh(data_source_id, force_refresh, rejected_token)

    # --- decisions ---------------------------------------------------------------------------

    def _usable(self, current: _Credential, force: bool, rejected: str | None) -> str | None:
        """The token to hand out as is, None when a refresh is due; raises when none can be had."""
        ds = current.data_source_id
        if current.auth_type == "api_key":
            key = current.secrets.get("api_key")
            if not isinstance(key, str) or not key:
                raise ReauthorizationRequired(ds, "its API key is missing")
            return key
        if current.auth_type != "oauth2":
            raise ReauthorizationRequired(ds, "it has no credentials")
        if current.auth_error == REAUTHORIZATION_REQUIRED:
            raise ReauthorizationRequired(ds, "the provider rejected its refresh token")
        access = current.secrets.get("access_token")
        if not isinstance(access, str) or not access:
            raise ReauthorizationRequired(ds, "it has not been authorized yet")
        if force:
            return access if rejected is not None and access != rejected else None
        expiry = expires_at(current.secrets)
        if expiry is not None and expiry - self.margin <= self.clock():
            return None
        return access

    # --- the locked refresh ------------------------------------------------------------------

    async def _refresh(self, data_source_id: uuid.UUID, force: bool, rejected: str | None) -> str:
        async with self.database.session() as session:
            current = await self._read_in(session, data_source_id, lock=True)
            token = self._usable(current, force, rejected)
            if token is not None:
                return token  # another holder of the lock refreshed while we waited
            refresh_token = current.secrets.get("refresh_token")
            if not isinstance(refresh_token, str) or not refresh_token:
                await self._mark_reauthorization(session, current)
                await session.commit()
                raise ReauthorizationRequired(data_source_id, "its token expired and it has no refresh token")
            provider = provider_for(self.settings, current.source_type)
            try:
                grant = await refresh(provider, refresh_token)
            except ProviderTokenError as exc:
                if exc.error != "invalid_grant":
                    raise TokenRefreshError(data_source_id, exc.reason, retriable=exc.retriable) from None
                rotated = await self._rotated_elsewhere(current)
                if rotated is not None:
                    return rotated
                await self._mark_reauthorization(session, current)
                await session.commit()
                raise ReauthorizationRequired(
                    data_source_id, "the provider rejected its refresh token (invalid_grant)"
                ) from None
            if await self._store(session, current, grant, refresh_token):
                return grant.access_token  # returned after the session block commits
        # Someone replaced the credentials while we refreshed: theirs are newer.
        newest = await self._read(data_source_id)
        return self._usable(newest, False, None) or str(newest.secrets.get("access_token"))

    async def _store(
        self, session: AsyncSession, current: _Credential, grant: TokenGrant, used_refresh_token: str
    ) -> bool:
        now = self.clock()
        created = current.auth_info.get("created_at")
        scratch = DataSource()
        apply_grant(
            scratch,
            self.box,
            grant,
            now=now,
            created_at=datetime.fromisoformat(created) if isinstance(created, str) else now,
            additional_params=current.auth_info.get("additional_params"),
            previous_refresh_token=used_refresh_token,
        )
        result = await session.execute(
            update(DataSource)
            .where(DataSource.id == current.data_source_id, DataSource.credentials == current.sealed)
            .values(
                auth_type="oauth2",
                credentials=scratch.credentials,
                auth_info=scratch.auth_info,
                auth_error=None,
                auth_updated_at=scratch.auth_updated_at,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def _mark_reauthorization(self, session: AsyncSession, current: _Credential) -> None:
        """Flag the data source, unless its credentials changed since we read them (a new
        authorization that happened meanwhile must not be flagged)."""
        await session.execute(
            update(DataSource)
            .where(DataSource.id == current.data_source_id, DataSource.credentials == current.sealed)
            .values(auth_error=REAUTHORIZATION_REQUIRED, auth_updated_at=self.clock())
            .execution_options(synchronize_session=False)
        )

    async def _rotated_elsewhere(self, current: _Credential) -> str | None:
        """The access token of a pair stored since `current` was read, if any.

        On PostgreSQL the row lock rules this out (one look suffices). On SQLite another process
        may have used the same refresh token a moment before us and not yet committed: look a few
        times before concluding the grant is dead."""
        attempts = ROTATION_RECHECKS if self.database.is_sqlite else 1
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(ROTATION_RECHECK_DELAY)
            latest = await self._read(current.data_source_id)
            if latest.sealed is not None and latest.sealed != current.sealed and latest.auth_type == "oauth2":
                access = latest.secrets.get("access_token")
                if isinstance(access, str) and access:
                    return access
        return None

    # --- reading -----------------------------------------------------------------------------

    async def _read(self, data_source_id: uuid.UUID) -> _Credential:
        async with self.database.session() as session:
            return await self._read_in(session, data_source_id, lock=False)

    async def _read_in(self, session: AsyncSession, data_source_id: uuid.UUID, *, lock: bool) -> _Credential:
        query = select(DataSource).where(DataSource.id == data_source_id)
        if lock:
            query = query.with_for_update()  # PostgreSQL only: SQLAlchemy omits it on SQLite
        row = await session.scalar(query.execution_options(populate_existing=True))
        if row is None:
            raise NotFoundError(f"Data source {data_source_id} not found", error_type="data_source_not_found")
        return _Credential(
            data_source_id=row.id,
            source_type=row.type,
            auth_type=row.auth_type,
            auth_error=row.auth_error,
            sealed=row.credentials,
            secrets=self.box.open(row.credentials) if row.credentials else {},
            auth_info=dict(row.auth_info or {}),
        )
