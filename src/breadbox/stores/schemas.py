"""Request and response bodies of the stores API, field for field as in the Stores subset spec."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from breadbox.pagination import CursorPaginationResponse

StoreFileStatus = Literal["pending", "in_progress", "cancelled", "completed", "failed"]
ConditionOperator = Literal[
    "eq", "not_eq", "gt", "gte", "lt", "lte", "in", "not_in", "like", "starts_with", "not_like", "regex"
]
STORE_NAME_PATTERN = r"^[a-z0-9.\-]+$"
NAME_RULE = "Can only contain lowercase letters, numbers, periods (.), and hyphens (-)."


def _check_name(value: str | None) -> str | None:
    """A name that parses as a UUID would be ambiguous wherever an ID or a name is accepted."""
    if value is not None:
        try:
            uuid.UUID(value)
        except ValueError:
            return value
        raise ValueError("A store name must not have the form of a UUID")
    return value


class ExpiresAfter(BaseModel):
    """Represents an expiration policy for a store."""

    anchor: Literal["last_active_at"] = Field(
        "last_active_at", description="Anchor date for the expiration policy"
    )
    days: int = Field(default=30, description="Number of days after which the store expires")


class ContextualizationConfig(BaseModel):
    with_metadata: bool | list[str] = False
    with_file_context: bool = False


class StoreConfig(BaseModel):
    """Configuration for a store."""

    contextualization: bool | ContextualizationConfig = Field(
        False, description="Contextualize files with metadata"
    )
    save_content: bool = Field(default=True, description="Whether to save original content in the store.")


class StoreCreateParams(BaseModel):
    """Parameters for creating a new store."""

    name: Annotated[str, Field(min_length=1, max_length=128, pattern=STORE_NAME_PATTERN)] | None = Field(
        None, description=f"Name for the new store. {NAME_RULE}", examples=["technical-documentation"]
    )
    description: Annotated[str, Field(max_length=256)] | None = Field(
        None, description="Description of the store"
    )
    is_public: bool = Field(
        False, description="Whether the store can be accessed by anyone with valid login credentials"
    )
    license: str | None = Field(default=None, description="License for public stores")
    expires_after: ExpiresAfter | None = Field(default=None, description="Optional expiration policy")
    metadata: Any = Field(default=None, description="Optional metadata key-value pairs")
    config: StoreConfig | None = Field(default=None, description="Store-level configuration defaults")
    file_ids: list[uuid.UUID] | None = Field(default=None, description="Optional list of file IDs")

    _name = field_validator("name")(_check_name)


class StoreUpdateParams(BaseModel):
    """Parameters for updating an existing store."""

    name: Annotated[str, Field(min_length=1, max_length=128, pattern=STORE_NAME_PATTERN)] | None = Field(
        None, description=f"New name for the store. {NAME_RULE}"
    )
    description: Annotated[str, Field(max_length=256)] | None = Field(
        default=None, description="New description"
    )
    is_public: bool | None = Field(
        None, description="Whether the store can be accessed by anyone with valid login credentials"
    )
    license: str | None = Field(default=None, description="License for public stores")
    expires_after: ExpiresAfter | None = Field(default=None, description="Optional expiration policy")
    metadata: Any = Field(default=None, description="Optional metadata key-value pairs")

    _name = field_validator("name")(_check_name)


class FileCounts(BaseModel):
    """Tracks counts of files in different states within a store."""

    pending: int = 0
    in_progress: int = 0
    cancelled: int = 0
    completed: int = 0
    failed: int = 0
    total: int = 0


class Store(BaseModel):
    """Model representing a store with its metadata and timestamps."""

    id: str
    name: str
    description: str | None = None
    is_public: bool = False
    license: str | None = None
    metadata: Any = None
    config: StoreConfig | None = None
    file_counts: FileCounts = Field(default_factory=FileCounts)
    expires_after: ExpiresAfter | None = None
    status: Literal["expired", "in_progress", "completed"] = "completed"
    created_at: datetime
    updated_at: datetime
    last_active_at: datetime | None = None
    usage_bytes: int = 0
    usage_tokens: int = 0
    expires_at: datetime | None = None
    object: Literal["store"] = "store"


class StoreDeleted(BaseModel):
    """Response model for store deletion."""

    id: str
    deleted: bool
    object: Literal["store"] = "store"


class StoreListResponse(BaseModel):
    pagination: CursorPaginationResponse
    object: Literal["list"] = "list"
    data: list[Store]


class StoreFileConfig(BaseModel):
    """Configuration for a file."""

    parsing_strategy: Literal["fast", "high_quality"] = "fast"


class DeprecatedStoreFileUpsertParams(BaseModel):
    metadata: Any = Field(default=None, description="Optional metadata for the file")
    config: StoreFileConfig = Field(
        default_factory=StoreFileConfig, description="Configuration for adding the file"
    )
    external_id: Annotated[str, Field(max_length=256)] | None = Field(
        None, description="External identifier for this file in the store"
    )
    overwrite: bool = Field(
        default=True, description="If true, overwrite an existing file with the same external_id"
    )
    file_id: uuid.UUID = Field(description="ID of the file to add")
    experimental: StoreFileConfig | None = Field(default=None, deprecated=True)


class UploadParams(BaseModel):
    """The JSON `params` form field of the upload endpoint: the upsert params without `file_id`."""

    metadata: Any = None
    config: StoreFileConfig = Field(default_factory=StoreFileConfig)
    external_id: Annotated[str, Field(max_length=256)] | None = None
    overwrite: bool = True


class TextInputChunk(BaseModel):
    chunk_index: int
    mime_type: str = "text/plain"
    generated_metadata: dict[str, Any] | None = None
    model: str | None = None
    type: Literal["text"] = "text"
    offset: int = 0
    text: str | None = None
    context: str | None = None
    summary: str | None = None


class StoreFile(BaseModel):
    """Represents a file stored in a store."""

    id: str
    filename: str
    metadata: Any = None
    external_id: str | None = None
    status: StoreFileStatus = "pending"
    last_error: Any = None
    store_id: str
    created_at: datetime
    version: int | None = None
    usage_bytes: int | None = None
    usage_tokens: int | None = None
    config: StoreFileConfig | None = None
    object: Literal["store.file"] = "store.file"
    chunks: list[TextInputChunk] | None = None
    content_url: str


class StoreFileDeleted(BaseModel):
    id: str
    deleted: bool = True
    object: Literal["store.file"] = "store.file"


class StoreFileListResponse(BaseModel):
    pagination: CursorPaginationResponse
    object: Literal["list"] = "list"
    data: list[StoreFile]


class SearchFilterCondition(BaseModel):
    """Represents a condition with a field, operator, and value."""

    key: str = Field(description="The field to apply the condition on", examples=["price", "color"])
    value: Any = Field(description="The value to compare against", examples=["100", "red"])
    operator: ConditionOperator = Field(description="The operator for the condition", examples=["eq", "gt"])


class SearchFilter(BaseModel):
    """Represents a filter with AND, OR, and NOT conditions."""

    model_config = ConfigDict(extra="forbid")

    all: list[SearchFilterCondition | SearchFilter] | None = Field(
        None, description="List of conditions or filters to be ANDed together"
    )
    any: list[SearchFilterCondition | SearchFilter] | None = Field(
        None, description="List of conditions or filters to be ORed together"
    )
    none: list[SearchFilterCondition | SearchFilter] | None = Field(
        None, description="List of conditions or filters to be NOTed"
    )


FilterInput = SearchFilter | SearchFilterCondition | list[SearchFilter | SearchFilterCondition]


class SearchCursorPagination(BaseModel):
    """Cursor pagination with status, metadata, and a search query."""

    limit: int = Field(
        default=20, ge=1, le=100, description="Maximum number of items to return per page (1-100)"
    )
    after: str | None = Field(default=None, description="Cursor for forward pagination")
    before: str | None = Field(default=None, description="Cursor for backward pagination")
    include_total: bool = Field(
        False, description="Whether to include total count in response (expensive operation)"
    )
    statuses: list[StoreFileStatus] | None = Field(default=None, description="Status to filter by")
    metadata_filter: FilterInput | None = Field(
        default=None, description="Metadata filter to apply to the query"
    )
    q: Annotated[str, Field(min_length=1, max_length=255)] | None = Field(
        None, description="Search query for fuzzy matching over name and external_id fields"
    )


class RerankConfig(BaseModel):
    model: str = "mixedbread-ai/mxbai-rerank-large-v2"
    with_metadata: bool | list[str] = False
    top_k: Annotated[int, Field(gt=0)] | None = None


class AgenticSearchConfig(BaseModel):
    max_rounds: int = Field(default=3, ge=1, le=10)
    queries_per_round: int = Field(default=4, ge=1, le=10)
    strict_top_k: bool = False
    media_content: Literal["auto", "never", "always"] = "auto"
    instructions: Annotated[str, Field(min_length=1, max_length=5000)] | None = None
    verbose: bool = False


class StoreChunkSearchOptions(BaseModel):
    """Options for configuring store chunk searches; rerank, agentic and rewrite_query are accepted
    and ignored by the embedded store."""

    score_threshold: float = Field(
        default=0.0, ge=0.0, le=1.0, description="Minimum similarity score threshold"
    )
    rewrite_query: bool = False
    rerank: bool | RerankConfig | None = None
    agentic: bool | AgenticSearchConfig | None = None
    return_metadata: bool = Field(default=True, description="Whether to return file metadata")
    apply_search_rules: bool = True


class TextInput(BaseModel):
    type: Literal["text"] = "text"
    text: str = Field(min_length=1, max_length=65536)


class ImageUrl(BaseModel):
    url: str
    format: str = ""


class ImageUrlInput(BaseModel):
    type: Literal["image_url"] = "image_url"
    image_url: ImageUrl


class StoreChunkSearchParams(BaseModel):
    """Query parameters for searching store chunks."""

    store_identifiers: list[str] = Field(min_length=1, max_length=16, description="IDs or names of stores")
    top_k: int = Field(default=10, ge=1, description="Number of results to return")
    filters: FilterInput | None = Field(default=None, description="Optional filter conditions")
    file_ids: tuple[ConditionOperator, list[uuid.UUID]] | list[uuid.UUID] | None = Field(
        None, description="Optional list of file IDs to filter chunks by (inclusion filter)"
    )
    query: Annotated[str, Field(min_length=1)] | TextInput | ImageUrlInput = Field(
        description="Search query text"
    )
    search_options: StoreChunkSearchOptions = Field(default_factory=StoreChunkSearchOptions)


class ScoredTextInputChunk(TextInputChunk):
    score: float
    file_id: str
    filename: str
    store_id: str
    external_id: str | None = None
    metadata: Any = None


class StoreSearchResponse(BaseModel):
    object: Literal["list"] = "list"
    data: list[ScoredTextInputChunk]
