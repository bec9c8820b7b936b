"""OAuth 2.0 as linear.md §4 describes it, plus the credential check for `/graphql`.

The authorize step approves at once (or denies, when the `deny` switch is on). Codes are
single-use; access tokens live 24 hours on the simulated clock; refresh tokens rotate on every
use and a consumed one answers `invalid_grant` (optionally after a replay grace period).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from .config import LinearSimConfig


@dataclass
class Principal:
    """Who a request acts as; `bucket` keys the rate-limit budgets."""

    kind: str  # "api_key" | "oauth"
    token: str
    user_id: str
    scopes: list[str] = field(default_factory=lambda: ["read"])
    client_id: str | None = None

    @property
    def bucket(self) -> str:
        return f"{self.kind}:{self.client_id or '-'}:{self.user_id}"


@dataclass
class Grant:
    client_id: str
    user_id: str
    scopes: list[str]
    expires_at: float
    redirect_uri: str = ""
    challenge: str | None = None
    method: str = "plain"
    used: bool = False
    issued: dict[str, Any] | None = None  # the token response a code/refresh token produced
    used_at: float = 0.0


@dataclass
class TokenReply:
    status: int
    body: dict[str, Any]


def oauth_error(error: str, description: str, status: int = 400) -> TokenReply:
    return TokenReply(status, {"error": error, "error_description": description})


INVALID_CODE = "Invalid grant: authorization code is invalid"
INVALID_REFRESH = "Invalid grant: refresh token is invalid"


class OAuthServer:
    """Codes, access tokens and refresh tokens of one simulator instance."""

    def __init__(self, config: LinearSimConfig, user_id: str) -> None:
        self.config = config
        self.user_id = user_id
        self.deny = config.deny
        self.codes: dict[str, Grant] = {}
        self.access: dict[str, Grant] = {}
        self.refresh: dict[str, Grant] = {}

    # --- authorize -----------------------------------------------------------------------
    def redirect_allowed(self, uri: str) -> bool:
        if self.config.redirect_uris:
            return uri in self.config.redirect_uris
        parts = urlsplit(uri)
        return parts.scheme in ("http", "https") and parts.hostname in ("127.0.0.1", "localhost", "::1")

    def authorize(self, params: dict[str, str], now: float) -> tuple[int, str]:
        """(status, redirect location or error text) for GET /oauth/authorize."""
        if params.get("client_id") != self.config.client_id:
            return 400, "Invalid client_id"
        redirect_uri = params.get("redirect_uri", "")
        if not self.redirect_allowed(redirect_uri):
            return 400, "Invalid redirect_uri"
        back: dict[str, str] = {}
        if "state" in params:
            back["state"] = params["state"]
        method = params.get("code_challenge_method", "plain")
        if params.get("response_type") != "code":
            back = {"error": "unsupported_response_type", **back}
        elif params.get("code_challenge") and method not in ("plain", "S256"):
            back = {"error": "invalid_request", "error_description": "Invalid code_challenge_method", **back}
        elif self.deny:
            back = {"error": "access_denied", **back}
        else:
            scopes = [s for s in params.get("scope", "read").replace(" ", ",").split(",") if s] or ["read"]
            if "read" not in scopes:
                scopes.insert(0, "read")
            code = secrets.token_hex(16)
            self.codes[code] = Grant(
                self.config.client_id, self.user_id, scopes, now + self.config.code_ttl, redirect_uri,
                params.get("code_challenge") or None, method,
            )  # fmt: skip
            back = {"code": code, **back}
        sep = "&" if "?" in redirect_uri else "?"
        return 302, f"{redirect_uri}{sep}{urlencode(back)}"

    # --- token ---------------------------------------------------------------------------
    def _client(self, form: dict[str, str], basic: tuple[str, str] | None) -> tuple[str | None, str | None]:
        if basic:
            return basic
        return form.get("client_id"), form.get("client_secret")

    def token(self, form: dict[str, str], basic: tuple[str, str] | None, now: float) -> TokenReply:
        client_id, secret = self._client(form, basic)
        bad_client_status = 401 if basic else 400
        if client_id != self.config.client_id:
            return oauth_error("invalid_client", "Invalid client", bad_client_status)
        secret_ok = secret is not None and hmac.compare_digest(secret, self.config.client_secret)
        if secret is not None and not secret_ok:
            return oauth_error("invalid_client", "Invalid client credentials", bad_client_status)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._code(form, secret_ok, now)
        if grant_type == "refresh_token":
            return self._refresh(form, secret_ok, now)
        if grant_type == "client_credentials":
            if not self.config.client_credentials_enabled:
                return oauth_error("Error", "Client does not support the client_credentials grant type")
            if not secret_ok:
                return oauth_error("invalid_client", "Client authentication required", bad_client_status)
            scopes = [s for s in form.get("scope", "read").replace(" ", ",").split(",") if s]
            grant = Grant(self.config.client_id, self.user_id, scopes, 0.0)
            return TokenReply(200, self._issue(grant, now, self.config.client_credentials_ttl, refresh=False))
        return oauth_error("unsupported_grant_type", f"Unsupported grant type: {grant_type}")

    def _code(self, form: dict[str, str], secret_ok: bool, now: float) -> TokenReply:
        grant = self.codes.get(form.get("code", ""))
        if grant is None or grant.expires_at < now:
            return oauth_error("invalid_grant", INVALID_CODE)
        if grant.used:
            # RFC 6749 §4.1.2: a replayed code revokes what it produced.
            if grant.issued:
                self.revoke(grant.issued.get("access_token", ""))
                self.revoke(grant.issued.get("refresh_token", ""))
            return oauth_error("invalid_grant", INVALID_CODE)
        if form.get("redirect_uri") != grant.redirect_uri:
            return oauth_error("invalid_grant", "Invalid grant: redirect_uri does not match")
        if grant.challenge:
            verifier = form.get("code_verifier")
            if not verifier or not hmac.compare_digest(_challenge(verifier, grant.method), grant.challenge):
                return oauth_error(
                    "invalid_grant", "Invalid grant: code_verifier does not match the challenge"
                )
        elif not secret_ok:
            return oauth_error("invalid_client", "Client authentication required")
        grant.used = True
        grant.issued = self._issue(grant, now, self.config.access_token_ttl, refresh=True)
        return TokenReply(200, grant.issued)

    def _refresh(self, form: dict[str, str], secret_ok: bool, now: float) -> TokenReply:
        token = form.get("refresh_token", "")
        grant = self.refresh.get(token)
        if grant is None:
            return oauth_error("invalid_grant", INVALID_REFRESH)
        if not secret_ok and grant.challenge is None:
            return oauth_error("invalid_client", "Client authentication required")
        if grant.used:
            if grant.issued and now - grant.used_at <= self.config.refresh_grace_seconds:
                return TokenReply(200, grant.issued)
            return oauth_error("invalid_grant", INVALID_REFRESH)
        grant.used, grant.used_at = True, now
        if self.config.revoke_access_on_refresh:
            for access, owner in list(self.access.items()):
                if owner.issued is not None and owner.issued.get("refresh_token") == token:
                    del self.access[access]
        successor = Grant(grant.client_id, grant.user_id, grant.scopes, 0.0, challenge=grant.challenge)
        grant.issued = self._issue(successor, now, self.config.access_token_ttl, refresh=True)
        return TokenReply(200, grant.issued)

    def _issue(self, grant: Grant, now: float, ttl: int, refresh: bool) -> dict[str, Any]:
        access = "lin_oauth_" + secrets.token_hex(32)
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": ttl,
            "scope": " ".join(grant.scopes),
        }
        holder = Grant(grant.client_id, grant.user_id, grant.scopes, now + ttl + 1, challenge=grant.challenge)
        if refresh:
            body["refresh_token"] = "lin_refresh_" + secrets.token_hex(32)
            self.refresh[body["refresh_token"]] = Grant(
                grant.client_id, grant.user_id, grant.scopes, 0.0, challenge=grant.challenge
            )
            holder.issued = {"refresh_token": body["refresh_token"]}
        self.access[access] = holder
        return body

    def revoke(self, token: str) -> bool:
        return self.access.pop(token, None) is not None or self.refresh.pop(token, None) is not None

    # --- /graphql credentials ------------------------------------------------------------
    def principal(self, token: str, now: float) -> Principal | None:
        grant = self.access.get(token)
        if grant is None or grant.expires_at <= now:
            return None
        return Principal("oauth", token, grant.user_id, grant.scopes, grant.client_id)


def _challenge(verifier: str, method: str) -> str:
    if method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return verifier


def parse_basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, password
