"""Error bodies shaped like the captures in linear.md §1.

Real payloads carry both `extensions.type` (what the SDK keys on) and `extensions.code` (what
the docs and most connectors key on); the simulator always sends both.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError


class ApiError(Exception):
    """Ends a GraphQL request early with this HTTP status and body."""

    def __init__(self, status: int, errors: list[dict[str, Any]], with_data: bool = False) -> None:
        super().__init__(errors[0]["message"] if errors else "error")
        self.status = status
        self.body: dict[str, Any] = {"errors": errors}
        if with_data:
            self.body["data"] = None


def error(
    message: str,
    code: str,
    type_: str,
    status: int,
    presentable: str | None = None,
    meta: dict[str, Any] | None = None,
    http_status: int | None = None,
) -> dict[str, Any]:
    extensions: dict[str, Any] = {"type": type_, "code": code, "statusCode": status, "userError": True}
    if presentable is not None:
        extensions["userPresentableMessage"] = presentable
    if meta is not None:
        extensions["meta"] = meta
    extensions["http"] = {"headers": {}, "status": http_status if http_status is not None else status}
    return {"message": message, "extensions": extensions}


def authentication(status: int) -> ApiError:
    return ApiError(
        status,
        [
            error(
                "Authentication required, not authenticated",
                "AUTHENTICATION_ERROR",
                "authentication error",
                401,
                "You need to authenticate to access this operation.",
                meta={},
                http_status=status,
            )
        ],
    )


def ratelimited(
    status: int, what: str, limit: int, remaining: int, requested: int, period_ms: int
) -> ApiError:
    hours = period_ms / 3_600_000
    period = "1 hour" if hours == 1 else f"{period_ms / 1000:g} seconds"
    message = (
        f"Rate limit exceeded. Only {limit} {what} are allowed per {period}. For more information see our "
        "developer docs at: https://linear.app/developers/rate-limiting"
    )
    meta = {
        "rateLimitResult": {
            "allowed": False,
            "requested": requested,
            "remaining": remaining,
            "duration": period_ms,
            "limit": limit,
        }
    }
    return ApiError(
        status, [error(message, "RATELIMITED", "ratelimited", 429, message, meta, http_status=status)]
    )


def input_error(message: str, presentable: str, status: int = 400) -> dict[str, Any]:
    return error(message, "INPUT_ERROR", "invalid input", 400, presentable, http_status=status)


def too_complex(complexity: float, maximum: int) -> ApiError:
    return ApiError(
        400,
        [
            input_error(
                "Query too complex",
                f"The query is too complex. Complexity: {complexity}. Maximum allowed complexity: {maximum}.",
            )
        ],
    )


def graphql_errors(errors: list[GraphQLError], code: str, status: int) -> ApiError:
    """Parse and validation failures, as Apollo-style GRAPHQL_*_FAILED errors."""
    out = []
    for err in errors:
        item: dict[str, Any] = {"message": err.message}
        if err.locations:
            item["locations"] = [{"line": loc.line, "column": loc.column} for loc in err.locations]
        item["extensions"] = {
            "http": {"status": status, "headers": {}},
            "code": code,
            "type": "graphql error",
            "userError": True,
        }
        out.append(item)
    return ApiError(status, out)


def bad_request(message: str) -> ApiError:
    return ApiError(400, [error(message, "BAD_REQUEST", "graphql error", 400, message)])
