"""Domain errors and their one rendering: the Mixedbread envelope `{"error": {code, message, type}}`.

Services raise these; a single handler in `app.py` turns them into responses. Each class knows its
HTTP status and `type`, so routes can declare them in `responses=` and `/openapi.json` tells the
truth about what the server returns.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, Field


class InnerErrorResponse(BaseModel):
    message: str = Field(description="The error message")
    code: int = Field(description="The error code")
    type: str = Field(description="The error type")


class ErrorResponse(BaseModel):
    """Error Pydantic Response Service Message"""

    error: InnerErrorResponse


class BreadboxError(Exception):
    """Base of every error a client may see; the message must never contain a secret."""

    status_code: ClassVar[int] = 500
    error_type: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "Internal server error"

    def __init__(self, message: str | None = None, *, error_type: str | None = None) -> None:
        self.message = message or self.default_message
        if error_type:
            self.error_type = error_type  # type: ignore[misc]
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.status_code, "message": self.message, "type": self.error_type}}

    def headers(self) -> dict[str, str] | None:
        return None


class BadRequestError(BreadboxError):
    status_code = 400
    error_type = "bad_request"
    default_message = "Bad request"


class AuthenticationError(BreadboxError):
    status_code = 401
    error_type = "unauthorized"
    default_message = "Invalid or missing API key"

    def headers(self) -> dict[str, str] | None:
        return {"WWW-Authenticate": "Bearer"}


class ForbiddenError(BreadboxError):
    status_code = 403
    error_type = "forbidden"
    default_message = "This API key is not allowed to do that"


class NotFoundError(BreadboxError):
    status_code = 404
    error_type = "not_found"
    default_message = "Not found"


class ConflictError(BreadboxError):
    status_code = 409
    error_type = "conflict"
    default_message = "Conflict"


class PayloadTooLargeError(BreadboxError):
    status_code = 413
    error_type = "payload_too_large"
    default_message = "Payload too large"


class UnsupportedMediaTypeError(BreadboxError):
    status_code = 415
    error_type = "unsupported_media_type"
    default_message = "Unsupported media type"


class UnprocessableError(BreadboxError):
    """A rule the schema cannot express (used sparingly: field errors use FastAPI's 422 shape)."""

    status_code = 422
    error_type = "unprocessable_entity"
    default_message = "Unprocessable entity"


class ServiceUnavailableError(BreadboxError):
    status_code = 503
    error_type = "service_unavailable"
    default_message = "Service unavailable"


def error_responses(*errors: type[BreadboxError]) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each error's status documented with the envelope schema."""
    return {err.status_code: {"model": ErrorResponse, "description": err.default_message} for err in errors}
