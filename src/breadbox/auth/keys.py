"""The shape of API key values: generation, parsing and hashing.

`bb_` + 12 lookup characters + 43 secret characters (32 random bytes). The lookup part finds the
row with an index; the SHA-256 of the whole value is compared in constant time, so a database
leak gives no usable key and timing reveals nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

PREFIX = "bb_"
LOOKUP_LEN = 12
SECRET_BYTES = 32


@dataclass(frozen=True)
class KeyMaterial:
    value: str
    lookup: str
    secret_hash: str
    last_four: str


def generate() -> KeyMaterial:
    lookup = secrets.token_hex(LOOKUP_LEN // 2)
    value = PREFIX + lookup + secrets.token_urlsafe(SECRET_BYTES)
    return KeyMaterial(value=value, lookup=lookup, secret_hash=hash_value(value), last_four=value[-4:])


def lookup_of(value: str) -> str | None:
    """The lookup part of a well-formed value, else None (no database query for junk)."""
    if not value.startswith(PREFIX) or len(value) < len(PREFIX) + LOOKUP_LEN + 40:
        return None
    return value[len(PREFIX) : len(PREFIX) + LOOKUP_LEN]


def hash_value(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def matches(value: str, secret_hash: str) -> bool:
    return hmac.compare_digest(hash_value(value), secret_hash)


def redacted(lookup: str, last_four: str) -> str:
    return f"{PREFIX}{lookup}…{last_four}"
