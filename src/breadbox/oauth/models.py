"""Pending authorizations. The `state` a browser carries is never stored: only its SHA-256, so a
read of this table cannot be replayed as a callback. The PKCE verifier is a secret too (with the
code it redeems tokens), so it is sealed by the secret box."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from breadbox.db.base import Base, new_id, utcnow


class OAuthState(Base):
    __tablename__ = "oauth_states"
    __table_args__ = (
        Index("ix_oauth_states_state_hash", "state_hash", unique=True),
        Index("ix_oauth_states_expires_at", "expires_at"),
        Index("ix_oauth_states_data_source", "data_source_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    state_hash: Mapped[str] = mapped_column(String(64))
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    # Deleting the data source deletes its pending authorizations: their callback then answers 404.
    data_source_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("data_sources.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(20))
    # The exact redirect URI sent to the provider; the token request must repeat it byte for byte.
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    code_verifier: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(nullable=True)
