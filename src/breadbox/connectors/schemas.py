"""Connector bodies, named and shaped as `spec/data-sources.openapi.yml` defines them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from breadbox.durations import DurationError, parse_duration
from breadbox.pagination import CursorPaginationResponse

POLLING_INTERVAL_DOC = (
    "Polling interval for the connector. Defaults to 30 minutes if not specified. Can be provided as:\n"
    "- int: Number of seconds (e.g., 1800 for 30 minutes)\n"
    "- str: Duration string (e.g., '30m', '1h', '2d') or ISO 8601 format (e.g., 'PT30M', 'P1D')\n"
    "Valid range: 15 seconds to 30 days"
)


class SyncStatus(StrEnum):
    idle = "idle"
    pending = "pending"
    in_progress = "in_progress"
    cancelled = "cancelled"
    completed = "completed"
    failed = "failed"


def _check_interval(value: int | str | None) -> int | str | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except DurationError as exc:
        raise ValueError(str(exc)) from None


class DataSourceConnectorCreateParams(BaseModel):
    """Parameters for creating a connector."""

    store_id: str = Field(description="The ID of the store", min_length=1, max_length=200)
    name: str = Field("New Connector", description="The name of the connector", min_length=1, max_length=500)
    trigger_sync: bool = Field(True, description="Whether the connector should be synced after creation")
    metadata: Any | None = Field(None, description="The metadata of the connector")
    polling_interval: int | str | None = Field(
        None, description=POLLING_INTERVAL_DOC, examples=[1800, "30m", "1h", "PT30M"]
    )

    _interval = field_validator("polling_interval", mode="after")(_check_interval)


class DataSourceConnectorUpdateParams(BaseModel):
    """Parameters for updating a connector."""

    name: str | None = Field(None, description="The name of the connector", min_length=1, max_length=500)
    metadata: dict[str, Any] | None = Field(None, description="The metadata of the connector")
    trigger_sync: bool | None = Field(None, description="Whether the connector should be synced after update")
    polling_interval: int | str | None = Field(
        None, description=POLLING_INTERVAL_DOC, examples=[1800, "30m", "1h", "PT30M"]
    )

    _interval = field_validator("polling_interval", mode="after")(_check_interval)


class DataSourceConnector(BaseModel):
    """Service-level representation of a connector."""

    id: str = Field(description="The ID of the connector")
    created_at: datetime = Field(description="The creation time of the connector")
    updated_at: datetime = Field(description="The last update time of the connector")
    store_id: str = Field(description="The ID of the store")
    data_source_id: str = Field(description="The ID of the data source")
    name: str = Field("New Connector", description="The name of the connector")
    metadata: Any | None = Field(description="The metadata of the connector")
    polling_interval: str = Field(
        description="The polling interval of the connector", json_schema_extra={"format": "duration"}
    )
    started_at: datetime | None = Field(description="The start time of the connector")
    finished_at: datetime | None = Field(description="The finish time of the connector")
    last_synced_at: datetime | None = Field(description="The last sync time of the connector")
    status: SyncStatus = Field(description="The sync status of the connector")
    error: dict[str, Any] | None = Field(description="The sync error of the connector")
    object: Literal["data_source.connector"] = Field(
        "data_source.connector", description="The type of the object"
    )


class DataSourceConnectorDeleted(BaseModel):
    """Deleted connector."""

    id: str = Field(description="The ID of the connector")
    deleted: bool = Field(True, description="Whether the connector was deleted")
    object: Literal["data_source.connector"] = Field(
        "data_source.connector", description="The type of the object"
    )


class ConnectorListResponse(BaseModel):
    """A list of connectors with pagination."""

    pagination: CursorPaginationResponse
    data: list[DataSourceConnector] = Field(description="The list of connectors")
    object: Literal["list"] = Field("list", description="The object type of the response")
