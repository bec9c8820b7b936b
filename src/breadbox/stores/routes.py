"""The stores operations of the contract (HTTP only: parse, call the service, shape)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Body, Depends, File, Form, Path, Query, UploadFile
from pydantic import ValidationError

from breadbox.api.deps import SessionDep, SettingsDep
from breadbox.auth.dependencies import CreateDep, ListDep, PrincipalDep
from breadbox.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
    error_responses,
)
from breadbox.files.routes import read_upload
from breadbox.pagination import CursorParams, cursor_params
from breadbox.stores import schemas, views
from breadbox.stores.service import StoreService
from breadbox.validation import invalid

router = APIRouter(
    prefix="/v1/stores", tags=["stores"], responses=error_responses(AuthenticationError, ForbiddenError)
)

Pagination = Annotated[CursorParams, Depends(cursor_params)]
StoreIdentifier = Annotated[str, Path(description="The ID or name of the store")]
FileIdentifier = Annotated[str, Path(description="The ID or name of the file")]
INGEST_ERRORS = error_responses(NotFoundError, ConflictError, PayloadTooLargeError, UnsupportedMediaTypeError)


def store_service(session: SessionDep, settings: SettingsDep) -> StoreService:
    return StoreService(session, chunk_size=settings.chunk_size, max_file_bytes=settings.max_file_bytes)


Service = Annotated[StoreService, Depends(store_service)]


@router.post(
    "/search",
    operation_id="search_store_chunks",
    response_model=schemas.StoreSearchResponse,
    responses=error_responses(BadRequestError, NotFoundError),
)
async def search_store_chunks(
    params: Annotated[schemas.StoreChunkSearchParams, Body(description="Search parameters")],
    service: Service,
    principal: PrincipalDep,
) -> schemas.StoreSearchResponse:
    """Perform full-text search across store chunks."""
    hits = await service.search(principal, params)
    keep = params.search_options.return_metadata
    return schemas.StoreSearchResponse(data=[views.hit_schema(h, keep) for h in hits])


@router.post(
    "",
    status_code=201,
    operation_id="create_store",
    response_model=schemas.Store,
    responses=error_responses(ConflictError, NotFoundError),
)
async def create_store(
    params: Annotated[schemas.StoreCreateParams, Body(description="The store details for creation")],
    service: Service,
    principal: CreateDep,
) -> schemas.Store:
    """Create a store"""
    return (await service.describe([await service.create(principal, params)]))[0]


@router.get("", operation_id="list_stores", response_model=schemas.StoreListResponse)
async def list_stores(
    pagination: Pagination,
    service: Service,
    principal: ListDep,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=255,
            description="Search query for fuzzy matching over name and description fields",
        ),
    ] = None,
) -> schemas.StoreListResponse:
    """List stores"""
    page = await service.list_stores(principal.organization_id, pagination, q)
    return schemas.StoreListResponse(pagination=page.pagination, data=await service.describe(page.items))


@router.get(
    "/{store_identifier}",
    operation_id="retrieve_store",
    response_model=schemas.Store,
    responses=error_responses(NotFoundError),
)
async def retrieve_store(
    store_identifier: StoreIdentifier, service: Service, principal: PrincipalDep
) -> schemas.Store:
    """Get a store"""
    store = await service.authorized(principal, store_identifier, "read")
    return (await service.describe([store]))[0]


@router.put(
    "/{store_identifier}",
    operation_id="update_store",
    response_model=schemas.Store,
    responses=error_responses(NotFoundError, ConflictError),
)
async def update_store(
    store_identifier: StoreIdentifier,
    params: Annotated[schemas.StoreUpdateParams, Body(description="The fields to update")],
    service: Service,
    principal: PrincipalDep,
) -> schemas.Store:
    """Update a store"""
    return (await service.describe([await service.update(principal, store_identifier, params)]))[0]


@router.delete(
    "/{store_identifier}",
    operation_id="delete_store",
    response_model=schemas.StoreDeleted,
    responses=error_responses(NotFoundError, ConflictError),
)
async def delete_store(
    store_identifier: StoreIdentifier, service: Service, principal: PrincipalDep
) -> schemas.StoreDeleted:
    """Delete a store"""
    store = await service.delete(principal, store_identifier)
    return schemas.StoreDeleted(id=str(store.id), deleted=True)


@router.post(
    "/{store_identifier}/files",
    status_code=201,
    operation_id="create_store_file",
    response_model=schemas.StoreFile,
    responses=INGEST_ERRORS,
)
async def create_store_file(
    store_identifier: StoreIdentifier,
    params: Annotated[
        schemas.DeprecatedStoreFileUpsertParams, Body(description="The file to add to the store")
    ],
    service: Service,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> schemas.StoreFile:
    """Add a file to a store (indexed before the response: the status is final)"""
    row = await service.add_file(principal, store_identifier, params)
    return views.store_file_schema(row, settings.public_url.rstrip("/"))


@router.get(
    "/{store_identifier}/files",
    operation_id="list_store_files",
    response_model=schemas.StoreFileListResponse,
    deprecated=True,
    responses=error_responses(NotFoundError),
)
async def list_store_files(
    store_identifier: StoreIdentifier,
    pagination: Pagination,
    service: Service,
    settings: SettingsDep,
    principal: PrincipalDep,
    statuses: Annotated[
        list[schemas.StoreFileStatus] | None, Query(description="Status to filter by")
    ] = None,
) -> schemas.StoreFileListResponse:
    """[DEPRECATED] List store files"""
    page = await service.list_files(principal, store_identifier, pagination, statuses)
    base = settings.public_url.rstrip("/")
    return schemas.StoreFileListResponse(
        pagination=page.pagination, data=[views.store_file_schema(r, base) for r in page.items]
    )


@router.post(
    "/{store_identifier}/files/list",
    operation_id="list_store_files_with_metadata_filter",
    response_model=schemas.StoreFileListResponse,
    responses=error_responses(NotFoundError, BadRequestError),
)
async def list_store_files_with_metadata_filter(
    store_identifier: StoreIdentifier,
    body: Annotated[schemas.SearchCursorPagination, Body(description="For pagination")],
    service: Service,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> schemas.StoreFileListResponse:
    """List store files with metadata filter"""
    pagination = CursorParams(
        limit=body.limit, after=body.after, before=body.before, include_total=body.include_total
    )
    page = await service.list_files(
        principal, store_identifier, pagination, body.statuses, body.metadata_filter, body.q
    )
    base = settings.public_url.rstrip("/")
    return schemas.StoreFileListResponse(
        pagination=page.pagination, data=[views.store_file_schema(r, base) for r in page.items]
    )


@router.post(
    "/{store_identifier}/files/upload",
    status_code=201,
    operation_id="upload_store_file",
    response_model=schemas.StoreFile,
    responses=INGEST_ERRORS,
)
async def upload_store_file(
    store_identifier: StoreIdentifier,
    file: Annotated[UploadFile, File(description="The file to upload and index")],
    service: Service,
    settings: SettingsDep,
    principal: PrincipalDep,
    params: Annotated[str | None, Form(description="JSON: metadata, config, external_id, overwrite")] = None,
) -> schemas.StoreFile:
    """Upload file via form to store"""
    try:
        upload_params = schemas.UploadParams.model_validate(json.loads(params) if params else {})
    except (ValueError, ValidationError) as exc:
        invalid(("body", "params"), f"params must be a JSON object of upload options: {exc}", params)
    data = await read_upload(file, service.max_file_bytes)
    row = await service.upload_file(
        principal, store_identifier, file.filename, file.content_type, data, upload_params
    )
    return views.store_file_schema(row, settings.public_url.rstrip("/"))


@router.get(
    "/{store_identifier}/files/{file_identifier}",
    operation_id="retrieve_store_file",
    response_model=schemas.StoreFile,
    responses=error_responses(NotFoundError),
)
async def retrieve_store_file(
    store_identifier: StoreIdentifier,
    file_identifier: FileIdentifier,
    service: Service,
    settings: SettingsDep,
    principal: PrincipalDep,
    return_chunks: Annotated[
        list[str],
        Query(description="true/false, or the indices of the chunks to return (repeat the parameter)"),
    ] = [],  # noqa: B006 - FastAPI copies defaults per request
) -> schemas.StoreFile:
    """Get store file"""
    row = await service.get_file(principal, store_identifier, file_identifier)
    chunks = await service.file_chunks(row, _parse_return_chunks(return_chunks))
    return views.store_file_schema(row, settings.public_url.rstrip("/"), chunks)


@router.delete(
    "/{store_identifier}/files/{file_identifier}",
    operation_id="delete_store_file",
    response_model=schemas.StoreFileDeleted,
    responses=error_responses(NotFoundError),
)
async def delete_store_file(
    store_identifier: StoreIdentifier,
    file_identifier: FileIdentifier,
    service: Service,
    principal: PrincipalDep,
) -> schemas.StoreFileDeleted:
    """Delete store file"""
    row = await service.delete_file(principal, store_identifier, file_identifier)
    return schemas.StoreFileDeleted(id=str(row.file_id))


def _parse_return_chunks(values: list[str]) -> bool | list[int]:
    """`return_chunks` is a boolean or a list of indices (the SDK repeats the parameter)."""
    parts = [p.strip() for v in values for p in v.split(",") if p.strip()]
    if not parts:
        return False
    if len(parts) == 1 and parts[0].lower() in ("true", "false"):
        return parts[0].lower() == "true"
    try:
        return [int(p) for p in parts]
    except ValueError:
        invalid(("query", "return_chunks"), "Expected a boolean or a list of chunk indices", values)
