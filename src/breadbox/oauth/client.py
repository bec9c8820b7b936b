"""Talking to a provider's OAuth2 endpoints through Authlib's httpx client.

Everything here is stateless and DB-free: build the authorize URL, exchange a code, refresh a
token. Failures come back as one typed `ProviderTokenError` whose text is safe to show and log
(the provider's error code and description, or an HTTP status; never a token or a code).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import httpx

from breadbox.oauth.providers import OAuthProvider

with warnings.catch_warnings():
    # Authlib prefers the `httpx2` package and warns when it falls back to `httpx` (which we use);
    # importing `authlib.deprecate` installs an "always" filter, so ours must come after it.
    from authlib.deprecate import AuthlibDeprecationWarning

    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.common.urls import url_decode
    from authlib.integrations.base_client import OAuthError
    from authlib.integrations.httpx_client import AsyncOAuth2Client

TIMEOUT = httpx.Timeout(15.0)

# Fields of a token response that are secret or already stored elsewhere; the rest is kept as
# provider metadata (Notion's workspace_id, bot_id, ...).
TOKEN_FIELDS = frozenset({"access_token", "refresh_token", "token_type", "expires_in", "expires_at", "scope"})


class ProviderTokenError(Exception):
    """The token endpoint refused or failed. `error` is the RFC 6749 code when the provider gave one
    (`invalid_grant`, `invalid_client`, ...), otherwise `http_<status>`, `unreachable` or
    `invalid_response`; `retriable` says whether trying again later may succeed."""

    def __init__(self, error: str, description: str | None, *, retriable: bool) -> None:
        self.error = error
        self.description = description
        self.retriable = retriable
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        return f"{self.error} ({self.description})" if self.description else self.error


@dataclass(frozen=True)
class TokenGrant:
    """A token response: the secrets (hidden from repr) and the non-secret fields."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    token_type: str | None
    scope: str | None
    expires_in: float | None
    extra: dict[str, Any]

    @classmethod
    def parse(cls, body: dict[str, Any]) -> TokenGrant:
        access = body.get("access_token")
        if not isinstance(access, str) or not access:
            raise ProviderTokenError(
                "invalid_response", "the token response has no access_token", retriable=True
            )
        refresh = body.get("refresh_token")
        scope = body.get("scope")
        if isinstance(scope, list):  # Linear apps created before Dec 2023 answer a list
            scope = " ".join(str(s) for s in scope)
        expires_in = body.get("expires_in")
        return cls(
            access_token=access,
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            token_type=body.get("token_type") if isinstance(body.get("token_type"), str) else None,
            scope=scope if isinstance(scope, str) else None,
            expires_in=float(expires_in) if isinstance(expires_in, int | float) else None,
            extra={k: v for k, v in body.items() if k not in TOKEN_FIELDS},
        )


def _rfc6749_errors(response: httpx.Response) -> httpx.Response:
    """Give every 4xx the RFC 6749 `{"error", "error_description"}` shape Authlib understands.

    Notion answers in its own envelope (`{"object": "error", "code": "invalid_grant", "message"}`);
    Authlib would take that body for a token. notion.md 5.5 is unsure which shape is current, so
    both are accepted."""
    if not 400 <= response.status_code < 500:
        return response
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return response
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        error, description = body["code"], body.get("message")
    else:
        error, description = f"http_{response.status_code}", None
    return httpx.Response(
        response.status_code,
        json={"error": error, "error_description": description},
        request=response.request,
    )


class _Client(AsyncOAuth2Client):  # type: ignore[misc]
    """Authlib's async client, posting a JSON body instead of a form when the provider wants one.

    Authlib's httpx integration always sends token requests as `data=`; Notion's token endpoint
    takes JSON (notion.md 5.3). Only the body encoding changes; client authentication, request
    preparation and response parsing remain Authlib's."""

    json_body = False

    async def _fetch_token(self, url: str, body: str = "", headers: Any = None, **kwargs: Any) -> Any:
        if not self.json_body:
            return await super()._fetch_token(url, body=body, headers=headers, **kwargs)
        kwargs.pop("method", None)
        response = await self.post(url, json=dict(url_decode(body)), headers=_as_json(headers), **kwargs)
        for hook in self.compliance_hook["access_token_response"]:
            response = hook(response)
        return self.parse_response_token(response)

    async def _refresh_token(
        self, url: str, refresh_token: str | None = None, body: str = "", headers: Any = None, **kwargs: Any
    ) -> Any:
        if not self.json_body:
            return await super()._refresh_token(
                url, refresh_token=refresh_token, body=body, headers=headers, **kwargs
            )
        response = await self.post(url, json=dict(url_decode(body)), headers=_as_json(headers), **kwargs)
        for hook in self.compliance_hook["refresh_token_response"]:
            response = hook(response)
        return self.parse_response_token(response)


