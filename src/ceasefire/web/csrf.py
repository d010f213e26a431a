"""CSRF: every form POST carries a token that only our own pages can know.

The token is an HMAC keyed by a cookie that the browser holds and scripts cannot read
(HttpOnly): the session cookie once logged in, a random pre-login cookie on the login form
(a signed double-submit). A page elsewhere may get the browser to send the cookie (current
browsers do not, for SameSite=Strict) but cannot read it, so it cannot make the token.
No server secret to keep, and a form's token dies with its session.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Form, Request

from ceasefire.web.cookies import LOGIN_COOKIE, SESSION_COOKIE

FIELD = "csrf_token"  # the hidden form field


class CsrfRefused(Exception):
    """A form POST without the right token: answered 403, nothing changed."""


def token_for(cookie_value: str) -> str:
    return hmac.new(cookie_value.encode("utf-8"), b"ceasefire form", hashlib.sha256).hexdigest()


def matches(cookie_value: str | None, token: str) -> bool:
    if not cookie_value:
        return False
    return hmac.compare_digest(token_for(cookie_value).encode("ascii"),
                               token.encode("utf-8", "replace"))


def _checker(cookie: str):
    def check(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
        if not matches(request.cookies.get(cookie), csrf_token):
            raise CsrfRefused()
    return check


# For route signatures: ``_: LoginFormChecked`` / ``_: SessionFormChecked``.
LoginFormChecked = Annotated[None, Depends(_checker(LOGIN_COOKIE))]
SessionFormChecked = Annotated[None, Depends(_checker(SESSION_COOKIE))]
