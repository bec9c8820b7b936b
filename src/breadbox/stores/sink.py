"""The sink port the sync engine writes documents into, and its first adapter: the local store.

A sink is bound to one store and one connector. The engine upserts documents by external ID,
deletes the ones that disappeared at the source, and asks which external IDs the connector owns
(to find deletions). A later adapter will implement the same port against hosted Mixedbread stores.

Per-document refusals (a type the store cannot index: 415, a file over the size limit: 413) are
raised as `BreadboxError`s before anything is written, so the engine can record them as item
failures and carry on; unreadable content is stored as a `failed` store file, like an API upload.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.files.repository import FileRepository
from breadbox.files.service import DEFAULT_MAX_FILE_BYTES
from breadbox.stores.models import Store, StoreFile
from breadbox.stores.service import DEFAULT_CHUNK_SIZE, StoreService

UpsertOutcome = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class SinkDocument:
    external_id: str
    content: str
    filename: str
    metadata: dict[str, Any] | None = None
    mime_type: str = "text/markdown"
    # Supplied by the engine when it has a cheaper one; otherwise derived from what is stored.
    content_hash: str | None = None

    def digest(self) -> str:
        if self.content_hash:
            return self.content_hash
        h = hashlib.sha256()
        for part in (self.filename, self.mime_type, json.dumps(self.metadata, sort_keys=True, default=str)):
            h.update(part.encode())
            h.update(b"\0")
        h.update(self.content.encode())
        return h.hexdigest()


class DocumentSink(Protocol):
    async def upsert(self, document: SinkDocument) -> UpsertOutcome:
        """Create or replace the document with this external ID; unchanged content is a no-op."""
        ...

    async def delete(self, external_id: str) -> bool:
        """Remove the document; False when there was none."""
        ...

    async def external_ids(self) -> set[str]:
        """External IDs of every document this sink's connector wrote to the store."""
        ...

    async def delete_all(self) -> int:
        """Remove every document of this sink's connector (when the connector is deleted)."""
        ...


class LocalStoreSink:
    """Writes into an embedded store inside the caller's transaction (the engine commits per batch)."""

    def __init__(
        self,
        session: AsyncSession,
        organization_id: uuid.UUID,
        store: Store,
        connector_id: str,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    ) -> None:
        self.session = session
        self.organization_id = organization_id
        self.store = store
        self.connector_id = connector_id
        self.service = StoreService(session, chunk_size=chunk_size, max_file_bytes=max_file_bytes)

    @classmethod
    async def open(
        cls,
        session: AsyncSession,
        organization_id: uuid.UUID,
        store_identifier: str,
        connector_id: str,
        **kwargs: Any,
    ) -> LocalStoreSink:
        """Resolve the store (ID or name, 404 when it is not the organization's) and bind a sink to it."""
        store = await StoreService(session).resolve(organization_id, store_identifier)
        return cls(session, organization_id, store, connector_id, **kwargs)

    async def upsert(self, document: SinkDocument) -> UpsertOutcome:
        digest = document.digest()
        existing = await self.service.store_files.by_external_id(self.store.id, document.external_id)
        if existing is not None and existing.content_hash == digest and existing.status == "completed":
            return "unchanged"
        data = document.content.encode()
        file = await self.service.files.create(
            self.organization_id, document.filename, document.mime_type, data
        )
        if existing is not None:
            await self._drop(existing)
        await self.service.ingest(
            self.store,
            file,
            metadata=document.metadata,
            external_id=document.external_id,
            overwrite=True,
            data=data,
            connector_id=self.connector_id,
            content_hash=digest,
        )
        return "created" if existing is None else "updated"

    async def delete(self, external_id: str) -> bool:
        existing = await self.service.store_files.by_external_id(self.store.id, external_id)
        if existing is None:
            return False
        await self._drop(existing)
        return True

    async def external_ids(self) -> set[str]:
        return await self.service.store_files.external_ids(self.store.id, self.connector_id)

    async def delete_all(self) -> int:
        rows = await self.service.store_files.owned_by(self.store.id, self.connector_id)
        for row in rows:
            await self._drop(row)
        return len(rows)

    async def _drop(self, row: StoreFile) -> None:
        """Remove a store file; the file object goes too when this connector created it."""
        file_id, owned = row.file_id, row.connector_id == self.connector_id
        await self.service.store_files.delete(row)
        if owned:
            await FileRepository(self.session).delete(file_id)