def _as_json(headers: Any) -> dict[str, str]:
    out = {k: v for k, v in dict(headers or {}).items() if k.lower() != "content-type"}
    out["Content-Type"] = "application/json"
    return out


def _client(provider: OAuthProvider, redirect_uri: str | None = None) -> _Client:
    client = _Client(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        token_endpoint_auth_method=provider.client_auth,
        redirect_uri=redirect_uri,
        code_challenge_method="S256" if provider.pkce else None,
        timeout=TIMEOUT,
        # The OAuth calls must not pick up proxies or netrc credentials from the environment.
        trust_env=False,
    )
    client.json_body = provider.json_body
    client.register_compliance_hook("access_token_response", _rfc6749_errors)
    client.register_compliance_hook("refresh_token_response", _rfc6749_errors)
    return client


def authorization_url(
    provider: OAuthProvider, redirect_uri: str, state: str, code_verifier: str | None
) -> str:
    """The provider's authorize URL with client_id, redirect_uri, response_type=code, state, the
    provider's extra parameters and (when it supports PKCE) an S256 code challenge."""
    client = _client(provider, redirect_uri)
    url, _ = client.create_authorization_url(
        provider.authorize_url, state=state, code_verifier=code_verifier, **provider.authorize_params
    )
    return str(url)


async def exchange_code(
    provider: OAuthProvider, code: str, redirect_uri: str, code_verifier: str | None
) -> TokenGrant:
    extra = {"code_verifier": code_verifier} if code_verifier else {}
    async with _client(provider, redirect_uri) as client:
        body = await _call(
            client.fetch_token(
                provider.token_url,
                grant_type="authorization_code",
                code=code,
                redirect_uri=redirect_uri,
                **extra,
            )
        )
    return TokenGrant.parse(body)


async def refresh(provider: OAuthProvider, refresh_token: str) -> TokenGrant:
    async with _client(provider) as client:
        body = await _call(client.refresh_token(provider.token_url, refresh_token=refresh_token))
    return TokenGrant.parse(body)


async def _call(request: Any) -> dict[str, Any]:
    """Await an Authlib token request, turning every failure into `ProviderTokenError`.

    The messages are built here from status codes and the provider's error fields only: httpx's
    own exception text is never passed on."""
    try:
        token = await request
    except OAuthError as exc:
        raise ProviderTokenError(str(exc.error), exc.description, retriable=False) from None
    except httpx.HTTPStatusError as exc:
        status = exc.response.status_code
        retriable = status >= 500 or status == 429
        raise ProviderTokenError(
            f"http_{status}", f"the token endpoint answered HTTP {status}", retriable=retriable
        ) from None
    except httpx.TimeoutException:
        raise ProviderTokenError(
            "timeout", "the token endpoint did not answer in time", retriable=True
        ) from None
    except httpx.TransportError as exc:
        raise ProviderTokenError(
            "unreachable", f"the token endpoint could not be reached ({type(exc).__name__})", retriable=True
        ) from None
    except ValueError:
        raise ProviderTokenError(
            "invalid_response", "the token endpoint did not answer a JSON object", retriable=True
        ) from None
    return dict(token)


LINEAR_ORGANIZATION_QUERY = "query BreadboxOrganization { viewer { organization { id name urlKey } } }"


async def linear_organization(api_url: str, access_token: str) -> dict[str, Any] | None:
    """Which Linear workspace a token reads (`additional_params`); None when it cannot be learned.

    Linear's token response does not say, so ask GraphQL once. This is decoration: a failure here
    must not fail an authorization whose tokens are already good."""
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT, trust_env=False) as client:
            response = await client.post(
                f"{api_url.rstrip('/')}/graphql",
                json={"query": LINEAR_ORGANIZATION_QUERY},
                headers={"Authorization": f"Bearer {access_token}"},
            )
        organization = response.json()["data"]["viewer"]["organization"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(organization, dict):
        return None
    return {
        "organization_id": organization.get("id"),
        "organization_name": organization.get("name"),
        "organization_url_key": organization.get("urlKey"),
    }
