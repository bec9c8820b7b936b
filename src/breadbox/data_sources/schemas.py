"""Data source bodies, named and shaped as `spec/data-sources.openapi.yml` defines them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from breadbox.db.base import utcnow
from breadbox.pagination import CursorPaginationResponse


class DataSourceType(StrEnum):
    notion = "notion"
    linear = "linear"


class OAuth2CreateOrUpdateParams(BaseModel):
    """Base class for OAuth2 create or update parameters."""

    type: Literal["oauth2"] = "oauth2"


class ApiKeyCreateOrUpdateParams(BaseModel):
    """Base class for API key create or update parameters."""

    type: Literal["api_key"] = "api_key"
    api_key: str = Field(description="The API key", min_length=1, max_length=4096)


NotionAuthParams = Annotated[
    OAuth2CreateOrUpdateParams | ApiKeyCreateOrUpdateParams, Field(discriminator="type")
]
LinearAuthParams = Annotated[OAuth2CreateOrUpdateParams, Field(discriminator="type")]


class NotionDataSourceCreateOrUpdateParams(BaseModel):
    """Parameters for creating or updating a Notion data source."""

    type: Literal["notion"] = Field("notion", description="The type of data source to create")
    name: str = Field(description="The name of the data source", min_length=1, max_length=500)
    metadata: Any | None = Field(None, description="The metadata of the data source")
    auth_params: NotionAuthParams | None = Field(
        None,
        description="The authentication parameters of the data source. Notion supports OAuth2 and API key.",
    )


class LinearDataSourceCreateOrUpdateParams(BaseModel):
    """Parameters for creating or updating a Linear data source."""

    type: Literal["linear"] = Field("linear", description="The type of data source to create")
    name: str = Field(description="The name of the data source", min_length=1, max_length=500)
    metadata: Any | None = Field(None, description="The metadata of the data source")
    auth_params: LinearAuthParams | None = Field(
        None, description="The authentication parameters of the data source. Linear only supports OAuth2."
    )


DataSourceParams = NotionDataSourceCreateOrUpdateParams | LinearDataSourceCreateOrUpdateParams


class DataSourceOAuth2Params(BaseModel):
    """Authentication parameters for a OAuth data source."""

    type: Literal["oauth2"] = "oauth2"
    created_at: datetime = Field(
        default_factory=utcnow, description="The timestamp when the OAuth2 credentials were created"
    )
    scope: str | None = Field("read", description="The OAuth2 scope")
    access_token: str | None = Field(None, description="The OAuth2 access token")
    refresh_token: str | None = Field(None, description="The OAuth2 refresh token")
    token_type: str | None = Field(None, description="The OAuth2 token type")
    expires_on: datetime | None = Field(None, description="The OAuth2 token expiration timestamp")
    additional_params: dict[str, Any] | None = Field(
        None, description="Additional parameters for the OAuth2 flow"
    )


class DataSourceApiKeyParams(BaseModel):
    """Authentication parameters for a API key data source."""

    type: Literal["api_key"] = "api_key"
    api_key: str = Field(description="The API key")


class DataSource(BaseModel):
    """Service-level representation of a data source."""

    id: str = Field(description="The ID of the data source")
    created_at: datetime = Field(description="The creation time of the data source")
    updated_at: datetime = Field(description="The last update time of the data source")
    type: DataSourceType = Field(description="The type of data source")
    name: str = Field(description="The name of the data source")
    metadata: Any | None = Field(description="The metadata of the data source")
    auth_params: (
        Annotated[DataSourceOAuth2Params | DataSourceApiKeyParams, Field(discriminator="type")] | None
    ) = Field(description="Authentication parameters")
    object: Literal["data_source"] = Field("data_source", description="The type of the object")


class DataSourceDeleted(BaseModel):
    """Deleted data source."""

    id: str = Field(description="The ID of the data source")
    deleted: bool = Field(True, description="Whether the data source was deleted")
    object: Literal["data_source"] = Field("data_source", description="The type of the object")


class DataSourceListResponse(BaseModel):
    """A list of data sources with pagination."""

    pagination: CursorPaginationResponse
    data: list[DataSource] = Field(description="The list of data sources")
    object: Literal["list"] = Field("list", description="The object type of the response")
