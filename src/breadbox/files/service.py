"""File rules: the size limit, a clean MIME type, organization scoping."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.db.base import new_id, utcnow
from breadbox.errors import BadRequestError, NotFoundError, PayloadTooLargeError
from breadbox.files.models import File
from breadbox.files.repository import FileRepository
from breadbox.files.schemas import FileObject
from breadbox.pagination import CursorParams, Page
from breadbox.stores.ingest import clean_mime_type

DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024


def too_large(size: int, limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"File is {size} bytes; the limit is {limit} bytes (BREADBOX_MAX_FILE_BYTES)",
        error_type="file_too_large",
    )


class FileService:
    def __init__(self, session: AsyncSession, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> None:
        self.session = session
        self.max_file_bytes = max_file_bytes
        self.repository = FileRepository(session)

    def new_row(
        self, organization_id: uuid.UUID, filename: str | None, mime_type: str | None, data: bytes
    ) -> dict[str, Any]:
        """A complete `files` row for these bytes, or the 413/400 that refuses them (nothing written)."""
        if len(data) > self.max_file_bytes:
            raise too_large(len(data), self.max_file_bytes)
        if not data:
            raise BadRequestError("The uploaded file is empty", error_type="empty_file")
        now = utcnow()
        return {
            "id": new_id(),
            "organization_id": organization_id,
            "filename": (filename or "").strip() or "upload",
            "mime_type": clean_mime_type(mime_type),
            "bytes": len(data),
            "version": 1,
            "content": data,
            "created_at": now,
            "updated_at": now,
        }

    async def create(
        self, organization_id: uuid.UUID, filename: str | None, mime_type: str | None, data: bytes
    ) -> File:
        row = self.new_row(organization_id, filename, mime_type, data)
        await self.repository.insert_many([row])
        created = await self.session.get(File, row["id"])
        assert created is not None
        return created

    async def get(self, organization_id: uuid.UUID, file_id: uuid.UUID) -> File:
        row = await self.repository.get(organization_id, file_id)
        if row is None:
            raise NotFoundError(f"File {file_id} not found", error_type="file_not_found")
        return row

    async def content(self, organization_id: uuid.UUID, file_id: uuid.UUID) -> tuple[File, bytes]:
        row = await self.get(organization_id, file_id)
        return row, await self.repository.content(row.id)

    async def read(self, file_id: uuid.UUID) -> bytes:
        """The bytes of a file already checked to belong to the caller's organization."""
        return await self.repository.content(file_id)

    async def list(
        self, organization_id: uuid.UUID, params: CursorParams, q: str | None = None
    ) -> Page[File]:
        return await self.repository.page(organization_id, params, q)

    async def delete(self, organization_id: uuid.UUID, file_id: uuid.UUID) -> File:
        """Deleting a file removes it from every store it was added to (the database cascades)."""
        row = await self.get(organization_id, file_id)
        await self.repository.delete_many([row.id])
        return row


def to_schema(row: File) -> FileObject:
    return FileObject(
        id=str(row.id),
        filename=row.filename,
        bytes=row.size_bytes,
        mime_type=row.mime_type,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
