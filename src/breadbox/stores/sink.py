"""The sink port the sync engine writes documents into, and its first adapter: the local store.

A sink is bound to one store and one connector. The engine upserts documents by external ID,
deletes the ones that disappeared at the source, and asks which external IDs the connector owns
(to find deletions). A later adapter will implement the same port against hosted Mixedbread stores.

`upsert_many(documents) -> list[UpsertOutcome]` is the write path (`upsert` is a batch of one):

- Outcomes are aligned with `documents` and are what upserting them one by one, in order, would
  report: `created` (no live store file had the external ID), `updated` (content, filename, MIME
  type or metadata changed, or the stored version had not completed), `unchanged` (same content
  hash and `completed`: nothing is written, a no-op).
- An external ID given more than once in a batch: the last occurrence wins; only it is written
  (unless it is unchanged); earlier ones are reported as above.
- A replaced document is removed (store file, chunks, index entries, and the file object when
  this connector created it) and its new version inserted in the same transaction, so searchers
  see the old version or the new one, never neither or both.
- Refusals are all-or-nothing: every document is checked (`check`: 415 unsupported type,
  413 over the size limit, 400 empty) before anything is written; the first refusal is raised as
  its `BreadboxError`, with a note naming its position and external ID, and nothing of the batch
  is written. Call `check(doc)` per document first to set refused ones aside as item failures.
- Content of a supported type that cannot be read (not UTF-8, invalid JSON) is stored as a
  `failed` store file with `last_error`, like an API upload; it does not fail the batch.
- Writes happen in the caller's transaction (the engine commits per batch). Any other error
  (database, a concurrent writer winning the unique external ID: 409) propagates mid-batch and
  the caller must roll back, which leaves nothing of the batch; the `Database.session()` block
  does that.
- Cost: one SELECT for the stored hashes, one DELETE per table for replaced versions, and one
  `executemany` INSERT each for files, store files and chunks, whatever the batch size.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.errors import BadRequestError, BreadboxError
from breadbox.files.service import DEFAULT_MAX_FILE_BYTES, too_large
from breadbox.stores.ingest import Kind, detect_kind
from breadbox.stores.models import Store
from breadbox.stores.repository import StoredVersion
from breadbox.stores.service import DEFAULT_CHUNK_SIZE, NewStoreFile, StoreService

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

    async def upsert_many(self, documents: Sequence[SinkDocument]) -> list[UpsertOutcome]:
        """`upsert` for a batch, all or nothing; outcomes aligned with `documents`."""
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

    def check(self, document: SinkDocument) -> Kind:
        """The kind of content the store will index, or the refusal `upsert_many` would raise for it
        (415 unsupported type, 413 too large, 400 empty). Writes nothing; lets a caller set aside
        refused documents one by one before writing a batch."""
        if not document.content:
            raise BadRequestError("The uploaded file is empty", error_type="empty_file")
        kind = detect_kind(document.filename, document.mime_type)
        size = len(document.content.encode())
        if size > self.service.max_file_bytes:
            raise too_large(size, self.service.max_file_bytes)
        return kind

    async def upsert(self, document: SinkDocument) -> UpsertOutcome:
        """`upsert_many` with one document."""
        return (await self.upsert_many([document]))[0]

    async def upsert_many(self, documents: Sequence[SinkDocument]) -> list[UpsertOutcome]:
        """Create or replace documents by external ID; see the module docstring for the contract."""
        if not documents:
            return []
        kinds: list[Kind] = []
        for position, document in enumerate(documents):
            try:
                kinds.append(self.check(document))
            except BreadboxError as exc:
                exc.add_note(f"document {position} of the batch, external_id {document.external_id!r}")
                raise
        digests = [d.digest() for d in documents]
        stored = await self.service.store_files.versions(
            self.store.id, list(dict.fromkeys(d.external_id for d in documents))
        )
        # Outcomes as if the documents were upserted one by one, in order; only the last version of
        # an external ID is written (when it is not unchanged).
        current = {eid: (v.content_hash, v.status == "completed") for eid, v in stored.items()}
        outcomes: list[UpsertOutcome] = []
        last: dict[str, int] = {}
        for position, (document, digest) in enumerate(zip(documents, digests, strict=True)):
            seen = current.get(document.external_id)
            if seen is not None and seen == (digest, True):
                outcomes.append("unchanged")
            else:
                outcomes.append("created" if seen is None else "updated")
                current[document.external_id] = (digest, True)
            last[document.external_id] = position
        writes = sorted(p for p in last.values() if outcomes[p] != "unchanged")
        if not writes:
            return outcomes
        await self._remove(
            [stored[documents[p].external_id] for p in writes if documents[p].external_id in stored]
        )
        file_rows: list[dict[str, Any]] = []
        items: list[NewStoreFile] = []
        for position in writes:
            document, data = documents[position], documents[position].content.encode()
            file_row = self.service.files.new_row(
                self.organization_id, document.filename, document.mime_type, data
            )
            file_rows.append(file_row)
            items.append(
                NewStoreFile(
                    file_id=file_row["id"], filename=file_row["filename"], size_bytes=len(data),
                    kind=kinds[position], data=data, external_id=document.external_id,
                    metadata=document.metadata, connector_id=self.connector_id, content_hash=digests[position],
                )
            )  # fmt: skip
        await self.service.files.repository.insert_many(file_rows)
        await self.service.add_files(self.store, items)
        return outcomes

    async def optimize(self) -> None:
        """Compact the store's full-text index; worth it once after many batches (end of a sync run)."""
        await self.service.optimize_index()

    async def delete(self, external_id: str) -> bool:
        existing = (await self.service.store_files.versions(self.store.id, [external_id])).get(external_id)
        if existing is None:
            return False
        await self._remove([existing])
        return True

    async def external_ids(self) -> set[str]:
        return await self.service.store_files.external_ids(self.store.id, self.connector_id)

    async def delete_all(self) -> int:
        versions = await self.service.store_files.owned_by(self.store.id, self.connector_id)
        await self._remove(versions)
        return len(versions)

    async def _remove(self, versions: Sequence[StoredVersion]) -> None:
        """Remove store files; their file objects go too when this connector created them."""
        if not versions:
            return
        await self.service.store_files.delete_many([v.id for v in versions])
        await self.service.files.repository.delete_many(
            [v.file_id for v in versions if v.connector_id == self.connector_id]
        )
