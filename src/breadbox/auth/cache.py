"""A short-lived, in-process cache of authenticated API keys.

Without it every request pays one query to find its key. With it, a key seen in the last
`KEY_CACHE_TTL_S` seconds is answered from memory. The rules stay exact where they can be:

- Keyed by the SHA-256 of the presented value (what the database stores), filled only after the
  stored hash matched in constant time, so a hit proves the value as the database would.
- Expiry is checked on every hit against the stored `expires_at`, not cached as "valid".
- A change to a key through this process (revoke, reroll, delete, update) forgets it at once, and
  again when that transaction commits; a generation counter stops a lookup that started before the
  change from putting the old state back.
- On SQLite, an entry is also dropped as soon as anything was committed to the database by any
  connection (`PRAGMA data_version`, a few microseconds), so a revocation from another process (the
  CLI) takes effect at once there too.
- On PostgreSQL, a change made by another process is seen within the TTL: that is the revocation
  latency across processes.
- Failures are never cached: an unknown, revoked or expired key costs its query every time.
- Bounded: the oldest entries are dropped beyond `KEY_CACHE_MAX`.

`last_active_at` is separate: the authenticator writes it at most once per `ACTIVITY_RESOLUTION`
per key and records the time written in the entry.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from breadbox.auth.scopes import Principal

KEY_CACHE_TTL_S = 5.0
KEY_CACHE_MAX = 10_000


@dataclass(frozen=True)
class CachedKey:
    principal: Principal
    key_id: uuid.UUID
    expires_at: datetime | None
    last_active_at: datetime | None
    version: int | None  # the reader's data version when loaded (None: the backend has none)
    loaded_at: float  # time.monotonic()


class PrincipalCache:
    def __init__(self, ttl: float = KEY_CACHE_TTL_S, max_entries: int = KEY_CACHE_MAX) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, CachedKey] = {}
        self.generation = 0

    def get(self, digest: str, version: int | None) -> CachedKey | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if time.monotonic() - entry.loaded_at > self.ttl or entry.version != version:
            del self._entries[digest]
            return None
        return entry

    def put(self, digest: str, entry: CachedKey, generation: int) -> None:
        """Keep `entry` unless a key changed since `generation` was read (the lookup may be stale)."""
        if generation != self.generation:
            return
        self._entries.pop(digest, None)
        while len(self._entries) >= self.max_entries:
            del self._entries[next(iter(self._entries))]
        self._entries[digest] = entry

    def touched(self, digest: str, last_active_at: datetime) -> None:
        """Record the `last_active_at` just written for a cached key."""
        entry = self._entries.get(digest)
        if entry is not None:
            self._entries[digest] = replace(entry, last_active_at=last_active_at)

    def forget(self, key_id: uuid.UUID) -> None:
        self.generation += 1
        for digest in [d for d, e in list(self._entries.items()) if e.key_id == key_id]:
            del self._entries[digest]

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()


# One per process: keys are global (their hashes are unique), and every change to a key in this
# process goes through `ApiKeyService`, which forgets it here.
principals = PrincipalCache()
