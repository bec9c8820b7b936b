"""SQL for pending authorizations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.oauth.models import OAuthState


class OAuthStateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: OAuthState) -> None:
        self.session.add(row)

    async def purge_expired(self, now: datetime) -> None:
        """Expired states can never be used; dropping them keeps the table to live authorizations."""
        await self.session.execute(delete(OAuthState).where(OAuthState.expires_at < now))

    async def claim(self, state_hash: str, now: datetime) -> OAuthState | None:
        """Mark the state used and return it, or None when it is unknown, expired or already used.

        One conditional UPDATE decides, so two callbacks racing with the same state (in any number
        of processes, on either backend) cannot both win."""
        result = await self.session.execute(
            update(OAuthState)
            .where(
                OAuthState.state_hash == state_hash,
                OAuthState.used_at.is_(None),
                OAuthState.expires_at > now,
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return await self.session.scalar(select(OAuthState).where(OAuthState.state_hash == state_hash))
