"""The `Authorization: Bearer <key>` dependency and scope checks for routes.

Each of `PrincipalDep`, `ReadDep`, ... is a single dependency that is at once the `ApiKeyAuth`
security scheme of the OpenAPI document (an `HTTPBearer`), the authentication and the scope check:
FastAPI resolves each dependency level at a cost comparable to a cached key lookup, so the former
chain (bearer -> principal -> scope check) was a good part of a point read's time. A route that names
two of them still authenticates once: the principal is kept on `request.state`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from breadbox.auth.scopes import Principal, ScopeMethod
from breadbox.auth.service import Authenticator


class BearerPrincipal(HTTPBearer):
    """The caller, from its bearer key, checked against `method` when given.

    Independent of the request's session: a cached key costs no query at all (`breadbox.auth.cache`).
    """

    def __init__(self, method: ScopeMethod | None = None) -> None:
        # auto_error=False: a missing header must be our 401 envelope, not FastAPI's 403.
        super().__init__(
            auto_error=False, scheme_name="ApiKeyAuth", description="Api key to access Mixedbreads API"
        )
        self.method = method

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        principal: Principal | None = getattr(request.state, "principal", None)
        if principal is None:
            credentials = await super().__call__(request)
            authenticator = Authenticator(request.app.state.database)
            principal = await authenticator.authenticate(credentials.credentials if credentials else None)
            request.state.principal = principal
            request.state.organization_id = principal.organization_id
        if self.method is not None:
            principal.ensure(self.method)
        return principal


PrincipalDep = Annotated[Principal, Depends(BearerPrincipal())]
ReadDep = Annotated[Principal, Depends(BearerPrincipal("read"))]
ListDep = Annotated[Principal, Depends(BearerPrincipal("list"))]
CreateDep = Annotated[Principal, Depends(BearerPrincipal("create"))]
WriteDep = Annotated[Principal, Depends(BearerPrincipal("write"))]
DeleteDep = Annotated[Principal, Depends(BearerPrincipal("delete"))]
