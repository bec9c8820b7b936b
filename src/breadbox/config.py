"""Every setting Breadbox reads, in one typed object (`BREADBOX_*` environment variables).

Built once at the entry point and passed inward; nothing below the entry points reads the
environment. The README's configuration table lists the same fields.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BREADBOX_", extra="ignore")

    host: str = Field("127.0.0.1", description="Address `breadbox serve` listens on.")
    port: int = Field(8000, description="Port `breadbox serve` listens on.")
    data_dir: Path = Field(Path(".breadbox"), description="Holds the SQLite file and the secret key file.")
    database_url: str | None = Field(
        None,
        description="Overrides the embedded SQLite file; `postgresql://…` uses psycopg 3 async.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Key for credentials at rest (urlsafe base64, 32 bytes). "
        "Default: a key file created with mode 0600 in DATA_DIR on first run.",
    )
    log_level: str = Field("info", description="Log level of the server and workers.")
    public_url: str = Field(
        "http://127.0.0.1:8000", description="Where browsers reach this server (OAuth redirect URI base)."
    )
    queue: Literal["inprocess", "procrastinate"] | None = Field(
        None, description="Sync job runner; default inprocess on SQLite, procrastinate on PostgreSQL."
    )
    max_file_bytes: int = Field(20 * 1024 * 1024, description="Largest file the embedded store accepts.")
    chunk_size: int = Field(1000, description="Target chunk size in characters for the embedded store.")
    notion_client_id: str | None = Field(
        None, description="Client ID of the Notion public connection (OAuth2)."
    )
    notion_client_secret: SecretStr | None = Field(
        None, description="Client secret of the Notion public connection (OAuth2)."
    )
    linear_client_id: str | None = Field(None, description="Client ID of the Linear OAuth2 application.")
    linear_client_secret: SecretStr | None = Field(
        None, description="Client secret of the Linear OAuth2 application."
    )
    notion_api_url: str = Field(
        "https://api.notion.com", description="Notion API base; OAuth2 under `{url}/v1/oauth/`."
    )
    linear_api_url: str = Field(
        "https://api.linear.app", description="Linear API base: `{url}/graphql` and `{url}/oauth/token`."
    )
    linear_authorize_url: str = Field(
        "https://linear.app/oauth/authorize", description="Linear's OAuth2 authorization page."
    )
    sync_concurrency: int = Field(4, description="Syncs the embedded worker runs at once.")
    full_sync_interval: int = Field(
        86400,
        description="Seconds between full reconciliations of a connector (deletions found by traversal).",
    )
    mass_deletion_share: float = Field(
        0.5,
        description="A sync that would delete more than this share of a connector's documents is blocked.",
    )
    mass_deletion_min: int = Field(5, description="The safety valve ignores passes deleting fewer documents.")
    item_failure_share: float = Field(
        0.2, description="A run fails when more than this share of its items failed (per-item failures)."
    )
    notion_rate_limit: float = Field(
        2.8,
        description="Requests per second sent to Notion per credential: slightly under Notion's documented "
        "average of 3, so bursts at the edge of a second do not draw 429s.",
    )
    notion_rate_burst: float = Field(2.0, description="Burst allowance on top of the Notion rate.")
    sync_tick_seconds: float = Field(1.0, description="How often the embedded worker looks for due work.")
    heartbeat_seconds: float = Field(5.0, description="How often a running sync proves it is alive.")
    stale_after_seconds: float = Field(
        60.0, description="A sync whose heartbeat is older than this is taken over and resumed."
    )

    scheduler_seconds: float = Field(
        5.0,
        description="Procrastinate mode: how often the one scheduler queues due connectors (whole seconds).",
    )
    shutdown_grace_seconds: float = Field(
        20.0,
        description="On SIGTERM, how long a running sync may take to reach its next checkpoint before "
        "it is interrupted (it resumes elsewhere from its last checkpoint either way).",
    )
    worker_metrics_port: int | None = Field(
        None, description="`breadbox worker`: serve Prometheus metrics on this port (off by default)."
    )

    @property
    def resolved_queue(self) -> Literal["inprocess", "procrastinate"]:
        """The sync queue adapter: the `queue` setting, else inprocess on SQLite and procrastinate
        on PostgreSQL."""
        if self.queue is not None:
            return self.queue
        return "inprocess" if self.is_sqlite else "procrastinate"

    @cached_property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy async URL: the override, normalised to an async driver, or the SQLite file."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'breadbox.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


def normalise_database_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3 async; `sqlite://` means aiosqlite."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url
