"""The data source operations of the contract (HTTP only: parse, call the service, shape).

The two read-only operations take the `Database` rather than a session: they read through the fast
read path, and a request-scoped session (a generator dependency with its exit stack) would cost
them more than their query does."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Response

from breadbox.api.deps import DatabaseDep, SecretBoxDep, SessionDep, json_response
from breadbox.auth.dependencies import CreateDep, DeleteDep, ListDep, ReadDep, WriteDep
from breadbox.data_sources.schemas import (
    DataSource,
    DataSourceDeleted,
    DataSourceListResponse,
    DataSourceParams,
)
from breadbox.data_sources.service import DataSourceQueries, DataSourceService, to_schema
from breadbox.errors import AuthenticationError, ForbiddenError, NotFoundError, error_responses
from breadbox.pagination import CursorParams, cursor_params

router = APIRouter(
    prefix="/v1/data_sources",
    tags=["data_sources"],
    responses=error_responses(AuthenticationError, ForbiddenError),
)

Pagination = Annotated[CursorParams, Depends(cursor_params)]


DataSourceIdGet = Annotated[uuid.UUID, Path(description="The ID of the data source to fetch")]
DataSourceIdPut = Annotated[uuid.UUID, Path(description="The ID of the data source to update")]
DataSourceIdDelete = Annotated[uuid.UUID, Path(description="The ID of the data source to delete")]


@router.post("/", status_code=201, operation_id="create_data_source", response_model=DataSource)
async def create_data_source(
    params: Annotated[DataSourceParams, Body(title="Params", description="The data source to create")],
    session: SessionDep,
    box: SecretBoxDep,
    principal: CreateDep,
) -> Response:
    """Create a new data source."""
    row = await DataSourceService(session, box).create(principal.organization_id, params)
    return json_response(to_schema(row), status_code=201)


@router.get("/", operation_id="list_data_sources", response_model=DataSourceListResponse)
async def list_data_sources(pagination: Pagination, database: DatabaseDep, principal: ListDep) -> Response:
    """Get all data sources."""
    page = await DataSourceQueries(database).list(principal.organization_id, pagination)
    return json_response(
        DataSourceListResponse(pagination=page.pagination, data=[to_schema(r) for r in page.items])
    )


@router.get(
    "/{data_source_id}",
    operation_id="get_data_source",
    response_model=DataSource,
    responses=error_responses(NotFoundError),
)
async def get_data_source(
    data_source_id: DataSourceIdGet, database: DatabaseDep, principal: ReadDep
) -> Response:
    """Get a data source by ID."""
    record = await DataSourceQueries(database).get(principal.organization_id, data_source_id)
    return json_response(to_schema(record))


@router.put(
    "/{data_source_id}",
    operation_id="update_data_source",
    response_model=DataSource,
    responses=error_responses(NotFoundError),
)
async def update_data_source(
    data_source_id: DataSourceIdPut,
    params: Annotated[DataSourceParams, Body(title="Params", description="The data source to update")],
    session: SessionDep,
    box: SecretBoxDep,
    principal: WriteDep,
) -> Response:
    """Update a data source."""
    row = await DataSourceService(session, box).update(principal.organization_id, data_source_id, params)
    return json_response(to_schema(row))


@router.delete(
    "/{data_source_id}",
    operation_id="delete_data_source",
    response_model=DataSourceDeleted,
    responses=error_responses(NotFoundError),
)
async def delete_data_source(
    data_source_id: DataSourceIdDelete, session: SessionDep, box: SecretBoxDep, principal: DeleteDep
) -> Response:
    """Delete a data source."""
    row = await DataSourceService(session, box).delete(principal.organization_id, data_source_id)
    return json_response(DataSourceDeleted(id=str(row.id)))
