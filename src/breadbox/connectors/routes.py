"""The connector operations of the contract (HTTP only).

The two read-only operations take the `Database` rather than a session, as for data sources: they
read through the fast read path and need no request-scoped session."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Response

from breadbox.api.deps import DatabaseDep, SessionDep, json_response
from breadbox.auth.dependencies import CreateDep, DeleteDep, ListDep, ReadDep, WriteDep
from breadbox.connectors.schemas import (
    ConnectorListResponse,
    DataSourceConnector,
    DataSourceConnectorCreateParams,
    DataSourceConnectorDeleted,
    DataSourceConnectorUpdateParams,
)
from breadbox.connectors.service import ConnectorQueries, ConnectorService, to_schema
from breadbox.errors import AuthenticationError, ForbiddenError, NotFoundError, error_responses
from breadbox.pagination import CursorParams, cursor_params

router = APIRouter(
    prefix="/v1/data_sources/{data_source_id}/connectors",
    tags=["data_sources"],
    responses=error_responses(AuthenticationError, ForbiddenError, NotFoundError),
)


def _ds(verb: str) -> object:
    return Path(description=f"The ID of the data source to {verb}")


def _cn(verb: str) -> object:
    return Path(description=f"The ID of the connector to {verb}")


@router.post("", status_code=201, operation_id="create_connector", response_model=DataSourceConnector)
async def create_connector(
    data_source_id: Annotated[uuid.UUID, _ds("create a connector for")],
    params: Annotated[DataSourceConnectorCreateParams, Body(description="The connector to create")],
    session: SessionDep,
    principal: CreateDep,
) -> Response:
    """Create a new connector."""
    row = await ConnectorService(session).create(principal.organization_id, data_source_id, params)
    return json_response(to_schema(row), status_code=201)


@router.get("", operation_id="list_connectors", response_model=ConnectorListResponse)
async def list_connectors(
    data_source_id: Annotated[uuid.UUID, _ds("get connectors for")],
    pagination: Annotated[CursorParams, Depends(cursor_params)],
    database: DatabaseDep,
    principal: ListDep,
) -> Response:
    """Get all connectors for a data source."""
    page = await ConnectorQueries(database).list(principal.organization_id, data_source_id, pagination)
    return json_response(
        ConnectorListResponse(pagination=page.pagination, data=[to_schema(r) for r in page.items])
    )


@router.get("/{connector_id}", operation_id="get_connector", response_model=DataSourceConnector)
async def get_connector(
    data_source_id: Annotated[uuid.UUID, _ds("get a connector for")],
    connector_id: Annotated[uuid.UUID, _cn("get")],
    database: DatabaseDep,
    principal: ReadDep,
) -> Response:
    """Get a connector by ID."""
    record = await ConnectorQueries(database).get(principal.organization_id, data_source_id, connector_id)
    return json_response(to_schema(record))


@router.put("/{connector_id}", operation_id="update_connector", response_model=DataSourceConnector)
async def update_connector(
    data_source_id: Annotated[uuid.UUID, _ds("update a connector for")],
    connector_id: Annotated[uuid.UUID, _cn("update")],
    params: Annotated[DataSourceConnectorUpdateParams, Body(description="The connector to update")],
    session: SessionDep,
    principal: WriteDep,
) -> Response:
    """Update a connector."""
    service = ConnectorService(session)
    row = await service.update(principal.organization_id, data_source_id, connector_id, params)
    return json_response(to_schema(row))


@router.delete("/{connector_id}", operation_id="delete_connector", response_model=DataSourceConnectorDeleted)
async def delete_connector(
    data_source_id: Annotated[uuid.UUID, _ds("delete a connector for")],
    connector_id: Annotated[uuid.UUID, _cn("delete")],
    session: SessionDep,
    principal: DeleteDep,
) -> Response:
    """Delete a connector."""
    row = await ConnectorService(session).delete(principal.organization_id, data_source_id, connector_id)
    return json_response(DataSourceConnectorDeleted(id=str(row.id)))
