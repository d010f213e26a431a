"""Dependencies shared by the routes: the database session and the calling account."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy.orm import Session

from ceasefire.domain.parties import Account
from ceasefire.errors import Unauthenticated
from ceasefire.services.accounts import authenticate
from ceasefire.store.db import Database


async def get_database(request: Request) -> Database:
    # async: a plain attribute read needs no trip through the thread pool
    return request.app.state.database


DatabaseDep = Annotated[Database, Depends(get_database)]


def get_session(database: DatabaseDep) -> Iterator[Session]:
    with database.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(auto_error=False, description="An API token from `ceasefire account create`")


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def missing_token() -> Unauthenticated:
    return Unauthenticated("send an API token: Authorization: Bearer <token>")


def require_token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None:
        raise missing_token()
    return credentials.credentials


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, as `_bearer` reads it."""
    scheme, token = get_authorization_scheme_param(authorization)
    return token if authorization and token and scheme.lower() == "bearer" else None


def needs_token(dependant: Dependant) -> bool:
    """Whether a route needs an API token: whether it depends on `Credentials`."""
    return any(d.call is _bearer or needs_token(d) for d in dependant.dependencies)


# Where api.gate.TokenFirst keeps the account it authenticated, before the body was read.
ACCOUNT = "ceasefire.account"


async def current_account(request: Request, database: DatabaseDep,
                          credentials: Credentials) -> Account:
    if (account := request.scope.get(ACCOUNT)) is not None:
        return account
    return await run_in_threadpool(authenticate, database, token=require_token(credentials))


CurrentAccount = Annotated[Account, Depends(current_account)]
