"""The files operations of the contract (HTTP only)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from fastapi.responses import Response

from breadbox.api.deps import SessionDep, SettingsDep
from breadbox.auth.dependencies import PrincipalDep
from breadbox.auth.scopes import Principal, ScopeMethod
from breadbox.errors import (
    AuthenticationError,
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    PayloadTooLargeError,
    error_responses,
)
from breadbox.files.schemas import FileDeleted, FileListResponse, FileObject
from breadbox.files.service import FileService, to_schema, too_large
from breadbox.pagination import CursorParams, cursor_params

router = APIRouter(
    prefix="/v1/files", tags=["files"], responses=error_responses(AuthenticationError, ForbiddenError)
)

Pagination = Annotated[CursorParams, Depends(cursor_params)]


def allow(method: ScopeMethod) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """Files belong to the organization, not to a store: a key scoped to one store may still upload
    the files it then adds to that store, so any scope entry for the method is enough."""

    async def dependency(principal: PrincipalDep) -> Principal:
        if principal.scope is not None and not any(entry.method == method for entry in principal.scope):
            principal.ensure(method)
        return principal

    return dependency


def file_service(session: SessionDep, settings: SettingsDep) -> FileService:
    return FileService(session, max_file_bytes=settings.max_file_bytes)


Service = Annotated[FileService, Depends(file_service)]


async def read_upload(upload: UploadFile, limit: int) -> bytes:
    """Read at most `limit` + 1 bytes: enough to know the file is too large without holding more."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise too_large(upload.size or len(data), limit)
    return data


@router.post(
    "",
    status_code=201,
    operation_id="create_file",
    response_model=FileObject,
    responses=error_responses(BadRequestError, PayloadTooLargeError),
)
async def create_file(
    file: Annotated[UploadFile, File(description="The file to upload")],
    service: Service,
    principal: Annotated[Principal, Depends(allow("create"))],
) -> FileObject:
    """Upload file"""
    data = await read_upload(file, service.max_file_bytes)
    return to_schema(await service.create(principal.organization_id, file.filename, file.content_type, data))


@router.get("", operation_id="list_files", response_model=FileListResponse)
async def list_files(
    pagination: Pagination,
    service: Service,
    principal: Annotated[Principal, Depends(allow("list"))],
    q: Annotated[
        str | None, Query(min_length=1, max_length=255, description="Search query for file names")
    ] = None,
) -> FileListResponse:
    """List files"""
    page = await service.list(principal.organization_id, pagination, q)
    return FileListResponse(pagination=page.pagination, data=[to_schema(r) for r in page.items])


DOWNLOAD_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {"schema": {"type": "string"}}}}
}
FileId = Annotated[uuid.UUID, Path(description="The ID of the file")]


@router.get(
    "/{file_id}",
    operation_id="retrieve_file",
    response_model=FileObject,
    responses=error_responses(NotFoundError),
)
async def retrieve_file(
    file_id: FileId, service: Service, principal: Annotated[Principal, Depends(allow("read"))]
) -> FileObject:
    """Get file details"""
    return to_schema(await service.get(principal.organization_id, file_id))


@router.delete(
    "/{file_id}",
    operation_id="delete_file",
    response_model=FileDeleted,
    responses=error_responses(NotFoundError),
)
async def delete_file(
    file_id: FileId, service: Service, principal: Annotated[Principal, Depends(allow("delete"))]
) -> FileDeleted:
    """Delete file"""
    row = await service.delete(principal.organization_id, file_id)
    return FileDeleted(id=str(row.id))


@router.get(
    "/{file_id}/content",
    operation_id="download_file",
    response_class=Response,
    responses={**DOWNLOAD_RESPONSE, **error_responses(NotFoundError)},
)
async def download_file(
    file_id: FileId, service: Service, principal: Annotated[Principal, Depends(allow("read"))]
) -> Response:
    """Download file"""
    row, data = await service.content(principal.organization_id, file_id)
    disposition = f"attachment; filename*=UTF-8''{quote(row.filename, safe='')}"
    return Response(data, media_type=row.mime_type, headers={"Content-Disposition": disposition})
