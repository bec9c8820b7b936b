"""Exception handlers: every non-validation error leaves in the Mixedbread envelope."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from breadbox.crypto import redact
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


SECRET_FIELDS = frozenset({"api_key", "access_token", "refresh_token", "client_secret", "code", "value"})


def _scrub(value: Any) -> Any:
    """The same structure with secret-named fields redacted: a 422 echoes the input back, and a
    credential must not travel back through proxies and client logs because of a typo elsewhere."""
    if isinstance(value, dict):
        return {
            k: (redact(v) if k in SECRET_FIELDS and isinstance(v, str) else _scrub(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, bytes):
        # A body that is not UTF-8 is echoed as text, never decoded strictly (that would be a 500).
        return value.decode("utf-8", errors="replace")
    return value


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        error = dict(error)
        if "input" in error:
            loc = error.get("loc") or ()
            if loc and loc[-1] in SECRET_FIELDS and isinstance(error["input"], str):
                error["input"] = redact(error["input"])
            else:
                error["input"] = _scrub(error["input"])
        errors.append(error)
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(BreadboxError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
