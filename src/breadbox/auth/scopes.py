"""API key scopes and the principal a request acts as.

A key without scope may do anything in its organization. A scoped key may only use the methods it
lists (read = GET one, list = GET a list, create = POST, write = PUT/PATCH, delete = DELETE,
search = search), and an entry with `resource_type: store` only for that one store.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from breadbox.errors import ForbiddenError

ScopeMethod = Literal["read", "write", "delete", "list", "create", "search"]


class Scope(BaseModel):
    method: ScopeMethod
    resource_type: Literal["store"] | None = None
    resource_id: uuid.UUID | str | None = None


@dataclass(frozen=True)
class Principal:
    organization_id: uuid.UUID
    api_key_id: uuid.UUID | None
    scope: tuple[Scope, ...] | None

    @property
    def unrestricted(self) -> bool:
        return self.scope is None

    def allows(self, method: ScopeMethod, store_id: uuid.UUID | None = None) -> bool:
        if self.scope is None:
            return True
        for entry in self.scope:
            if entry.method != method:
                continue
            if entry.resource_type is None:
                return True
            if store_id is not None and str(entry.resource_id) == str(store_id):
                return True
        return False

    def ensure(self, method: ScopeMethod, store_id: uuid.UUID | None = None) -> None:
        if not self.allows(method, store_id):
            target = f" on store {store_id}" if store_id else ""
            raise ForbiddenError(f"This API key's scope does not allow '{method}'{target}")

    def ensure_unrestricted(self) -> None:
        """Managing API keys needs a key without scope, so a scoped key cannot mint a broader one."""
        if self.scope is not None:
            raise ForbiddenError("Managing API keys requires an API key without scope restrictions")
