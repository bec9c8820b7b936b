"""From a provider's `Document` to what the store keeps: external ID, filename and metadata."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from breadbox.providers.base import Document
from breadbox.stores.sink import SinkDocument

if TYPE_CHECKING:
    from breadbox.sync.engine import RunContext


def external_id(connector_id: object, source_id: str) -> str:
    """Scoped by connector: two connectors filling one store never overwrite each other's files."""
    return f"{connector_id}:{source_id}"


def to_sink_document(document: Document, ctx: RunContext) -> SinkDocument:
    core: dict[str, Any] = {
        "source": ctx.source_type,
        "kind": document.kind,
        "title": document.title,
        "url": document.url,
        "source_id": document.source_id,
        "source_created_at": document.created_at.isoformat() if document.created_at else None,
        "source_updated_at": document.updated_at.isoformat() if document.updated_at else None,
        "data_source_id": str(ctx.data_source_id),
        "connector_id": str(ctx.connector_id),
    }
    own = ctx.connector_metadata if isinstance(ctx.connector_metadata, dict) else {}
    metadata = {**document.metadata, **own, **core}
    title = (document.title or document.source_id).replace("/", "-").strip()[:200] or document.source_id
    return SinkDocument(
        external_id=external_id(ctx.connector_id, document.source_id),
        # An empty page is still a document (the store refuses empty files): keep its title.
        content=document.content
        if document.content.strip()
        else f"# {document.title or document.source_id}\n",
        filename=f"{title}.md",
        metadata=metadata,
        mime_type="text/markdown",
    )
