"""The sync queue port: how a write asks for a sync, and how a cancel reaches a running one.

The rows are the truth (a `pending` sync run is a request; an `in_progress` one is owned by a live
worker); the queue only carries the news. Two adapters sit behind the port:

- in-process (`runners/inprocess.py`): the runner polls the rows each tick, so enqueueing and
  aborting are no-ops here;
- Procrastinate (`runners/procrastinate.py`): `enqueue` inserts a job carrying the connector's ID
  through the caller's own session, so it commits or rolls back with the write that caused it;
  `abort` flags the connector's running job, and Procrastinate cancels it wherever it runs.

Services find the adapter on their session (`queue_of`), set there by whoever built the database
for the process (the app's lifespan, `breadbox worker`), so several apps in one process (tests) each
keep their own.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from breadbox.db.session import Database

QUEUE_KEY = "breadbox.sync_queue"


class SyncQueue(Protocol):
    name: str

    async def enqueue(self, session: AsyncSession, connector_id: uuid.UUID) -> None:
        """Make sure a job will look at the connector's pending run, once the session commits."""
        ...

    async def abort(self, session: AsyncSession, connector_id: uuid.UUID) -> None:
        """Ask the connector's running job to stop (on commit) and drop its queued one."""
        ...


class Runner(Protocol):
    """Runs sync jobs in this process until stopped."""

    async def start(self) -> None: ...

    async def stop(self, grace: float = 10.0) -> None:
        """Stop taking work; running syncs checkpoint at their next batch (or are interrupted
        after `grace` seconds) and are left to resume elsewhere."""
        ...

    def healthy(self) -> bool: ...


class InProcessQueue:
    """The embedded runner polls the rows; there is nothing to send."""

    name = "inprocess"

    async def enqueue(self, session: AsyncSession, connector_id: uuid.UUID) -> None:
        return None

    async def abort(self, session: AsyncSession, connector_id: uuid.UUID) -> None:
        return None


def attach(database: Database, queue: SyncQueue) -> None:
    """Every session of `database` from now on carries `queue`."""
    info = dict(database.sessionmaker.kw.get("info") or {})
    info[QUEUE_KEY] = queue
    database.sessionmaker.configure(info=info)


def queue_of(session: AsyncSession) -> SyncQueue | None:
    queue: SyncQueue | None = session.info.get(QUEUE_KEY)
    return queue
