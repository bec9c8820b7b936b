"""Everything one simulator instance owns; several instances can live in one process."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..common import SimState
from .blocks import Render
from .config import NotionSimConfig
from .generator import generate
from .oauth import OAuth
from .pagination import Cursors
from .ratelimit import TokenBuckets, WindowTracker


class NotionSim:
    """The workspace plus the machinery around it (clock, stats, OAuth, limits, cursors)."""

    def __init__(self, config: NotionSimConfig) -> None:
        self.config = config
        self.sim = SimState()
        self.sim.faults.update({"seed": config.seed})
        self.ws = generate(config)
        self.oauth = OAuth(config, self.ws, self.sim)
        secret = hashlib.sha256(f"breadbox-notion-sim-{config.seed}-{id(self)}".encode()).digest()
        self._file_secret = secret
        self.cursors = Cursors(secret, config.cursor_ttl_seconds)
        self.buckets = TokenBuckets(config.rate_limit_rps, config.burst)
        self.windows = WindowTracker()

    @property
    def token(self) -> str:
        return self.config.resolved_token()

    def render(self, request: Request, version: str) -> Render:
        base = str(request.base_url).rstrip("/")

        def sign(block_id: str, name: str, expiry: float) -> str:
            expires = int(expiry)
            return (
                f"{base}/_files/{block_id}/{quote(name)}?X-Amz-Expires={int(self.config.file_url_ttl_seconds)}"
                f"&expires={expires}&sig={self._sig(block_id, name, expires)}"
            )

        return Render(self.ws, version, self.sim.clock.time(), sign, self.config.file_url_ttl_seconds)

    def _sig(self, block_id: str, name: str, expires: int) -> str:
        return hmac.new(
            self._file_secret, f"{block_id}|{name}|{expires}".encode(), hashlib.sha256
        ).hexdigest()[:32]

    async def serve_file(self, request: Request) -> Response:
        """The "S3" side of hosted files: works until the signed URL expires (simulated clock)."""
        block_id, name = request.path_params["block_id"], request.path_params["name"]
        try:
            expires = int(request.query_params.get("expires", ""))
        except ValueError:
            expires = 0
        sig = request.query_params.get("sig", "")
        if not hmac.compare_digest(sig, self._sig(block_id, name, expires)):
            return _s3_error("SignatureDoesNotMatch", "The request signature we calculated does not match.")
        if self.sim.clock.time() >= expires:
            return _s3_error("AccessDenied", "Request has expired")
        self.sim.stats.extra["file_downloads"] += 1
        return PlainTextResponse(f"simulated contents of {name} ({block_id})\n")


def _s3_error(code: str, message: str) -> Response:
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return Response(body, status_code=403, media_type="application/xml")
