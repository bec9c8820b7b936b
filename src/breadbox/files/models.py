"""The `files` table: uploaded bytes and what we know about them.

The content lives in the database (a BLOB / bytea column) so that the embedded mode needs nothing
but its one SQLite file, and so that a file and the store files made from it commit together.
It is `deferred`: listing files never reads the bytes.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from breadbox.db.base import Base, TimestampedMixin, new_id


class File(TimestampedMixin, Base):
    __tablename__ = "files"
    __table_args__ = (Index("ix_files_org_created", "organization_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(1024))
    mime_type: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column("bytes")
    version: Mapped[int] = mapped_column(default=1)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
