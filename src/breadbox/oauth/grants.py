"""How a token response becomes a data source's stored credentials.

The sealed part holds the secrets and the expiry the refresh logic needs; `auth_info` (through
`set_oauth2_tokens`) holds what responses may show: redacted tokens, scope, type, expiry and the
provider's non-secret metadata (`additional_params`). Dates are ISO strings: both are JSON columns.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from breadbox.crypto import SecretBox
from breadbox.data_sources.credentials import set_oauth2_tokens
from breadbox.data_sources.models import DataSource
from breadbox.oauth.client import TokenGrant


def apply_grant(
    row: DataSource,
    box: SecretBox,
    grant: TokenGrant,
    *,
    now: datetime,
    created_at: datetime,
    additional_params: dict[str, Any] | None,
    previous_refresh_token: str | None = None,
) -> None:
    """Seal `grant` into `row` and clear any `auth_error`.

    A refresh response without a refresh token keeps the previous one (RFC 6749 6: the server
    *may* issue a new one)."""
    expires_at = now + timedelta(seconds=grant.expires_in) if grant.expires_in is not None else None
    tokens = {
        "access_token": grant.access_token,
        "refresh_token": grant.refresh_token or previous_refresh_token,
        "token_type": grant.token_type,
        "expires_at": expires_at.isoformat() if expires_at else None,
    }
    public = {
        "created_at": created_at.isoformat(),
        "scope": grant.scope,
        "token_type": grant.token_type,
        "expires_on": expires_at.isoformat() if expires_at else None,
        "additional_params": additional_params,
    }
    set_oauth2_tokens(row, box, tokens, public)


def expires_at(tokens: dict[str, Any]) -> datetime | None:
    value = tokens.get("expires_at")
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def notion_params(grant: TokenGrant) -> dict[str, Any]:
    """Which workspace and which authorization (`bot_id`) the token is for (notion.md 5.3)."""
    return {key: grant.extra.get(key) for key in ("workspace_id", "workspace_name", "bot_id")}
