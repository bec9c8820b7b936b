"""Exception handlers: every non-validation error leaves in the Mixedbread envelope."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from breadbox.errors import BreadboxError

log = logging.getLogger("breadbox.errors")

_TYPES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def envelope(status: int, message: str, error_type: str) -> dict[str, dict[str, object]]:
    return {"error": {"code": status, "message": message, "type": error_type}}


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BreadboxError)
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers())


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else "Request failed"
    error_type = _TYPES.get(exc.status_code, "error")
    return JSONResponse(
        envelope(exc.status_code, message, error_type), status_code=exc.status_code, headers=exc.headers
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception(
        "unhandled error on %s %s request_id=%s",
        request.method,
        request.url.path,
        getattr(request.state, "request_id", "-"),
    )
    return JSONResponse(envelope(500, "Internal server error", "internal_error"), status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(BreadboxError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
