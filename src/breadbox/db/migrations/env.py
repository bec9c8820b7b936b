"""Alembic environment: one history for SQLite and PostgreSQL, run on a synchronous engine."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, event, pool

from breadbox.db.models import metadata

config = context.config


def _sqlite_fk(dbapi_connection, _record):  # type: ignore[no-untyped-def]
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    engine = create_engine(url, poolclass=pool.NullPool)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_fk)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=url.startswith("sqlite"),
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
