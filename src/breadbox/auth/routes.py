"""The API keys API (`spec/api-keys.openapi.yml`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from breadbox.api.deps import SessionDep
from breadbox.auth.dependencies import CreateDep, DeleteDep, ListDep, ReadDep, WriteDep
from breadbox.auth.schemas import (
    ApiKey,
    ApiKeyCreated,
    ApiKeyCreateParams,
    ApiKeyDeleted,
    ApiKeyListResponse,
    ApiKeyUpdateParams,
    PaginationWithTotal,
)
from breadbox.auth.service import ApiKeyService
from breadbox.errors import AuthenticationError, ConflictError, ForbiddenError, NotFoundError, error_responses

router = APIRouter(
    prefix="/v1/api-keys",
    tags=["api_keys"],
    responses=error_responses(AuthenticationError, ForbiddenError),
)


@router.post("", status_code=201, operation_id="create_api_key", response_model=ApiKeyCreated)
async def create_api_key(
    params: ApiKeyCreateParams, session: SessionDep, principal: CreateDep
) -> ApiKeyCreated:
    """Create a new API key; its value is shown in this response only."""
    principal.ensure_unrestricted()
    row, value = await ApiKeyService(session).create(
        principal.organization_id, params.name, params.scope, params.expires_at
    )
    return ApiKeyCreated(**ApiKey.of(row).model_dump(), value=value)


@router.get("", operation_id="list_api_keys", response_model=ApiKeyListResponse)
async def list_api_keys(
    session: SessionDep,
    principal: ListDep,
    limit: Annotated[int, Query(le=1000)] = 100,
    offset: Annotated[int, Query()] = 0,
) -> ApiKeyListResponse:
    """List the API keys of the organization, newest first."""
    # The contract sets no minimum: out-of-range values are clamped rather than refused.
    limit, offset = max(limit, 0), max(offset, 0)
    rows, total = await ApiKeyService(session).list(principal.organization_id, limit, offset)
    return ApiKeyListResponse(
        pagination=PaginationWithTotal(limit=limit, offset=offset, total=total),
        data=[ApiKey.of(r) for r in rows],
    )


@router.get(
    "/{api_key_id}",
    operation_id="retrieve_api_key",
    response_model=ApiKey,
    responses=error_responses(NotFoundError),
)
async def retrieve_api_key(api_key_id: uuid.UUID, session: SessionDep, principal: ReadDep) -> ApiKey:
    """Get an API key (never its value)."""
    return ApiKey.of(await ApiKeyService(session).get(principal.organization_id, api_key_id))


@router.patch(
    "/{api_key_id}",
    operation_id="update_api_key",
    response_model=ApiKey,
    responses=error_responses(NotFoundError),
)
async def update_api_key(
    api_key_id: uuid.UUID, params: ApiKeyUpdateParams, session: SessionDep, principal: WriteDep
) -> ApiKey:
    """Rename an API key or change its expiry."""
    principal.ensure_unrestricted()
    changes = params.model_dump(exclude_unset=True)
    return ApiKey.of(await ApiKeyService(session).update(principal.organization_id, api_key_id, changes))


@router.delete(
    "/{api_key_id}",
    operation_id="delete_api_key",
    response_model=ApiKeyDeleted,
    responses=error_responses(NotFoundError),
)
async def delete_api_key(api_key_id: uuid.UUID, session: SessionDep, principal: DeleteDep) -> ApiKeyDeleted:
    """Delete an API key for good."""
    principal.ensure_unrestricted()
    row = await ApiKeyService(session).delete(principal.organization_id, api_key_id)
    return ApiKeyDeleted(id=str(row.id), deleted=True)


@router.post(
    "/{api_key_id}/revoke",
    operation_id="revoke_api_key",
    response_model=ApiKey,
    responses=error_responses(NotFoundError),
)
async def revoke_api_key(api_key_id: uuid.UUID, session: SessionDep, principal: WriteDep) -> ApiKey:
    """Revoke an API key: it stops working at once and stays listed."""
    principal.ensure_unrestricted()
    return ApiKey.of(await ApiKeyService(session).revoke(principal.organization_id, api_key_id))


@router.post(
    "/{api_key_id}/reroll",
    operation_id="reroll_api_key",
    response_model=ApiKeyCreated,
    responses=error_responses(NotFoundError, ConflictError),
)
async def reroll_api_key(api_key_id: uuid.UUID, session: SessionDep, principal: WriteDep) -> ApiKeyCreated:
    """Give an API key a new value; the old value stops working at once."""
    principal.ensure_unrestricted()
    row, value = await ApiKeyService(session).reroll(principal.organization_id, api_key_id)
    return ApiKeyCreated(**ApiKey.of(row).model_dump(), value=value)
