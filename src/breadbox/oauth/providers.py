"""What differs between providers' OAuth2, as data: endpoints, client authentication, PKCE and the
extra authorize parameters (notion.md section 5, linear.md section 4).

- Notion: `owner=user`; token requests carry a JSON body and HTTP Basic client authentication;
  no PKCE (neither the docs nor the SDK know `code_challenge`); no scopes; no `expires_in`.
- Linear: `scope=read` (a read-only sync needs nothing more); form-encoded token requests with the
  client credentials in the body; PKCE S256 is supported, so we use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from breadbox.config import Settings
from breadbox.oauth.errors import OAuthNotConfiguredError

ProviderName = Literal["notion", "linear"]


@dataclass(frozen=True)
class OAuthProvider:
    name: ProviderName
    authorize_url: str
    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    # "client_secret_basic" (Authorization header) or "client_secret_post" (form fields).
    client_auth: Literal["client_secret_basic", "client_secret_post"]
    json_body: bool
    pkce: bool
    authorize_params: dict[str, str]
    api_url: str


def redirect_uri(settings: Settings) -> str:
    """The one callback URL to register with both providers."""
    return settings.public_url.rstrip("/") + "/v1/data_sources/oauth2/callback"


def provider_for(settings: Settings, source_type: str) -> OAuthProvider:
    """The provider's OAuth2 configuration, or a clear error naming the settings to set."""
    if source_type == "notion":
        client_id, secret = settings.notion_client_id, settings.notion_client_secret
    elif source_type == "linear":
        client_id, secret = settings.linear_client_id, settings.linear_client_secret
    else:  # pragma: no cover - the schema only admits the two types
        raise OAuthNotConfiguredError(f"No OAuth2 support for data sources of type '{source_type}'")
    secret_value = secret.get_secret_value() if secret is not None else ""
    prefix = f"BREADBOX_{source_type.upper()}"
    missing = [
        name
        for name, value in ((f"{prefix}_CLIENT_ID", client_id), (f"{prefix}_CLIENT_SECRET", secret_value))
        if not value
    ]
    if missing or not client_id:
        raise OAuthNotConfiguredError(
            f"OAuth2 for {source_type} is not configured on this server: set {' and '.join(missing)}"
        )
    if source_type == "notion":
        base = settings.notion_api_url.rstrip("/")
        return OAuthProvider(
            name="notion",
            authorize_url=f"{base}/v1/oauth/authorize",
            token_url=f"{base}/v1/oauth/token",
            client_id=client_id,
            client_secret=secret_value,
            client_auth="client_secret_basic",
            json_body=True,
            pkce=False,
            authorize_params={"owner": "user"},
            api_url=base,
        )
    base = settings.linear_api_url.rstrip("/")
    return OAuthProvider(
        name="linear",
        authorize_url=settings.linear_authorize_url,
        token_url=f"{base}/oauth/token",
        client_id=client_id,
        client_secret=secret_value,
        client_auth="client_secret_post",
        json_body=False,
        pkce=True,
        authorize_params={"scope": "read"},
        api_url=base,
    )
