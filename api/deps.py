"""What a route needs, as `Annotated` dependencies: settings, database, job runner, the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from forcepack.api.auth import Principal, authenticate
from forcepack.api.db import Database
from forcepack.api.jobs import JobRunner
from forcepack.api.settings import Settings

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A token from `forcepack token create` (coordinator, delegate or observer).",
)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.runner
    return runner


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
RunnerDep = Annotated[JobRunner, Depends(get_runner)]


def get_principal(
    database: DatabaseDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Principal:
    """The caller, from `Authorization: Bearer <token>`; 401 without a valid one."""
    header = f"{credentials.scheme} {credentials.credentials}" if credentials is not None else None
    with database.read() as session:
        return authenticate(session, header)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def raw_body(request: Request) -> bytes:
    """The request body, already held to the size cap by `api.limits.BodySizeLimit`."""
    return await request.body()


RawBodyDep = Annotated[bytes, Depends(raw_body)]
