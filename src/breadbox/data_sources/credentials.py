"""Sealing credentials and showing them redacted.

A response never carries a secret: API keys and tokens are shown as `ntn_…a1b2`. The redacted
forms are computed when the secret is stored and kept in `auth_info`, so reads never decrypt.
"""

from __future__ import annotations

from typing import Any

from breadbox.crypto import SecretBox, redact
from breadbox.data_sources.models import DataSource
from breadbox.data_sources.repository import DataSourceRecord
from breadbox.data_sources.schemas import DataSourceApiKeyParams, DataSourceOAuth2Params
from breadbox.db.base import as_datetime, utcnow

OAUTH_PUBLIC_FIELDS = ("created_at", "scope", "token_type", "expires_on", "additional_params")


def set_api_key(row: DataSource, box: SecretBox, api_key: str) -> None:
    row.auth_type = "api_key"
    row.credentials = box.seal({"api_key": api_key})
    row.auth_info = {"api_key": redact(api_key)}
    row.auth_error = None
    row.auth_updated_at = utcnow()


def set_oauth2_pending(row: DataSource) -> None:
    """OAuth2 chosen, no tokens yet: the authorize flow fills them in."""
    row.auth_type = "oauth2"
    row.credentials = None
    row.auth_info = {}
    row.auth_error = None
    row.auth_updated_at = utcnow()


def set_oauth2_tokens(
    row: DataSource, box: SecretBox, tokens: dict[str, Any], public: dict[str, Any]
) -> None:
    """Store a token pair sealed, and its non-secret fields (scope, expiry, workspace) in the clear."""
    row.auth_type = "oauth2"
    row.credentials = box.seal(tokens)
    info = {key: public.get(key) for key in OAUTH_PUBLIC_FIELDS}
    info["access_token"] = redact(tokens["access_token"]) if tokens.get("access_token") else None
    info["refresh_token"] = redact(tokens["refresh_token"]) if tokens.get("refresh_token") else None
    row.auth_info = info
    row.auth_error = None
    row.auth_updated_at = utcnow()


def clear(row: DataSource) -> None:
    row.auth_type = None
    row.credentials = None
    row.auth_info = None
    row.auth_error = None
    row.auth_updated_at = utcnow()


def open_credentials(row: DataSource, box: SecretBox) -> dict[str, Any]:
    return box.open(row.credentials) if row.credentials else {}


def public_auth_params(
    row: DataSource | DataSourceRecord,
) -> DataSourceOAuth2Params | DataSourceApiKeyParams | None:
    info = row.auth_info or {}
    if row.auth_type == "api_key":
        return DataSourceApiKeyParams(api_key=info.get("api_key", "…"))
    if row.auth_type == "oauth2":
        # Before the first authorization there are no credentials yet: the auth params' own time.
        return DataSourceOAuth2Params(
            created_at=as_datetime(info.get("created_at")) or row.auth_updated_at or row.created_at,
            scope=info.get("scope", "read"),
            access_token=info.get("access_token"),
            refresh_token=info.get("refresh_token"),
            token_type=info.get("token_type"),
            expires_on=as_datetime(info.get("expires_on")),
            additional_params=info.get("additional_params"),
        )
    return None
