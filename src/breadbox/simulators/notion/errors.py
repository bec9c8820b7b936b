"""The Notion error envelope (notion.md 1.4/1.5) as an exception handlers can raise."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

DEFAULT_MESSAGES = {
    "invalid_json": "Error parsing JSON body.",
    "invalid_request_url": "Invalid request URL.",
    "unauthorized": "API token is invalid.",
    "restricted_resource": "API token does not have access to this resource.",
    "rate_limited": "You have been rate limited. Please try again in a few minutes.",
    "conflict_error": "Conflict occurred while saving. Please try again.",
    "internal_server_error": "Unexpected error occurred.",
    "service_unavailable": "Notion is unavailable, please try again later.",
    "gateway_timeout": "Notion timed out while processing the request.",
    "service_overload": "Notion is currently overloaded. Please try again later.",
    "database_connection_unavailable": "Notion's database is unavailable or in an unqueryable state.",
}

FAULT_CODES = {
    409: "conflict_error",
    429: "rate_limited",
    500: "internal_server_error",
    503: "service_unavailable",
    504: "gateway_timeout",
    529: "service_overload",
}


class NotionError(Exception):
    """An API error; `app.py` turns it into the JSON envelope with the request id."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str | None = None,
        headers: dict[str, str] | None = None,
        additional_data: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message or DEFAULT_MESSAGES.get(code, code))
        self.status = status
        self.code = code
        self.message = message or DEFAULT_MESSAGES.get(code, code)
        self.headers = headers or {}
        self.additional_data = additional_data

    def response(self, request_id: str) -> Response:
        body: dict[str, Any] = {
            "object": "error",
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "request_id": request_id,
        }
        if self.additional_data is not None:
            body["additional_data"] = self.additional_data
        headers = {"x-notion-request-id": request_id, **self.headers}
        return JSONResponse(body, status_code=self.status, headers=headers)


def not_found(kind: str, object_id: str) -> NotionError:
    return NotionError(
        404,
        "object_not_found",
        f"Could not find {kind} with ID: {object_id}. Make sure the relevant pages and "
        "databases are shared with your integration.",
    )


def validation(message: str) -> NotionError:
    return NotionError(400, "validation_error", message)
