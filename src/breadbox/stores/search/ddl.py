"""The search DDL that SQLAlchemy metadata cannot express, shared by the migration and the tests.

SQLite: an external-content FTS5 table over `store_chunks(text, context)` kept in sync by triggers
(so a transaction that replaces chunks replaces their index entries with it). PostgreSQL: a stored
generated `tsvector` column (text weighted A, context B) with a GIN index.

`install` is idempotent and dialect-aware; call it after `metadata.create_all` (or the migration's
table creation) on a synchronous connection, e.g. `await conn.run_sync(install)`.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

FTS_TABLE = "store_chunks_fts"
TSV_COLUMN = "tsv"

SQLITE_DDL = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        text, context, content='store_chunks', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER IF NOT EXISTS store_chunks_fts_insert AFTER INSERT ON store_chunks BEGIN
        INSERT INTO {FTS_TABLE}(rowid, text, context) VALUES (new.id, new.text, new.context);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS store_chunks_fts_delete AFTER DELETE ON store_chunks BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text, context)
        VALUES ('delete', old.id, old.text, old.context);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS store_chunks_fts_update AFTER UPDATE ON store_chunks BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text, context)
        VALUES ('delete', old.id, old.text, old.context);
        INSERT INTO {FTS_TABLE}(rowid, text, context) VALUES (new.id, new.text, new.context);
    END""",
]

POSTGRES_DDL = [
    f"""ALTER TABLE store_chunks ADD COLUMN IF NOT EXISTS {TSV_COLUMN} tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('english', text), 'A')
            || setweight(to_tsvector('english', coalesce(context, '')), 'B')
        ) STORED""",
    f"CREATE INDEX IF NOT EXISTS ix_store_chunks_tsv ON store_chunks USING gin ({TSV_COLUMN})",
]


def install(connection: Connection) -> None:
    """Create the full-text index for the connection's dialect (idempotent)."""
    statements = SQLITE_DDL if connection.dialect.name == "sqlite" else POSTGRES_DDL
    for statement in statements:
        connection.execute(text(statement))


def uninstall(connection: Connection) -> None:
    """Drop what `install` created (for the migration's downgrade)."""
    if connection.dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS store_chunks_fts_{trigger}"))
        connection.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))
    else:
        connection.execute(text("DROP INDEX IF EXISTS ix_store_chunks_tsv"))
        connection.execute(text(f"ALTER TABLE store_chunks DROP COLUMN IF EXISTS {TSV_COLUMN}"))
