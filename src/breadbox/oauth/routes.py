"""The two OAuth2 operations of the contract, and the page the callback lands on."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from breadbox.api.deps import DatabaseDep, SecretBoxDep, SessionDep, SettingsDep
from breadbox.auth.dependencies import WriteDep
from breadbox.errors import (
    AuthenticationError,
    BadRequestError,
    BreadboxError,
    ErrorResponse,
    ForbiddenError,
    NotFoundError,
    error_responses,
)
from breadbox.oauth import pages
from breadbox.oauth.service import OAuthService, page_status
from breadbox.validation import invalid

router = APIRouter(prefix="/v1/data_sources", tags=["data_sources"])
ui_router = APIRouter(include_in_schema=False)

# The contract declares `code` required. A provider that redirects back with `error=` often sends
# no code, and that must answer 400 with the provider's error, not 422. So `code` is parsed as
# optional (hidden from the generated schema) and declared here exactly as the contract has it;
# without an `error`, a missing code is still a 422 in FastAPI's shape. The contract also lists
# the API-key security scheme (the SDK attaches its key); the server ignores keys here, because
# the browser that arrives has none: the state authenticates the request.
CALLBACK_OPENAPI: dict[str, Any] = {
    "security": [{"ApiKeyAuth": []}],
    "parameters": [
        {
            "name": "code",
            "in": "query",
            "required": True,
            "description": "Authorization code from OAuth2 provider",
            "schema": {
                "type": "string",
                "title": "Code",
                "description": "Authorization code from OAuth2 provider",
            },
        }
    ],
}


@router.get(
    "/{data_source_id}/oauth2/authorize",
    operation_id="authorize_data_source",
    summary="Authorize a data source",
    response_model=None,
    responses={
        200: {"description": "The authorization URL"},
        307: {"description": "With `?redirect=true`: redirect to the provider's authorization page"},
        **error_responses(BadRequestError, AuthenticationError, ForbiddenError, NotFoundError),
    },
)
async def authorize_data_source(
    data_source_id: Annotated[uuid.UUID, Path(description="The ID of the data source to authorize")],
    session: SessionDep,
    box: SecretBoxDep,
    settings: SettingsDep,
    principal: WriteDep,
    redirect: Annotated[bool, Query(include_in_schema=False)] = False,
) -> Response:
    """Start OAuth2 authorization for a data source: answers `{"url", "expires_at"}` (or, with
    `?redirect=true`, a 307 to that URL). Needs the `write` scope, because completing it replaces
    the data source's credentials."""
    started = await OAuthService(box, settings).start(session, principal.organization_id, data_source_id)
    headers = {"Cache-Control": "no-store"}
    if redirect:
        return RedirectResponse(started.url, status_code=307, headers=headers)
    body = {"url": started.url, "expires_at": started.expires_at.isoformat().replace("+00:00", "Z")}
    return JSONResponse(body, headers=headers)


@router.get(
    "/oauth2/callback",
    operation_id="oauth2_callback",
    summary="OAuth2 callback for data source authorization",
    status_code=307,
    response_model=None,
    responses={
        307: {"description": "Successful authorization, redirect to data source"},
        400: {"model": ErrorResponse, "description": "OAuth2 error or invalid parameters"},
        404: {"model": ErrorResponse, "description": "Invalid or expired state parameter"},
    },
    openapi_extra=CALLBACK_OPENAPI,
)
async def oauth2_callback(
    request: Request,
    database: DatabaseDep,
    box: SecretBoxDep,
    settings: SettingsDep,
    state: Annotated[str, Query(description="OAuth2 state parameter for CSRF protection")],
    code: Annotated[str | None, Query(include_in_schema=False)] = None,
    error: Annotated[str | None, Query(description="OAuth2 error code if authorization failed")] = None,
    error_description: Annotated[str | None, Query(description="Human-readable error description")] = None,
) -> Response:
    """OAuth2 callback for data source authorization: authenticated by `state`, it stores the
    tokens and redirects to the data source's page."""
    if code is None and error is None:
        invalid(("query", "code"), "Field required", None, "missing")
    try:
        data_source_id = await OAuthService(box, settings).complete(
            database, state=state, code=code, error=error, error_description=error_description
        )
    except BreadboxError as exc:
        if not pages.wants_html(request.headers.get("accept")):
            raise
        return pages.page("Authorization failed", [exc.message], exc.status_code)
    return RedirectResponse(f"/ui/data-sources/{data_source_id}", status_code=307, headers=pages.HEADERS)


@ui_router.get("/ui/data-sources/{data_source_id}")
async def data_source_page(data_source_id: str, database: DatabaseDep) -> Response:
    """Where the callback lands. It needs no API key (a browser has none), so it shows only the
    name, type and connection status of the data source whose (unguessable) id is in the URL."""
    try:
        found = await page_status(database, uuid.UUID(data_source_id))
    except ValueError:
        found = None
    if found is None:
        return pages.page("Data source not found", ["No data source has this id."], 404)
    name, source_type, status = found
    title = f"{name} is {status}" if status == "connected" else name
    return pages.page(title, [f"{source_type.capitalize()} data source “{name}”: {status}."])
