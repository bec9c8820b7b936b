"""The async engine and session factory for either backend, and the fast read path beside them.

SQLite is tuned for a server: WAL (readers never block the writer), foreign keys on (cascades
are part of our rules), and a busy timeout so concurrent writers wait instead of failing.

Writes, and reads that belong to a unit of work, go through an `AsyncSession` on the SQLAlchemy async
engine: one transaction per request, ending at the request edge. That machinery costs about a
millisecond of CPU per request even for a single-row read (a pool checkout, a transaction, a thread
hop per driver call with aiosqlite, ORM identity bookkeeping), which is most of what a point read
costs end to end. So the hot read paths (GET one, list pages, API key lookups) go through a `Reader`
instead: one Core `select` run on a plain driver connection, outside any transaction:

- SQLite: one `sqlite3` connection in autocommit, used directly on the event loop. In WAL mode a
  reader never waits for the writer, and an indexed point read or a keyset page takes tens of
  microseconds, less than the hop to a worker thread would; what it cannot do is run a long query
  without holding up the loop, so only O(limit) statements belong here (a count is the exception
  callers accept with `include_total`).
- PostgreSQL: a few long-lived autocommit psycopg connections owned by the reader (not a pool: see
  `PostgresReader`) with server-side prepared statements and no BEGIN/COMMIT; the reads that
  concurrent requests start in the same event-loop pass share one round trip (a pipeline).

The SQL is written once, as SQLAlchemy Core; each statement is compiled once per dialect and run
with SQLAlchemy's own bind and result processors, so values come back exactly as they do through the
session (aware UTC datetimes, UUIDs, decoded JSON).

`read_all` / `read_one` pick the path: a session that has not begun a transaction has nothing of its
own to see, so a fresh snapshot from the reader is the same answer; once the session has begun
(a write, or a read that must sit in the same transaction), reads go through the session.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol, TypeAlias

from sqlalchemy import Select, event
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Pooled PostgreSQL connections are replaced after this long instead of being pinged on every
# checkout (`pool_pre_ping` costs a round trip per request); a connection the server dropped
# meanwhile fails one request, which the client may retry.
POOL_RECYCLE_SECONDS = 1800
# A WAL reader only waits in rare cases (another connection recovering the WAL index); it waits on
# the event loop, so briefly.
SQLITE_READER_TIMEOUT_S = 1.0
READER_CONNECTIONS = 10
READER_KEY = "breadbox.reader"

Values = tuple[Any, ...]


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        # aiosqlite opens its transaction lazily; BEGIN IMMEDIATE on writes is handled per session.
        return engine
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
        kwargs.setdefault("pool_recycle", POOL_RECYCLE_SECONDS)
    return create_async_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# --- the fast read path --------------------------------------------------------------------------


class _Plan:
    """One statement compiled for one dialect: its SQL, how to bind, how to read a row."""

    __slots__ = ("binds", "positional", "results", "sql", "stmt")

    def __init__(self, stmt: Select[Any], dialect: Dialect) -> None:
        self.stmt = stmt  # keeps the statement alive, so its id() stays its own
        compiled = stmt.compile(dialect=dialect)
        self.sql = compiled.string
        names = list(compiled.positiontup or compiled.binds)
        self.positional = compiled.positiontup is not None
        self.binds = [
            (name, compiled.binds[name], _bind_processor(compiled.binds[name].type, dialect))
            for name in names
            if name in compiled.binds
        ]
        self.results = [
            col.type.dialect_impl(dialect).result_processor(dialect, None) for col in stmt.selected_columns
        ]

    def parameters(self, params: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        values = []
        for name, bind, process in self.binds:
            if name in params:
                value = params[name]
            elif bind.required:
                raise KeyError(f"no value for the bind parameter {name!r}")
            else:
                value = bind.value  # a value the statement itself carries (e.g. SQLite's OFFSET 0)
            values.append(process(value) if process is not None and value is not None else value)
        if self.positional:
            return values
        return {name: value for (name, _, _), value in zip(self.binds, values, strict=True)}

    def row(self, raw: Sequence[Any]) -> Values:
        return tuple(
            process(value) if process is not None else value
            for process, value in zip(self.results, raw, strict=True)
        )


def _bind_processor(type_: Any, dialect: Dialect) -> Any:
    return type_.dialect_impl(dialect).bind_processor(dialect)


class Reader(Protocol):
    """Runs one read-only Core `select` outside any transaction; rows as tuples in column order."""

    async def all(self, stmt: Select[Any], params: Mapping[str, Any]) -> list[Values]: ...

    async def version(self) -> int | None:
        """A number that changes whenever anything is committed to the database, when the backend
        offers one cheaply (SQLite's `PRAGMA data_version`), else None."""
        ...

    async def close(self) -> None: ...


class _Plans:
    """Compiled statements by identity: statements for the reader are built once (at module level)
    with bind parameters for their values, so compiling is a one-off. A statement built per call
    would be compiled every time; the bound keeps that mistake from also growing memory."""

    MAX = 256

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._plans: dict[int, _Plan] = {}

    def of(self, stmt: Select[Any]) -> _Plan:
        plan = self._plans.get(id(stmt))
        if plan is None:
            if len(self._plans) >= self.MAX:
                self._plans.clear()
            plan = self._plans[id(stmt)] = _Plan(stmt, self.dialect)
        return plan


class SqliteReader:
    """A plain `sqlite3` connection on the event loop (see the module docstring for why).

    Autocommit: each statement is its own read snapshot, released as soon as its rows are fetched,
    so the reader never holds back a WAL checkpoint; `query_only` makes it unable to write.
    """

    def __init__(self, path: str, dialect: Dialect) -> None:
        self.path = path
        self.plans = _Plans(dialect)
        self._conn: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(
                self.path, timeout=SQLITE_READER_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA query_only=ON")
            self._conn = conn
        return self._conn

    async def all(self, stmt: Select[Any], params: Mapping[str, Any]) -> list[Values]:
        plan = self.plans.of(stmt)
        raw = self._connection().execute(plan.sql, plan.parameters(params)).fetchall()
        return [plan.row(r) for r in raw]

    async def version(self) -> int | None:
        return int(self._connection().execute("PRAGMA data_version").fetchone()[0])

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class PostgresReader:
    """A few long-lived autocommit psycopg connections owned by the reader; every statement is
    prepared on first use (`prepare_threshold=0`), so a read is a bind and an execute.

    Reads are batched: a read queues itself and the first one of an event-loop pass starts a task
    that runs, once the loop is through the callbacks ready now, every read queued by then on one
    connection: alone as a plain execute, several as a pipeline. Under load most of a read's cost
    is the round trip's system calls (a send, a poll registration, a receive), so a batch of n
    pays them once instead of n times. A statement that fails aborts the rest of its pipeline;
    the batch is then run again one statement at a time, so each read gets its own answer.

    Not a general pool: a batch holds a connection for one round trip, on one event loop, so
    handing one out is a list pop and giving it back a list append (a pool's locks, waiting-room
    bookkeeping and background maintenance cost more than that). Connections open on demand up to
    `READER_CONNECTIONS`; beyond that a batch waits for one to come back. One that comes back
    broken, mid-statement or older than `POOL_RECYCLE_SECONDS` is closed instead, which frees its
    place.
    """

    def __init__(self, conninfo: str, dialect: Dialect, max_connections: int = READER_CONNECTIONS) -> None:
        self.conninfo = conninfo
        self.plans = _Plans(dialect)
        self.max_connections = max_connections
        self._idle: list[Any] = []  # psycopg.AsyncConnection, the most recently used last
        # id(connection) -> (time.monotonic() when opened, the generation it was opened in)
        self._opened: dict[int, tuple[float, int]] = {}
        self._count = 0  # open or opening
        self._waiters: deque[asyncio.Future[Any]] = deque()
        self._generation = 0  # `close` starts a new one: older connections close when they return
        self._batch: list[_Queued] = []  # reads waiting for the next batch
        self._flush: asyncio.Task[None] | None = None  # the task that will run them
        self._running: set[asyncio.Task[None]] = set()  # batch tasks, kept until done

    async def all(self, stmt: Select[Any], params: Mapping[str, Any]) -> list[Values]:
        plan = self.plans.of(stmt)
        loop = asyncio.get_running_loop()
        done: asyncio.Future[list[Any]] = loop.create_future()
        self._batch.append((plan.sql, plan.parameters(params), done))
        if self._flush is None or self._flush.done():  # done: its event loop ended before it ran
            # Runs once the event loop is through the callbacks ready now, so the reads that other
            # requests start meanwhile go in the same batch.
            self._flush = loop.create_task(self._run_batch())
            self._running.add(self._flush)
            self._flush.add_done_callback(self._running.discard)
        raw = await done
        return [plan.row(r) for r in raw]

    async def _run_batch(self) -> None:
        """The reads queued since the last batch, on one connection: one statement alone, several
        in a pipeline (one send and one wait for all of them instead of one each)."""
        batch, self._batch, self._flush = self._batch, [], None
        batch = [item for item in batch if not item[2].done()]  # a cancelled read is not run
        if not batch:
            return
        try:
            conn = self._idle.pop() if self._idle else await self._acquire()
            try:
                if len(batch) == 1:
                    await self._run_one(conn, batch[0])
                else:
                    await self._run_pipeline(conn, batch)
            finally:
                await self._release(conn)
        except asyncio.CancelledError:
            _fail(batch, None)
            raise
        except Exception as exc:  # reported to the reads; nobody awaits this task
            _fail(batch, exc)

    async def _run_one(self, conn: Any, item: _Queued) -> None:
        sql, values, done = item
        try:
            cursor = await conn.execute(sql, values)
            raw = await cursor.fetchall()
        except Exception as exc:
            if not done.done():
                done.set_exception(exc)
            return
        if not done.done():
            done.set_result(raw)

    async def _run_pipeline(self, conn: Any, batch: list[_Queued]) -> None:
        import psycopg

        try:
            async with conn.pipeline() as pipeline:
                cursors = []
                for sql, values, _ in batch:
                    cursor = conn.cursor()
                    await cursor.execute(sql, values)
                    cursors.append(cursor)
                await pipeline.sync()
                rows = [await cursor.fetchall() for cursor in cursors]
        except psycopg.Error:
            # One failed statement aborts the rest of a pipeline: run each alone, so every read
            # gets its own answer (they are read-only, so running one twice changes nothing).
            for item in batch:
                if conn.broken or conn.closed:
                    _fail([item], psycopg.OperationalError("the reader's connection was lost"))
                else:
                    await self._run_one(conn, item)
            return
        for (_, _, done), raw in zip(batch, rows, strict=True):
            if not done.done():
                done.set_result(raw)

    async def _acquire(self) -> Any:
        while True:
            if self._idle:
                return self._idle.pop()
            if self._count < self.max_connections:
                return await self._connect()
            waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                conn = await waiter
            except asyncio.CancelledError:
                # Handed a connection (or a free place) just as this read was cancelled: pass it on.
                if waiter.done() and not waiter.cancelled():
                    self._hand_over(waiter.result())
                raise
            if conn is not None:
                return conn
            # None: a place came free; open a connection in it.

    async def _connect(self) -> Any:
        from psycopg import AsyncConnection

        self._count += 1
        try:
            conn = await AsyncConnection.connect(self.conninfo, autocommit=True, prepare_threshold=0)
        except BaseException:
            self._count -= 1
            self._hand_over(None)
            raise
        self._opened[id(conn)] = (time.monotonic(), self._generation)
        return conn

    async def _release(self, conn: Any) -> None:
        from psycopg.pq import TransactionStatus

        opened_at, generation = self._opened.get(id(conn), (0.0, -1))
        reusable = (
            generation == self._generation
            and not conn.broken
            and not conn.closed
            and conn.info.transaction_status == TransactionStatus.IDLE
            and time.monotonic() - opened_at < POOL_RECYCLE_SECONDS
        )
        if reusable:
            self._hand_over(conn)
            return
        self._opened.pop(id(conn), None)
        self._count -= 1
        self._hand_over(None)
        await conn.close()

    def _hand_over(self, conn: Any) -> None:
        """Give `conn` (None: a free place) to the longest waiting read, else keep it idle."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        if conn is not None:
            self._idle.append(conn)

    async def version(self) -> int | None:
        return None

    async def close(self) -> None:
        """Close the idle connections now and those in use when they come back; a later read
        opens new ones (as the SQLite reader does)."""
        self._generation += 1
        idle, self._idle = self._idle, []
        for conn in idle:
            self._opened.pop(id(conn), None)
            self._count -= 1
            await conn.close()


# A read waiting for its batch: its SQL, its bind values, and where its rows go.
_Queued: TypeAlias = "tuple[str, Sequence[Any] | dict[str, Any], asyncio.Future[list[Any]]]"


def _fail(batch: list[_Queued], exc: Exception | None) -> None:
    """Give `exc` to the reads of `batch` still waiting (None: cancel them)."""
    for _, _, done in batch:
        if not done.done():
            if exc is None:
                done.cancel()
            else:
                done.set_exception(exc)


def make_reader(engine: AsyncEngine) -> Reader | None:
    """The reader for the engine's database; None for an in-memory SQLite database, which only the
    engine's own connection can see (reads then go through the session)."""
    url = engine.url
    if engine.dialect.name == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            return None
        return SqliteReader(url.database, engine.dialect)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return PostgresReader(conninfo, engine.dialect)


# Where read-only queries read from: the request's session (reads then see its transaction once it
# has begun one), or the `Database` itself for a request that only reads and so needs no session.
ReadSource: TypeAlias = "AsyncSession | Database"


async def read_all(source: ReadSource, stmt: Select[Any], params: Mapping[str, Any]) -> list[Values]:
    """The rows of a read-only Core `select` with named bind `params`, as tuples in column order:
    from the session when it already has a transaction (its own writes must be visible), else from
    the database's reader (see the module docstring)."""
    if isinstance(source, Database):
        return await source.read_all(stmt, params)
    reader: Reader | None = source.info.get(READER_KEY)
    if reader is None or source.in_transaction():
        return [tuple(row) for row in await source.execute(stmt, dict(params))]
    return await reader.all(stmt, params)


async def read_one(source: ReadSource, stmt: Select[Any], params: Mapping[str, Any]) -> Values | None:
    rows = await read_all(source, stmt, params)
    return rows[0] if rows else None


# --- the database ---------------------------------------------------------------------------------


class Database:
    """One engine, its session factory and its reader; created by the app or CLI entry point."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.reader = make_reader(self.engine)
        self.sessionmaker = async_sessionmaker(
            self.engine, expire_on_commit=False, autoflush=False, info={READER_KEY: self.reader}
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction commits when the block ends and rolls back on error.

        A session that never began a transaction (the request only used the reader) ends without
        touching the database at all."""
        session = self.sessionmaker()
        try:
            yield session
            if session.in_transaction() or session.new or session.dirty or session.deleted:
                await session.commit()
        except BaseException:
            if session.in_transaction():
                await session.rollback()
            raise
        finally:
            # An untouched session holds nothing to release; closing it would still cost a
            # greenlet switch.
            if session.in_transaction() or session.identity_map:
                await session.close()

    async def read_all(self, stmt: Select[Any], params: Mapping[str, Any]) -> list[Values]:
        """`read_all` outside any request session: the reader, or a session of its own."""
        if self.reader is not None:
            return await self.reader.all(stmt, params)
        async with self.session() as session:
            return await read_all(session, stmt, params)

    async def dispose(self) -> None:
        if self.reader is not None:
            await self.reader.close()
        await self.engine.dispose()


def null_pool_engine(url: str) -> AsyncEngine:
    """An engine without pooling, for short-lived CLI commands and migrations."""
    return make_engine(url, poolclass=NullPool)
