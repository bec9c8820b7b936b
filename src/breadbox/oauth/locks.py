"""One `asyncio.Lock` per data source and event loop: the in-process half of single-flight refresh.

Callers that need a token at the same moment queue here instead of each opening a transaction
(and, on PostgreSQL, each waiting on the row lock while holding a pooled connection). Locks are
per event loop because an `asyncio.Lock` cannot be shared between loops; a loop's locks go away
with the loop.
"""

from __future__ import annotations

import asyncio
import uuid
import weakref

_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[uuid.UUID, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def data_source_lock(data_source_id: uuid.UUID) -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    locks = _LOCKS.get(loop)
    if locks is None:
        locks = _LOCKS[loop] = {}
    lock = locks.get(data_source_id)
    if lock is None:
        lock = locks[data_source_id] = asyncio.Lock()
    return lock
