"""Notion OAuth (notion.md section 5): an authorize URL that clicks "Allow" at once, and the
token endpoint with single-use codes, redirect checks and rotating refresh tokens.

Every OAuth grant sees what the integration is shared with (as if the page picker selected
everything shared), so OAuth tokens and the internal token read the same workspace.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..common import SimState
from .config import NotionSimConfig
from .errors import NotionError, validation
from .objects import person_json
from .workspace import Workspace


@dataclass
class TokenInfo:
    """What a bearer token stands for."""

    token: str
    kind: str  # internal | oauth
    bot_id: str
    owner: dict[str, Any]
    issued: float
    expires_at: float | None = None
    revoked: bool = False


@dataclass
class Grant:
    client_id: str
    redirect_uri: str | None
    issued: float
    used: bool = False


@dataclass
class RefreshInfo:
    bot_id: str
    owner: dict[str, Any]
    active: bool = True
    access_token: str = ""


class OAuthError(NotionError):
    """An OAuth failure; answered in the configured body style (notion.md 5.5 is unsure which)."""

    def __init__(self, status: int, code: str, message: str, rfc: bool) -> None:
        super().__init__(status, code, message)
        self.rfc = rfc

    def response(self, request_id: str) -> Response:
        if not self.rfc:
            return super().response(request_id)
        rfc_code = "invalid_client" if self.status == 401 else self.code
        return JSONResponse(
            {"error": rfc_code, "error_description": self.message},
            status_code=self.status,
            headers={"x-notion-request-id": request_id},
        )


class OAuth:
    """Codes, access tokens and refresh tokens of one simulator instance."""

    def __init__(self, config: NotionSimConfig, ws: Workspace, state: SimState) -> None:
        self.config = config
        self.ws = ws
        self.state = state
        self.client_id = config.resolved_client_id()
        self.client_secret = config.resolved_client_secret()
        self.deny = config.oauth_deny
        self.codes: dict[str, Grant] = {}
        self.refresh: dict[str, RefreshInfo] = {}
        internal = config.resolved_token()
        self.tokens: dict[str, TokenInfo] = {
            internal: TokenInfo(
                internal, "internal", ws.bot.id, {"type": "workspace", "workspace": True}, 0.0
            )
        }

    def _error(self, status: int, code: str, message: str) -> OAuthError:
        return OAuthError(status, code, message, self.config.oauth_error_style == "rfc6749")

    def bearer(self, token: str) -> TokenInfo | None:
        info = self.tokens.get(token)
        if info is None or info.revoked:
            return None
        if info.expires_at is not None and self.state.clock.time() >= info.expires_at:
            return None
        return info

    # ---- GET /v1/oauth/authorize ------------------------------------------------------------
    def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != self.client_id:
            raise NotionError(400, "invalid_request", "Invalid client_id.")
        if q.get("response_type") != "code":
            raise validation("response_type should be `code`.")
        if q.get("owner", "user") != "user":
            raise validation("owner should be `user`.")
        redirect_uri = q.get("redirect_uri")
        allowed = self.config.redirect_uris
        target = redirect_uri or (allowed[0] if len(allowed) == 1 else None)
        if target is None or (allowed and target not in allowed):
            raise NotionError(400, "invalid_request", "Invalid redirect_uri.")
        params: dict[str, str] = {}
        if self.deny:
            params["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(24)
            self.codes[code] = Grant(self.client_id, redirect_uri, self.state.clock.time())
            params["code"] = code
        if "state" in q:
            params["state"] = q["state"]
        return RedirectResponse(_with_query(target, params), status_code=302)

    # ---- POST /v1/oauth/token ---------------------------------------------------------------
    def check_client(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        try:
            scheme, _, encoded = header.partition(" ")
            client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            scheme, client_id, secret = "", "", ""
        ok = scheme.lower() == "basic" and client_id == self.client_id
        if not ok or not secrets.compare_digest(secret, self.client_secret):
            raise self._error(401, "unauthorized", "Invalid client credentials.")

    async def token(self, request: Request, request_id: str) -> Response:
        self.check_client(request)
        body = await read_json(request)
        grant_type = body.get("grant_type")
        if grant_type == "authorization_code":
            bot_id, owner = self._redeem_code(body)
        elif grant_type == "refresh_token":
            bot_id, owner = self._use_refresh(body)
        else:
            raise self._error(
                400, "validation_error", "body.grant_type should be `authorization_code` or `refresh_token`."
            )
        return JSONResponse(
            self._issue(bot_id, owner, request_id), headers={"x-notion-request-id": request_id}
        )

    def _redeem_code(self, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        code = body.get("code")
        grant = self.codes.get(code) if isinstance(code, str) else None
        now = self.state.clock.time()
        if grant is None or grant.used or now - grant.issued > self.config.oauth_code_ttl_seconds:
            raise self._error(400, "invalid_grant", "Invalid code: this code has been revoked.")
        grant.used = True  # single use, even when the rest of the request is wrong
        if body.get("redirect_uri") != grant.redirect_uri:
            raise self._error(
                400, "invalid_grant", "Invalid redirect_uri: it does not match the authorization."
            )
        owner = {"type": "user", "user": person_json(self.ws.people[0]) if self.ws.people else {}}
        return str(uuid.uuid4()), owner

    def _use_refresh(self, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        token = body.get("refresh_token")
        info = self.refresh.get(token) if isinstance(token, str) else None
        if info is None or not info.active:
            raise self._error(400, "invalid_grant", "Invalid refresh token.")
        info.active = False  # rotation: the old refresh token is spent
        if self.config.oauth_refresh_revokes_old_access and info.access_token in self.tokens:
            self.tokens[info.access_token].revoked = True
        self.state.stats.extra["token_refreshes"] += 1
        return info.bot_id, info.owner

    def _issue(self, bot_id: str, owner: dict[str, Any], request_id: str) -> dict[str, Any]:
        now = self.state.clock.time()
        ttl = self.config.oauth_access_token_ttl
        access = "ntn_" + secrets.token_hex(23)
        refresh = "nrt_" + secrets.token_hex(23)
        self.tokens[access] = TokenInfo(access, "oauth", bot_id, owner, now, now + ttl if ttl else None)
        self.refresh[refresh] = RefreshInfo(bot_id, owner, access_token=access)
        self.state.stats.extra["tokens_issued"] += 1
        out: dict[str, Any] = {
            "access_token": access,
            "token_type": "bearer",
            "refresh_token": refresh,
            "bot_id": bot_id,
            "workspace_id": self.ws.id,
            "workspace_name": self.ws.name,
            "workspace_icon": None,
            "owner": owner,
            "duplicated_template_id": None,
            "request_id": request_id,
        }
        if ttl and self.config.oauth_include_expires_in:
            out["expires_in"] = int(ttl)
        return out

    # ---- introspect / revoke ----------------------------------------------------------------
    async def introspect(self, request: Request, request_id: str) -> Response:
        self.check_client(request)
        token = (await read_json(request)).get("token")
        info = self.bearer(token) if isinstance(token, str) else None
        body: dict[str, Any] = {"active": info is not None, "request_id": request_id}
        if info is not None:
            body.update(scope="read_content read_comments", iat=int(info.issued))
        return JSONResponse(body, headers={"x-notion-request-id": request_id})

    async def revoke(self, request: Request, request_id: str) -> Response:
        self.check_client(request)
        token = (await read_json(request)).get("token")
        if isinstance(token, str) and token in self.tokens and self.tokens[token].kind == "oauth":
            self.tokens[token].revoked = True
        if isinstance(token, str) and token in self.refresh:
            self.refresh[token].active = False
        return JSONResponse({"request_id": request_id}, headers={"x-notion-request-id": request_id})


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


async def read_json(request: Request) -> dict[str, Any]:
    """The JSON object body; `{}` when empty; 400 invalid_json when it does not parse."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotionError(400, "invalid_json") from exc
    if not isinstance(data, dict):
        raise validation("body failed validation: body should be an object.")
    return data
