"""API key request and response bodies, as `spec/api-keys.openapi.yml` defines them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from breadbox.auth import keys
from breadbox.auth.models import ApiKey as ApiKeyRow
from breadbox.auth.scopes import Scope


class ApiKeyCreateParams(BaseModel):
    """Parameters for creating an API key."""

    name: str = Field(
        "API Key", description="A name/description for the API key", min_length=1, max_length=200
    )
    scope: list[Scope] | None = Field(None, description="The scope of the API key")
    expires_at: datetime | None = Field(None, description="Optional expiration datetime")


class ApiKeyUpdateParams(BaseModel):
    """Parameters for updating an API key."""

    name: str | None = Field(
        None, description="A name/description for the API key", min_length=1, max_length=200
    )
    expires_at: datetime | None = Field(None, description="Optional expiration datetime")


class ApiKey(BaseModel):
    """Response model for an API key."""

    id: str = Field(description="The ID of the API key")
    name: str = Field(description="The name of the API key")
    redacted_value: str = Field(description="The redacted value of the API key")
    expires_at: datetime | None = Field(None, description="The expiration datetime of the API key")
    created_at: datetime = Field(description="The creation datetime of the API key")
    updated_at: datetime = Field(description="The last update datetime of the API key")
    last_active_at: datetime | None = Field(None, description="The last active datetime of the API key")
    object: Literal["api_key"] = Field("api_key", description="The type of the object")
    scope: list[Scope] | None = Field(None, description="The scope of the API key")

    @classmethod
    def of(cls, row: ApiKeyRow) -> ApiKey:
        return cls(
            id=str(row.id),
            name=row.name,
            redacted_value=keys.redacted(row.lookup, row.last_four),
            expires_at=row.expires_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            last_active_at=row.last_active_at,
            scope=[Scope.model_validate(s) for s in row.scope] if row.scope is not None else None,
        )


class ApiKeyCreated(ApiKey):
    """Response model for creating an API key."""

    value: str = Field(description="The value of the API key")


class ApiKeyDeleted(BaseModel):
    """Response model for deleting an API key."""

    id: str = Field(description="The ID of the deleted API key")
    deleted: bool = Field(description="Whether the API key was deleted")
    object: Literal["api_key"] = Field("api_key", description="The type of the object deleted")


class PaginationWithTotal(BaseModel):
    """Pagination model that includes total count of items."""

    limit: int = Field(100, le=1000, description="Maximum number of items to return per page")
    offset: int = Field(0, description="Offset of the first item to return")
    total: int = Field(0, description="Total number of items available")


class ApiKeyListResponse(BaseModel):
    pagination: PaginationWithTotal
    object: Literal["list"] = Field("list", description="The object type of the response")
    data: list[ApiKey] = Field(description="The list of API keys")
