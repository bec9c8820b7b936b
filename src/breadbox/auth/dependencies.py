"""The `Authorization: Bearer <key>` dependency and scope checks for routes."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from breadbox.api.deps import SessionDep
from breadbox.auth.scopes import Principal, ScopeMethod
from breadbox.auth.service import ApiKeyService

# auto_error=False: a missing header must be our 401 envelope, not FastAPI's 403.
bearer = HTTPBearer(
    auto_error=False, scheme_name="ApiKeyAuth", description="Api key to access Mixedbreads API"
)


async def get_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    principal = await ApiKeyService(session).authenticate(credentials.credentials if credentials else None)
    request.state.organization_id = principal.organization_id
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(method: ScopeMethod) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency: the principal, after checking its scope allows `method` (store-wide checks
    happen in the store service, which knows which store a request names)."""

    async def dependency(principal: PrincipalDep) -> Principal:
        principal.ensure(method)
        return principal

    return dependency


ReadDep = Annotated[Principal, Depends(require("read"))]
ListDep = Annotated[Principal, Depends(require("list"))]
CreateDep = Annotated[Principal, Depends(require("create"))]
WriteDep = Annotated[Principal, Depends(require("write"))]
DeleteDep = Annotated[Principal, Depends(require("delete"))]
