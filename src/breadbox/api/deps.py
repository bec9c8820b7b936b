"""Request-scoped dependencies: the session whose transaction ends at the request edge, and the app's
long-lived services (settings, secret box, database), reached through `request.app.state`.

Every dependency here is `async def`: FastAPI runs a plain `def` dependency in the thread pool, and
that hop costs more than any of these bodies.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from breadbox.config import Settings
from breadbox.crypto import SecretBox
from breadbox.db.session import Database


async def get_database(request: Request) -> Database:
    return request.app.state.database  # type: ignore[no-any-return]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Commit when the route returns, roll back when it raises; before the response is sent.
    A request that only read through the fast read path never touches the session's connection."""
    database: Database = request.app.state.database
    async with database.session() as session:
        yield session


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_secret_box(request: Request) -> SecretBox:
    return request.app.state.secret_box  # type: ignore[no-any-return]


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SecretBoxDep = Annotated[SecretBox, Depends(get_secret_box)]
DatabaseDep = Annotated[Database, Depends(get_database)]


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    """`model` serialised as the response body, as it is.

    A route that returns a model makes FastAPI validate it again against the route's
    `response_model` and then serialise it, which costs as much as building it did. Routes that build
    the response model themselves return this instead and keep `response_model=` declared, so the
    OpenAPI document is unchanged; the body is the same JSON (pydantic's serialiser either way). The
    trade-off: nothing checks the model against `response_model` at run time, so the route's return
    annotation must be that model (mypy holds routes to it) and the contract tests hold the shape.
    """
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")
