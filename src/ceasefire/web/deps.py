"""Dependencies for pages: the logged-in account, from the session cookie.

``WebAccountOrNone`` for pages anyone may see; ``WebAccount`` for pages that need a login
(a visitor without one is sent to /login).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ceasefire.domain.parties import Account
from ceasefire.http.deps import DatabaseDep
from ceasefire.services.logins import session_account
from ceasefire.web.cookies import SESSION_COOKIE


class LoginRequired(Exception):
    """Raised by WebAccount for a visitor without a live session: answered by a redirect."""


def web_account_or_none(request: Request, database: DatabaseDep) -> Account | None:
    token = request.cookies.get(SESSION_COOKIE)
    return session_account(database, token=token) if token else None


WebAccountOrNone = Annotated[Account | None, Depends(web_account_or_none)]


def web_account(account: WebAccountOrNone) -> Account:
    if account is None:
        raise LoginRequired()
    return account


WebAccount = Annotated[Account, Depends(web_account)]
