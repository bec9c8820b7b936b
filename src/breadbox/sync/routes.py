"""Sync visibility and control: run history, sync now, cancel (additive to the contract)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query

from breadbox.api.deps import SessionDep
from breadbox.auth.dependencies import ListDep, WriteDep
from breadbox.connectors.schemas import DataSourceConnector
from breadbox.connectors.service import ConnectorService, to_schema
from breadbox.errors import AuthenticationError, ForbiddenError, NotFoundError, error_responses
from breadbox.sync.schemas import SyncRequestParams, SyncRunList, SyncRunOut
from breadbox.sync.service import SyncRequests

router = APIRouter(
    prefix="/v1/data_sources/{data_source_id}/connectors/{connector_id}",
    tags=["syncs"],
    responses=error_responses(AuthenticationError, ForbiddenError, NotFoundError),
)


@router.get("/syncs", operation_id="list_connector_syncs", response_model=SyncRunList)
async def list_connector_syncs(
    data_source_id: uuid.UUID,
    connector_id: uuid.UUID,
    session: SessionDep,
    principal: ListDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SyncRunList:
    """The connector's sync runs, newest first, with counters (live while a run is going)."""
    connector = await ConnectorService(session).get(principal.organization_id, data_source_id, connector_id)
    runs = await SyncRequests(session).history(connector.id, limit)
    return SyncRunList(data=[SyncRunOut.of(run) for run in runs])


@router.post("/sync", operation_id="sync_connector", response_model=DataSourceConnector, status_code=202)
async def sync_connector(
    data_source_id: uuid.UUID,
    connector_id: uuid.UUID,
    session: SessionDep,
    principal: WriteDep,
    params: Annotated[SyncRequestParams | None, Body()] = None,
) -> DataSourceConnector:
    """Queue a sync now (`full` reloads and reconciles everything; `force` confirms a blocked
    deletion pass). A sync requested during a run is queued once, as its follow-up."""
    params = params or SyncRequestParams()
    connector = await ConnectorService(session).get(principal.organization_id, data_source_id, connector_id)
    await SyncRequests(session).request(connector, "manual", full=params.full, force=params.force)
    await session.flush()
    return to_schema(connector)


@router.post("/cancel", operation_id="cancel_connector_sync", response_model=DataSourceConnector)
async def cancel_connector_sync(
    data_source_id: uuid.UUID, connector_id: uuid.UUID, session: SessionDep, principal: WriteDep
) -> DataSourceConnector:
    """Cancel the queued and running sync of the connector (a running one stops within seconds)."""
    connector = await ConnectorService(session).get(principal.organization_id, data_source_id, connector_id)
    await SyncRequests(session).cancel(connector)
    await session.flush()
    return to_schema(connector)
