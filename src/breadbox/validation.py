"""Raising request-validation errors from code, in exactly the 422 shape FastAPI renders.

Some rules are only checkable after parsing (a malformed cursor, a type change on PUT); they
must still look like every other validation error to clients.
"""

from __future__ import annotations

from typing import Any, NoReturn

from fastapi.exceptions import RequestValidationError


def invalid(loc: tuple[str | int, ...], msg: str, value: Any, error_type: str = "value_error") -> NoReturn:
    detail: dict[str, Any] = {"type": error_type, "loc": list(loc), "msg": msg, "input": value}
    if error_type == "value_error":
        detail["msg"] = f"Value error, {msg}"
        detail["ctx"] = {"error": msg}
    raise RequestValidationError([detail])
