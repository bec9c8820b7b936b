"""Settings of one Linear simulator instance.

Every behaviour that linear.md marks UNVERIFIED or CONFLICT is a switch here, defaulting to the
variant that is harder for a client, so connector tests exercise the worst plausible API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class RateLimitSettings:
    """Hourly budgets per credential (linear.md §2, 2026 table) and how exhaustion is reported."""

    api_key_requests: int = 2_500
    api_key_complexity: int = 3_000_000
    oauth_requests: int = 5_000
    oauth_complexity: int = 2_000_000
    period_seconds: float = 3600.0
    # "leaky": tokens refill continuously at limit/period (the documented algorithm);
    # "window": nothing comes back until the window ends, then everything does.
    mode: str = "leaky"
    # HTTP status of a RATELIMITED answer: 400 per the current docs, 429 "at the edge".
    status: int = 400


@dataclass
class LinearSimConfig:
    """Workspace size, credentials and quirk switches for `create_app`."""

    # --- generated workspace -------------------------------------------------------------
    seed: int = 1
    issues: int = 50
    comments_per_issue: int = 3
    # Comments on the first issue (ENG-1) when > 0: a thread longer than any sane page size.
    long_thread_comments: int = 0
    projects: int = 4
    documents: int = 6
    users: int = 6
    # Generated issues that start archived / trashed (only visible with includeArchived).
    archived_issues: int = 2
    trashed_issues: int = 1
    # Comments attached to documents, so `issue` is null on them (linear.md §3).
    orphan_comments: int = 2
    # How far back generated createdAt values reach.
    history_days: int = 90

    # --- credentials ---------------------------------------------------------------------
    token: str = "lin_api_breadboxsimulatorkey0000000000000000"
    extra_api_keys: tuple[str, ...] = ()
    client_id: str = "breadbox-sim-client"
    client_secret: str = "breadbox-sim-secret"
    # Allowed OAuth callbacks; empty means any loopback http(s) URL is accepted.
    redirect_uris: tuple[str, ...] = ()

    # --- OAuth -----------------------------------------------------------------------------
    access_token_ttl: int = 86_399
    client_credentials_ttl: int = 2_591_999
    code_ttl: int = 600
    # Replay window for a consumed refresh token (docs say 30 min; 0 = strict single use).
    refresh_grace_seconds: float = 0.0
    # Refreshing kills the previous access token at once (unverified; harder for clients).
    revoke_access_on_refresh: bool = True
    client_credentials_enabled: bool = True
    deny: bool = False

    # --- API quirks ------------------------------------------------------------------------
    # `Bearer lin_api_…` and a bare OAuth token are refused (linear.md §1 assumption).
    strict_auth_prefix: bool = True
    auth_error_status: int = 401
    validation_error_status: int = 400
    not_found_status: int = 400
    max_first: int = 250
    first_over_max_code: str = "INPUT_ERROR"
    max_complexity: int = 10_000
    default_page_size: int = 50
    # Direction of `orderBy` (unverified; "desc" breaks clients that take the last node as
    # their high-water mark).
    order_direction: str = "desc"
    # Whether trashing/archiving or commenting bumps the issue's updatedAt (both unverified).
    archive_bumps_updated_at: bool = False
    comment_bumps_issue: bool = False
    rate_limits: RateLimitSettings = field(default_factory=RateLimitSettings)

    # --- schema ----------------------------------------------------------------------------
    schema_path: Path | None = None
