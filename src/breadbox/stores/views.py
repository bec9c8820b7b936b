"""Rows to response bodies (the one place that knows how a store or store file is shown)."""

from __future__ import annotations

from datetime import timedelta

from breadbox.stores import schemas
from breadbox.stores.models import Store, StoreChunk, StoreFile
from breadbox.stores.repository import StoreStats
from breadbox.stores.search import SearchHit

ACTIVE = ("pending", "in_progress")


def store_schema(row: Store, stats: StoreStats) -> schemas.Store:
    counts = schemas.FileCounts(**stats.counts, total=sum(stats.counts.values()))
    expires_after = schemas.ExpiresAfter(**row.expires_after) if row.expires_after else None
    expires_at = None
    if expires_after is not None:
        expires_at = (row.last_active_at or row.created_at) + timedelta(days=expires_after.days)
    return schemas.Store(
        id=str(row.id),
        name=row.name,
        description=row.description,
        is_public=row.is_public,
        license=row.license,
        metadata=row.metadata_,
        config=schemas.StoreConfig(**row.config) if row.config else None,
        file_counts=counts,
        expires_after=expires_after,
        status="in_progress" if any(stats.counts.get(s) for s in ACTIVE) else "completed",
        created_at=row.created_at,
        updated_at=row.updated_at,
        last_active_at=row.last_active_at,
        usage_bytes=stats.usage_bytes,
        usage_tokens=stats.usage_tokens,
        expires_at=expires_at,
    )


def chunk_schema(chunk: StoreChunk) -> schemas.TextInputChunk:
    return schemas.TextInputChunk(
        chunk_index=chunk.chunk_index,
        mime_type=_chunk_mime(chunk.generated_metadata),
        generated_metadata=chunk.generated_metadata,
        offset=chunk.offset,
        text=chunk.text,
    )


def store_file_schema(
    row: StoreFile, base_url: str = "", chunks: list[StoreChunk] | None = None
) -> schemas.StoreFile:
    return schemas.StoreFile(
        id=str(row.file_id),
        filename=row.filename,
        metadata=row.metadata_,
        external_id=row.external_id,
        status=row.status,  # type: ignore[arg-type]
        last_error=row.last_error,
        store_id=str(row.store_id),
        created_at=row.created_at,
        version=row.version,
        usage_bytes=row.usage_bytes,
        usage_tokens=row.usage_tokens,
        config=schemas.StoreFileConfig(**row.config) if row.config else None,
        chunks=[chunk_schema(c) for c in chunks] if chunks is not None else None,
        content_url=f"{base_url}/v1/files/{row.file_id}/content",
    )


def hit_schema(hit: SearchHit, return_metadata: bool) -> schemas.ScoredTextInputChunk:
    return schemas.ScoredTextInputChunk(
        chunk_index=hit.chunk_index,
        mime_type=_chunk_mime(hit.generated_metadata),
        generated_metadata=hit.generated_metadata,
        offset=hit.offset,
        text=hit.text,
        score=hit.score,
        file_id=str(hit.file_id),
        filename=hit.filename,
        store_id=str(hit.store_id),
        external_id=hit.external_id,
        metadata=hit.metadata if return_metadata else None,
    )


def _chunk_mime(meta: dict[str, object] | None) -> str:
    file_type = (meta or {}).get("file_type")
    return file_type if isinstance(file_type, str) else "text/plain"
