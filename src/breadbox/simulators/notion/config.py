"""Everything a test or benchmark may want to tune about the simulated Notion.

Defaults pick the behaviour that is harder for a client wherever notion.md is unsure, so a
connector that passes against the defaults should survive the real API.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

OLD_VERSION = "2022-06-28"
NEW_VERSION = "2025-09-03"
LATEST_VERSION = "2026-03-11"
KNOWN_VERSIONS = ("2022-02-22", OLD_VERSION, NEW_VERSION, LATEST_VERSION)


def default_token(seed: int) -> str:
    """A deterministic internal integration token (`ntn_` prefix, as tokens minted since 2024)."""
    return "ntn_" + hashlib.sha256(f"breadbox-notion-token-{seed}".encode()).hexdigest()[:46]


def default_client_id(seed: int) -> str:
    digest = hashlib.sha256(f"breadbox-notion-client-{seed}".encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-8{digest[17:20]}-{digest[20:32]}"


def default_client_secret(seed: int) -> str:
    return "secret_" + hashlib.sha256(f"breadbox-notion-secret-{seed}".encode()).hexdigest()[:43]


@dataclass
class NotionSimConfig:
    """Knobs of one simulator instance; all state lives in the app built from it."""

    pages: int = 50
    seed: int = 0
    rate_limit_rps: float = 3.0  # per token; 0 = unlimited
    burst: int = 3  # token-bucket capacity; notion.md: "some bursts", size undocumented
    token: str | None = None  # internal integration token; None -> default_token(seed)
    client_id: str | None = None
    client_secret: str | None = None
    # Search: only directly shared objects are guaranteed (notion.md 3.1) -> omit the others.
    search_misses_ancestor_shared: bool = True
    search_index_lag_seconds: float = 0.0  # pages created/edited this recently are not yet searchable
    # Trash: hidden from search/query unless asked for (notion.md 7b, UNSURE) -> hidden.
    query_row_cap: int = 10_000
    markdown_block_limit: int = 20_000
    file_url_ttl_seconds: float = 3600.0
    cursor_ttl_seconds: float | None = None  # simulated seconds a cursor stays valid; None = forever
    # Workspace shape
    child_page_ratio: float = 0.1
    database_rows: int | None = None  # rows of the main database; None -> max(8, pages // 5)
    big_database_rows: int = 0  # an extra database with this many rows (exercise the 10k cap)
    multi_source_database: bool = True  # one database with two data sources (breaks old versions)
    private_pages: int = 2  # top-level pages never shared with the integration
    trashed_pages: int = 1
    # OAuth (notion.md section 5)
    redirect_uris: list[str] = field(default_factory=list)  # empty = any redirect_uri accepted
    oauth_deny: bool = False
    oauth_access_token_ttl: float | None = None  # simulated seconds; None = never expires (doc)
    oauth_include_expires_in: bool = False  # the doc has no expires_in; expiry is silent by default
    oauth_refresh_revokes_old_access: bool = True
    oauth_error_style: str = "notion"  # "notion" envelope or "rfc6749" {"error","error_description"}
    oauth_code_ttl_seconds: float = 600.0
    workspace_name: str = "Breadbox Simulated Workspace"

    def resolved_token(self) -> str:
        return self.token or default_token(self.seed)

    def resolved_client_id(self) -> str:
        return self.client_id or default_client_id(self.seed)

    def resolved_client_secret(self) -> str:
        return self.client_secret or default_client_secret(self.seed)
