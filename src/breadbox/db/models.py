"""Imports every feature's models so the metadata (and Alembic) sees all tables."""

from breadbox.auth.models import ApiKey, Organization
from breadbox.connectors.models import Connector
from breadbox.data_sources.models import DataSource
from breadbox.db.base import Base
from breadbox.files.models import File
from breadbox.oauth.models import OAuthState
from breadbox.stores.models import Store, StoreChunk, StoreFile
from breadbox.sync.models import SyncedDocument, SyncRun

metadata = Base.metadata

__all__ = [
    "ApiKey",
    "Connector",
    "DataSource",
    "File",
    "OAuthState",
    "Organization",
    "Store",
    "StoreChunk",
    "StoreFile",
    "SyncRun",
    "SyncedDocument",
    "metadata",
]
