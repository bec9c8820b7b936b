"""Store rules: naming, scoping, the connector guard, ingestion and search.

Ingestion runs inline, inside the request's (or sync job's) transaction: the store file is written
`pending`, moves to `in_progress` while its bytes are converted and chunked, and ends `completed`
with its chunks, or `failed` with `last_error` when the content cannot be read. Doing it inline
keeps one transaction around "remove the old version, add the new one": with `overwrite`, readers
see either the old chunks or the new ones, never neither or both (SQLite WAL snapshots, PostgreSQL
MVCC). Files are at most `max_file_bytes`, so the request stays short; the intermediate statuses
are therefore never observed from outside, and the SDK's polling helpers return at once.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.auth.scopes import Principal, ScopeMethod
from breadbox.db.base import new_id, utcnow
from breadbox.errors import BadRequestError, ConflictError, NotFoundError
from breadbox.files.models import File
from breadbox.files.service import DEFAULT_MAX_FILE_BYTES, FileService, too_large
from breadbox.pagination import CursorParams, Page
from breadbox.stores import schemas, views
from breadbox.stores.ingest import IngestError, Kind, detect_kind, prepare_chunks
from breadbox.stores.models import Store, StoreChunk, StoreFile
from breadbox.stores.repository import StoreFileRepository, StoreRepository
from breadbox.stores.search import SearchHit, SearchRequest, backend_for
from breadbox.stores.search.filters import compile_filter
from breadbox.stores.search.query import terms

DEFAULT_CHUNK_SIZE = 1000
MAX_TOP_K = 1000


@dataclass(frozen=True)
class NewStoreFile:
    """A file to add to a store; its `files` row exists already or is inserted in the same batch."""

    file_id: uuid.UUID
    filename: str
    size_bytes: int
    kind: Kind
    data: bytes
    external_id: str | None = None
    metadata: Any = None
    config: dict[str, Any] | None = None
    connector_id: str | None = None
    content_hash: str | None = None


class StoreService:
    def __init__(
        self,
        session: AsyncSession,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    ) -> None:
        self.session = session
        self.chunk_size = chunk_size
        self.max_file_bytes = max_file_bytes
        self.stores = StoreRepository(session)
        self.store_files = StoreFileRepository(session)
        self.files = FileService(session, max_file_bytes=max_file_bytes)

    # -- stores ---------------------------------------------------------------------------------

    async def resolve(self, organization_id: uuid.UUID, identifier: str) -> Store:
        """The organization's store with this ID or name; another organization's store is not found."""
        try:
            store_id: uuid.UUID | None = uuid.UUID(identifier)
        except ValueError:
            store_id = None
        if store_id is not None:
            store = await self.stores.by_id(organization_id, store_id)
        else:
            store = await self.stores.by_name(organization_id, identifier)
        if store is None:
            raise NotFoundError(f"Store '{identifier}' not found", error_type="store_not_found")
        return store

    async def authorized(self, principal: Principal, identifier: str, method: ScopeMethod) -> Store:
        store = await self.resolve(principal.organization_id, identifier)
        principal.ensure(method, store.id)
        return store

    async def create(self, principal: Principal, params: schemas.StoreCreateParams) -> Store:
        name = params.name or f"store-{secrets.token_hex(4)}"
        await self._ensure_name_free(principal.organization_id, name)
        store = Store(
            organization_id=principal.organization_id,
            name=name,
            description=params.description,
            is_public=params.is_public,
            license=params.license,
            metadata_=params.metadata,
            config=params.config.model_dump() if params.config else None,
            expires_after=params.expires_after.model_dump() if params.expires_after else None,
            last_active_at=utcnow(),
        )
        self.stores.add(store)
        await self._flush_unique(f"A store named '{name}' already exists")
        for file_id in params.file_ids or []:
            file = await self.files.get(principal.organization_id, file_id)
            await self.ingest(store, file, metadata=None, external_id=None, overwrite=True)
        return store

    async def list_stores(
        self, organization_id: uuid.UUID, params: CursorParams, q: str | None
    ) -> Page[Store]:
        return await self.stores.page(organization_id, params, q)

    async def update(self, principal: Principal, identifier: str, params: schemas.StoreUpdateParams) -> Store:
        store = await self.authorized(principal, identifier, "write")
        given = params.model_fields_set
        if "name" in given and params.name is not None and params.name != store.name:
            await self._ensure_name_free(principal.organization_id, params.name)
            if await self.stores.connectors_using(principal.organization_id, store, by_id=False):
                raise ConflictError(
                    f"Connectors refer to store '{store.name}' by name; point them at its ID before renaming it",
                    error_type="store_in_use",
                )
            store.name = params.name
        for attr in ("description", "is_public", "license"):
            if attr in given and not (attr == "is_public" and params.is_public is None):
                setattr(store, attr, getattr(params, attr))
        if "metadata" in given:
            store.metadata_ = params.metadata
        if "expires_after" in given:
            store.expires_after = params.expires_after.model_dump() if params.expires_after else None
        store.updated_at = store.last_active_at = utcnow()
        await self._flush_unique(f"A store named '{store.name}' already exists")
        return store

    async def delete(self, principal: Principal, identifier: str) -> Store:
        """Refused while connectors write into the store: deleting them first is the caller's decision."""
        store = await self.authorized(principal, identifier, "delete")
        using = await self.stores.connectors_using(principal.organization_id, store)
        if using:
            raise ConflictError(
                f"Store '{store.name}' is the target of {using} connector(s); delete them first",
                error_type="store_in_use",
            )
        await self.stores.delete(store)
        return store

    async def describe(self, stores: Sequence[Store]) -> list[schemas.Store]:
        stats = await self.stores.stats([s.id for s in stores])
        return [views.store_schema(s, stats[s.id]) for s in stores]

    # -- store files ----------------------------------------------------------------------------

    async def add_file(
        self, principal: Principal, identifier: str, params: schemas.DeprecatedStoreFileUpsertParams
    ) -> StoreFile:
        store = await self.authorized(principal, identifier, "create")
        file = await self.files.get(principal.organization_id, params.file_id)
        config = params.__dict__.get("experimental") or params.config  # read without the deprecation warning
        return await self.ingest(
            store, file, metadata=params.metadata, external_id=params.external_id,
            overwrite=params.overwrite, config=config.model_dump(),
        )  # fmt: skip

    async def upload_file(
        self,
        principal: Principal,
        identifier: str,
        filename: str | None,
        mime_type: str | None,
        data: bytes,
        params: schemas.UploadParams,
    ) -> StoreFile:
        store = await self.authorized(principal, identifier, "create")
        file = await self.files.create(principal.organization_id, filename, mime_type, data)
        return await self.ingest(
            store, file, metadata=params.metadata, external_id=params.external_id,
            overwrite=params.overwrite, config=params.config.model_dump(), data=data,
        )  # fmt: skip

    async def get_file(self, principal: Principal, identifier: str, file_identifier: str) -> StoreFile:
        store = await self.authorized(principal, identifier, "read")
        return await self._find_file(store, file_identifier)

    async def file_chunks(self, row: StoreFile, return_chunks: bool | list[int]) -> list[StoreChunk] | None:
        if return_chunks is False:
            return None
        indices = None if return_chunks is True else list(return_chunks)
        return await self.store_files.chunks(row.id, indices)

    async def list_files(
        self,
        principal: Principal,
        identifier: str,
        params: CursorParams,
        statuses: Sequence[str] | None = None,
        metadata_filter: schemas.FilterInput | None = None,
        q: str | None = None,
    ) -> Page[StoreFile]:
        store = await self.authorized(principal, identifier, "list")
        dialect = self.session.get_bind().dialect.name
        condition = compile_filter(metadata_filter, StoreFile.metadata_, dialect)
        return await self.store_files.page(store.id, params, statuses, condition, q)

    async def delete_file(self, principal: Principal, identifier: str, file_identifier: str) -> StoreFile:
        store = await self.authorized(principal, identifier, "delete")
        row = await self._find_file(store, file_identifier)
        await self.store_files.delete(row)
        store.last_active_at = utcnow()
        return row

    async def _find_file(self, store: Store, file_identifier: str) -> StoreFile:
        row = await self.store_files.find(store.id, file_identifier)
        if row is None:
            raise NotFoundError(
                f"File '{file_identifier}' not found in store '{store.name}'",
                error_type="store_file_not_found",
            )
        return row

    # -- ingestion ------------------------------------------------------------------------------

    async def ingest(
        self,
        store: Store,
        file: File,
        *,
        metadata: Any,
        external_id: str | None,
        overwrite: bool,
        config: dict[str, Any] | None = None,
        data: bytes | None = None,
    ) -> StoreFile:
        """Add `file` to `store`, replacing the store file with the same external ID (or file) when
        `overwrite`; 409 otherwise. Unsupported types (415) and oversized files (413) write nothing."""
        kind = detect_kind(file.filename, file.mime_type)
        if file.size_bytes > self.max_file_bytes:
            raise too_large(file.size_bytes, self.max_file_bytes)
        previous = await self._previous_versions(store, file, external_id)
        if previous and not overwrite:
            what = f"external_id '{external_id}'" if previous[0].external_id == external_id else "this file"
            raise ConflictError(
                f"Store '{store.name}' already has a file with {what} (set overwrite=true to replace it)",
                error_type="store_file_exists",
            )
        await self.store_files.delete_many([row.id for row in previous])
        for row in previous:
            self.session.expunge(row)
        item = NewStoreFile(
            file_id=file.id, filename=file.filename, size_bytes=file.size_bytes, kind=kind,
            data=data if data is not None else await self.files.read(file.id),
            external_id=external_id, metadata=metadata, config=config,
        )  # fmt: skip
        [row_id] = await self.add_files(store, [item])
        created = await self.session.get(StoreFile, row_id)
        assert created is not None
        return created

    async def add_files(self, store: Store, items: Sequence[NewStoreFile]) -> list[uuid.UUID]:
        """Write store files and their chunks: one INSERT per table for the whole batch.

        Each item is converted and chunked here; content that cannot be read is written `failed`
        with `last_error` (no chunks). The rows are written in their final status: they commit
        together with the chunks, so `pending` / `in_progress` would never be visible anyway.
        The caller removed any previous version first (same transaction: readers see the old rows
        or the new ones). Returns the new store-file IDs, in order.
        """
        now = utcnow()
        rows: list[dict[str, Any]] = []
        chunks: list[dict[str, Any]] = []
        for item in items:
            row_id = new_id()
            row: dict[str, Any] = {
                "id": row_id, "store_id": store.id, "file_id": item.file_id, "filename": item.filename,
                "external_id": item.external_id, "connector_id": item.connector_id,
                "content_hash": item.content_hash, "metadata": item.metadata, "config": item.config,
                "status": "completed", "last_error": None, "version": 1, "usage_bytes": item.size_bytes,
                "usage_tokens": 0, "created_at": now, "updated_at": now,
            }  # fmt: skip
            try:
                prepared = prepare_chunks(item.data, item.kind, item.filename, self.chunk_size)
            except IngestError as exc:
                row["status"], row["last_error"] = "failed", {"type": "ingest_error", "message": str(exc)}
            else:
                chunks.extend(
                    {"store_file_id": row_id, "store_id": store.id, "chunk_index": c.index, "offset": c.offset,
                     "text": c.text, "context": c.context, "generated_metadata": c.generated_metadata}
                    for c in prepared
                )  # fmt: skip
                row["usage_tokens"] = sum(int(c.generated_metadata.get("word_count") or 0) for c in prepared)
            rows.append(row)
        try:
            await self.store_files.insert_many(rows, chunks)
        except IntegrityError as exc:
            # A concurrent writer won the (store, external_id) or (store, file) constraint.
            which = (
                f"external_id '{items[0].external_id}'" if len(items) == 1 else "one of these external IDs"
            )
            raise ConflictError(
                f"Store '{store.name}' already has a file with {which}", error_type="conflict"
            ) from exc
        store.last_active_at = now
        return [row["id"] for row in rows]

    async def _previous_versions(self, store: Store, file: File, external_id: str | None) -> list[StoreFile]:
        found = [await self.store_files.by_file_id(store.id, file.id)]
        if external_id is not None:
            found.append(await self.store_files.by_external_id(store.id, external_id))
        unique = {row.id: row for row in found if row is not None}
        return list(unique.values())

    # -- search ---------------------------------------------------------------------------------

    async def search(self, principal: Principal, params: schemas.StoreChunkSearchParams) -> list[SearchHit]:
        """BM25-style full-text ranking; `rerank`, `agentic` and `rewrite_query` are accepted and ignored."""
        store_ids = await self._searchable(principal, params.store_identifiers)
        query = params.query
        if isinstance(query, schemas.ImageUrlInput):
            raise BadRequestError("The embedded store searches text only; image queries are not supported")
        text = query if isinstance(query, str) else query.text
        file_ids, exclude = _file_id_filter(params.file_ids)
        request = SearchRequest(
            words=terms(text),
            store_ids=store_ids,
            top_k=min(params.top_k, MAX_TOP_K),
            file_ids=file_ids,
            exclude_file_ids=exclude,
            metadata_filter=params.filters,
            score_threshold=params.search_options.score_threshold,
        )
        return await backend_for(self.session).search(self.session, request)

    async def optimize_index(self) -> None:
        """Compact the full-text index after a large ingest (see `SearchBackend.optimize`)."""
        await backend_for(self.session).optimize(self.session)

    async def _searchable(self, principal: Principal, identifiers: Sequence[str]) -> list[uuid.UUID]:
        """The IDs of the stores named by ID or name, in one query; 404 / 403 as `authorized` would."""
        wanted_ids: list[uuid.UUID] = []
        wanted_names: list[str] = []
        for identifier in identifiers:
            try:
                wanted_ids.append(uuid.UUID(identifier))
            except ValueError:
                wanted_names.append(identifier)
        found = await backend_for(self.session).stores(
            self.session, principal.organization_id, wanted_ids, wanted_names
        )
        by_id = {store_id: store_id for store_id, _ in found}
        by_name = {name: store_id for store_id, name in found}
        out: dict[uuid.UUID, None] = {}
        for identifier in identifiers:
            try:
                store_id = by_id.get(uuid.UUID(identifier))
            except ValueError:
                store_id = by_name.get(identifier)
            if store_id is None:
                raise NotFoundError(f"Store '{identifier}' not found", error_type="store_not_found")
            principal.ensure("search", store_id)
            out[store_id] = None
        return list(out)

    # -- helpers --------------------------------------------------------------------------------

    async def _ensure_name_free(self, organization_id: uuid.UUID, name: str) -> None:
        if await self.stores.by_name(organization_id, name) is not None:
            raise ConflictError(f"A store named '{name}' already exists", error_type="store_name_taken")

    async def _flush_unique(self, message: str) -> None:
        """A concurrent request may win a unique constraint between our check and our insert."""
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise ConflictError(message, error_type="conflict") from exc


def _file_id_filter(value: Any) -> tuple[list[uuid.UUID] | None, bool]:
    if value is None:
        return None, False
    if isinstance(value, tuple):
        op, ids = value
        if op not in ("in", "not_in"):
            raise BadRequestError(f"file_ids supports the operators 'in' and 'not_in', not '{op}'")
        return list(ids), op == "not_in"
    return list(value), False
