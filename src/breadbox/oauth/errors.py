"""OAuth2 errors. Messages name data sources, providers and settings, never a token, code or state."""

from __future__ import annotations

import uuid

from breadbox.errors import BadRequestError, BreadboxError, ConflictError, NotFoundError


class AuthTypeNotSupportedError(BadRequestError):
    error_type = "auth_type_not_supported"
    default_message = "This data source does not use OAuth2"


class OAuthNotConfiguredError(BadRequestError):
    """The provider has no client credentials on this server: an administrator must set them."""

    error_type = "oauth2_not_configured"
    default_message = "OAuth2 is not configured for this provider"


class InvalidStateError(NotFoundError):
    """Unknown, expired or already used `state` (all alike: a probe learns nothing)."""

    error_type = "invalid_state"
    default_message = "Invalid or expired OAuth2 state; start the authorization again"


class ProviderAuthorizationError(BadRequestError):
    """The provider redirected back with `error=` (the user denied access, or a bad request)."""

    error_type = "oauth2_authorization_error"
    default_message = "The provider did not authorize the data source"

    def __init__(self, error: str, description: str | None) -> None:
        self.provider_error = error
        self.provider_description = description
        text = f"The provider answered '{error}'" + (f": {description}" if description else "")
        super().__init__(text)


class TokenExchangeError(BadRequestError):
    """The code could not be exchanged for tokens; nothing was stored."""

    error_type = "oauth2_token_exchange_failed"
    default_message = "The authorization code could not be exchanged for tokens"


class ReauthorizationRequired(ConflictError):
    """The data source's tokens are gone or rejected for good (`invalid_grant`): a user must run the
    authorize flow again. Connectors fail with this error type until then."""

    error_type = "reauthorization_required"
    default_message = "The data source must be authorized again"

    def __init__(self, data_source_id: uuid.UUID, reason: str) -> None:
        self.data_source_id = data_source_id
        super().__init__(f"Data source {data_source_id} must be authorized again: {reason}")


class TokenRefreshError(BreadboxError):
    """The refresh failed without proving the grant dead: a provider 5xx, network trouble or a
    timeout (`retriable`), or a client-side problem such as `invalid_client` (not retriable: an
    administrator must fix the client credentials). The stored tokens are unchanged."""

    status_code = 502
    error_type = "oauth2_refresh_failed"
    default_message = "The provider could not refresh the access token"

    def __init__(self, data_source_id: uuid.UUID, reason: str, *, retriable: bool) -> None:
        self.data_source_id = data_source_id
        self.retriable = retriable
        super().__init__(f"Refreshing the token of data source {data_source_id} failed: {reason}")
