"""Full-text search over store chunks behind one small port (`SearchBackend`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.stores.search.base import SearchBackend, SearchHit, SearchRequest
from breadbox.stores.search.postgres import PostgresSearch
from breadbox.stores.search.sqlite import SqliteSearch

__all__ = ["SearchBackend", "SearchHit", "SearchRequest", "backend_for"]


def backend_for(session: AsyncSession) -> SearchBackend:
    """The adapter for the database the session is bound to."""
    dialect = session.get_bind().dialect.name
    return SqliteSearch() if dialect == "sqlite" else PostgresSearch()
