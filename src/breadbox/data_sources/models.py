"""Data source rows. Secrets live only in `credentials` (sealed by the secret box); everything a
response may show about them lives in `auth_info`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from breadbox.db.base import Base, JSONType, TimestampedMixin, new_id


class DataSource(TimestampedMixin, Base):
    __tablename__ = "data_sources"
    __table_args__ = (Index("ix_data_sources_org_created", "organization_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(500))
    metadata_: Mapped[Any] = mapped_column("metadata", JSONType, nullable=True)
    auth_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    credentials: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    auth_info: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    auth_error: Mapped[str | None] = mapped_column(String(100), nullable=True)
    auth_updated_at: Mapped[datetime | None] = mapped_column(nullable=True)
