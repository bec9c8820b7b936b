"""Stores, the files attached to them, and the chunks search runs over.

`file_counts` and `usage_bytes` are not columns: they are aggregated from `store_files` when a
store is read, so no code path can forget to update them and concurrent ingests into one store do
not contend on its row.

A store file is identified in the API by the ID of the file it was made from (the SDK polls
`stores.files.retrieve(file_id)` right after uploading); `id` is an internal surrogate key.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from breadbox.db.base import Base, JSONType, TimestampedMixin, new_id

# The chunk key is SQLite's rowid (FTS5 `content_rowid` needs an INTEGER PRIMARY KEY).
ChunkId = BigInteger().with_variant(Integer(), "sqlite")


class Store(TimestampedMixin, Base):
    __tablename__ = "stores"
    __table_args__ = (
        UniqueConstraint("organization_id", "name", name="uq_stores_org_name"),
        Index("ix_stores_org_created", "organization_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(String(256), nullable=True)
    is_public: Mapped[bool] = mapped_column(default=False)
    license: Mapped[str | None] = mapped_column(Text, nullable=True)
    metadata_: Mapped[Any] = mapped_column("metadata", JSONType, nullable=True)
    config: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    expires_after: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    last_active_at: Mapped[datetime | None] = mapped_column(nullable=True)


class StoreFile(TimestampedMixin, Base):
    __tablename__ = "store_files"
    __table_args__ = (
        UniqueConstraint("store_id", "file_id", name="uq_store_files_store_file"),
        UniqueConstraint("store_id", "external_id", name="uq_store_files_store_external"),
        Index("ix_store_files_store_created", "store_id", "created_at", "file_id"),
        Index("ix_store_files_store_status", "store_id", "status"),
        Index("ix_store_files_store_connector", "store_id", "connector_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(1024))
    external_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    # Which connector wrote this file through the sink (None for files added through the API).
    connector_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    metadata_: Mapped[Any] = mapped_column("metadata", JSONType, nullable=True)
    config: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    last_error: Mapped[Any] = mapped_column(JSONType, nullable=True)
    version: Mapped[int] = mapped_column(default=1)
    usage_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    usage_tokens: Mapped[int] = mapped_column(BigInteger, default=0)


class StoreChunk(Base):
    """One searchable piece of a store file. `context` (title and heading path) is indexed with a
    lower weight but not returned; `store_id` is copied from the store file so search can restrict
    by store before joining."""

    __tablename__ = "store_chunks"
    __table_args__ = (Index("ix_store_chunks_store_file", "store_file_id", "chunk_index"),)

    id: Mapped[int] = mapped_column(ChunkId, primary_key=True, autoincrement=True)
    store_file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("store_files.id", ondelete="CASCADE"))
    store_id: Mapped[uuid.UUID] = mapped_column(index=True)
    chunk_index: Mapped[int]
    offset: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    context: Mapped[str] = mapped_column(Text, default="")
    generated_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
