"""A request id on every response, one access-log line and one latency observation per request.

Pure ASGI (no BaseHTTPMiddleware) to keep the per-request cost low. The access log records the
path but never the query string or headers: OAuth callbacks carry `code` and `state` there, and
clients send keys in headers.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from breadbox.metrics import http_request_seconds

access_log = logging.getLogger("breadbox.access")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers: list[Any] = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            # The route template, not the raw path: one series per endpoint, not per object.
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            http_request_seconds.labels(scope["method"], template, f"{status // 100}xx").observe(elapsed)
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    "%s %s %s %.1fms request_id=%s",
                    scope["method"],
                    scope["path"],
                    status,
                    elapsed * 1000,
                    request_id,
                )


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            # Only accept ids that cannot smuggle anything into logs.
            if 0 < len(text) <= 100 and all(c.isalnum() or c in "-_." for c in text):
                return text
    return None
