"""Connector rows: configuration, and the live state of their sync (status, timings, error)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from breadbox.db.base import Base, JSONType, TimestampedMixin, new_id


class Connector(TimestampedMixin, Base):
    __tablename__ = "connectors"
    __table_args__ = (
        Index("ix_connectors_ds_created", "data_source_id", "created_at", "id"),
        Index("ix_connectors_next_sync", "next_sync_at"),
        Index("ix_connectors_store", "organization_id", "store_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    data_source_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("data_sources.id", ondelete="CASCADE"))
    store_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))
    metadata_: Mapped[Any] = mapped_column("metadata", JSONType, nullable=True)
    polling_interval: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default="idle")
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_synced_at: Mapped[datetime | None] = mapped_column(nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    next_sync_at: Mapped[datetime | None] = mapped_column(nullable=True)
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
