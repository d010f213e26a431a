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


def get_database(request: Request) -> Database:
    return request.app.state.database


DatabaseDep = Annotated[Database, Depends(get_database)]


def get_session(database: DatabaseDep) -> Iterator[Session]:
    with database.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(auto_error=False, description="An API token from `ceasefire account create`")


def current_account(
    database: DatabaseDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Account:
    if credentials is None:
        raise Unauthenticated("send an API token: Authorization: Bearer <token>")
    return authenticate(database, token=credentials.credentials)


CurrentAccount = Annotated[Account, Depends(current_account)]
