"""Dependencies shared by the routes: the database session and the calling account."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
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


def require_token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None:
        raise Unauthenticated("send an API token: Authorization: Bearer <token>")
    return credentials.credentials


def current_account(database: DatabaseDep, credentials: Credentials) -> Account:
    return authenticate(database, token=require_token(credentials))


CurrentAccount = Annotated[Account, Depends(current_account)]
