"""The declarative base and the column types every feature's models share.

Both backends must behave the same: timestamps are stored as timezone-aware UTC on PostgreSQL and
as ISO text on SQLite (through `UTCDateTime`), UUIDs as native `uuid` / 36-char text, JSON as
JSONB / JSON text.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_datetime(value: Any) -> datetime | None:
    """A datetime kept in a JSON column (ISO text) back as a datetime; None stays None."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _same_as_created(context: Any) -> datetime:
    """A new row's `updated_at` equals its `created_at` exactly."""
    value = context.get_current_parameters().get("created_at")
    return value if isinstance(value, datetime) else utcnow()


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime that always comes back timezone-aware in UTC, on either backend.

    SQLite has no timezone type; without this, values read back naive and comparisons with
    aware datetimes raise.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSONType,
    }


class TimestampedMixin:
    """`created_at` / `updated_at`, set by Python so both backends agree to the microsecond.

    `updated_at` has no `onupdate`: services set it when a user-visible change happens, so
    bookkeeping writes (a key's `last_active_at`) do not move it.
    """

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=_same_as_created)


def new_id() -> uuid.UUID:
    return uuid.uuid4()
