"""The authorization flow: issue a state and the provider's URL, then complete the callback.

`start` runs inside the request's transaction (committed at the edge). `complete` manages its own
short transactions on purpose: the state must be spent (committed) before the code exchange even
if the exchange then fails, and no transaction may stay open across the provider round trip.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.config import Settings
from breadbox.crypto import SecretBox
from breadbox.data_sources.models import DataSource
from breadbox.data_sources.repository import DataSourceRepository
from breadbox.db.base import utcnow
from breadbox.db.session import Database
from breadbox.errors import NotFoundError
from breadbox.oauth import client
from breadbox.oauth.errors import (
    AuthTypeNotSupportedError,
    InvalidStateError,
    ProviderAuthorizationError,
    TokenExchangeError,
)
from breadbox.oauth.grants import apply_grant, notion_params
from breadbox.oauth.locks import data_source_lock
from breadbox.oauth.models import OAuthState
from breadbox.oauth.providers import OAuthProvider, provider_for, redirect_uri
from breadbox.oauth.repository import OAuthStateRepository
from breadbox.oauth.tokens import Clock
from breadbox.sync.service import SyncRequests

log = logging.getLogger("breadbox.oauth")

STATE_TTL = timedelta(minutes=10)
STATE_BYTES = 32  # 256 bits; the issue asks for at least 128
VERIFIER_BYTES = 48  # 64 URL-safe characters, inside RFC 7636's 43..128


def hash_state(state: str) -> str:
    """Only this digest is stored: a leaked table row cannot be replayed as a callback."""
    return hashlib.sha256(state.encode()).hexdigest()


@dataclass(frozen=True)
class AuthorizationStart:
    url: str
    expires_at: datetime


class OAuthService:
    def __init__(self, box: SecretBox, settings: Settings, *, clock: Clock = utcnow) -> None:
        self.box = box
        self.settings = settings
        self.clock = clock

    async def start(
        self, session: AsyncSession, organization_id: uuid.UUID, data_source_id: uuid.UUID
    ) -> AuthorizationStart:
        """A fresh single-use state for this data source and the provider URL that carries it."""
        row = await DataSourceRepository(session).get(organization_id, data_source_id)
        if row is None:
            raise NotFoundError(f"Data source {data_source_id} not found", error_type="data_source_not_found")
        if row.auth_type != "oauth2":
            current = f"'{row.auth_type}'" if row.auth_type else "no"
            raise AuthTypeNotSupportedError(
                f"Data source {data_source_id} uses {current} authentication; set its auth_params "
                'to {"type": "oauth2"} to authorize it with OAuth2'
            )
        provider = provider_for(self.settings, row.type)
        state = secrets.token_urlsafe(STATE_BYTES)
        verifier = secrets.token_urlsafe(VERIFIER_BYTES) if provider.pkce else None
        callback = redirect_uri(self.settings)
        now = self.clock()
        states = OAuthStateRepository(session)
        await states.purge_expired(now)
        expires = now + STATE_TTL
        states.add(
            OAuthState(
                state_hash=hash_state(state),
                organization_id=organization_id,
                data_source_id=row.id,
                provider=provider.name,
                redirect_uri=callback,
                code_verifier=self.box.seal({"code_verifier": verifier}) if verifier else None,
                created_at=now,
                expires_at=expires,
            )
        )
        await session.flush()
        return AuthorizationStart(client.authorization_url(provider, callback, state, verifier), expires)

    async def complete(
        self,
        database: Database,
        *,
        state: str,
        code: str | None,
        error: str | None,
        error_description: str | None,
    ) -> uuid.UUID:
        """Spend the state, exchange the code and store the tokens; the data source's id.

        Order matters: the state is checked (and spent) first, so an unauthenticated request
        learns nothing; a provider `error` ends the attempt; a failed exchange stores nothing."""
        pending = await self._claim(database, state)
        if error:
            raise ProviderAuthorizationError(error, error_description)
        if not code:
            raise TokenExchangeError("The callback carries neither a code nor an error")
        async with database.session() as session:
            row = await session.get(DataSource, pending.data_source_id)
            if row is None:
                raise InvalidStateError()
            self._ensure_oauth2(row)
            provider = provider_for(self.settings, row.type)
        verifier = self.box.open(pending.code_verifier)["code_verifier"] if pending.code_verifier else None
        try:
            grant = await client.exchange_code(provider, code, pending.redirect_uri, verifier)
        except client.ProviderTokenError as exc:
            log.warning(
                "oauth2 code exchange failed data_source=%s provider=%s error=%s",
                pending.data_source_id,
                provider.name,
                exc.error,
            )
            raise TokenExchangeError(
                f"The provider did not exchange the authorization code: {exc.reason}"
            ) from None
        additional = await self._additional_params(provider, grant)
        async with data_source_lock(pending.data_source_id), database.session() as session:
            row = await DataSourceRepository(session).get_for_update(pending.data_source_id)
            if row is None:
                raise InvalidStateError()
            self._ensure_oauth2(row)
            now = self.clock()
            apply_grant(row, self.box, grant, now=now, created_at=now, additional_params=additional)
            row.updated_at = now
            await SyncRequests(session).resume_after_reauthorization(row.id)
        log.info(
            "oauth2 authorization stored data_source=%s provider=%s", pending.data_source_id, provider.name
        )
        return pending.data_source_id

    async def _claim(self, database: Database, state: str) -> OAuthState:
        async with database.session() as session:
            pending = await OAuthStateRepository(session).claim(hash_state(state), self.clock())
        if pending is None:
            raise InvalidStateError()
        return pending

    @staticmethod
    def _ensure_oauth2(row: DataSource) -> None:
        if row.auth_type != "oauth2":
            raise AuthTypeNotSupportedError(
                f"Data source {row.id} no longer uses OAuth2 authentication; nothing was stored"
            )

    @staticmethod
    async def _additional_params(provider: OAuthProvider, grant: client.TokenGrant) -> dict[str, Any] | None:
        if provider.name == "notion":
            return notion_params(grant)
        return await client.linear_organization(provider.api_url, grant.access_token)


async def page_status(database: Database, data_source_id: uuid.UUID) -> tuple[str, str, str] | None:
    """(name, type, status) for the connected page; no secrets, no organization check (see routes)."""
    async with database.session() as session:
        row = await session.get(DataSource, data_source_id)
    if row is None:
        return None
    if row.auth_type == "oauth2" and row.credentials and not row.auth_error:
        status = "connected"
    elif row.auth_error:
        status = "needs to be authorized again"
    elif row.auth_type == "api_key":
        status = "connected with an API key"
    else:
        status = "not connected yet"
    return row.name, row.type, status
