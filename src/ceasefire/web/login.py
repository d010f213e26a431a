"""The login and logout pages."""

from __future__ import annotations

import logging
import math
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from ceasefire.domain import words
from ceasefire.http.deps import DatabaseDep
from ceasefire.services.logins import LoginFailed, log_in, log_out
from ceasefire.web import csrf
from ceasefire.web.cookies import LOGIN_COOKIE, SESSION_COOKIE, clear_cookie, set_cookie
from ceasefire.web.deps import WebAccountOrNone
from ceasefire.web.ratelimit import LoginLimiter
from ceasefire.web.templating import render, root

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

FormText = Annotated[str, Form()]


def _redirect(request: Request, path: str) -> RedirectResponse:
    return RedirectResponse(f"{root(request)}{path}", status_code=303)


def client_address(request: Request) -> str:
    # `ceasefire serve` puts the address from X-Forwarded-For here when the connection
    # comes from a proxy named in CEASEFIRE_TRUSTED_PROXIES, and only then.
    return request.client.host if request.client else "unknown"


@router.get("/login")
def login_page(request: Request, account: WebAccountOrNone) -> Response:
    if account is not None:
        return _redirect(request, "/")
    return _login_form(request)


def _login_form(request: Request, *, status_code: int = 200, error: str | None = None,
                username: str = "", headers: dict[str, str] | None = None) -> Response:
    secret = request.cookies.get(LOGIN_COOKIE)
    fresh = not secret
    secret = secret or secrets.token_urlsafe(32)
    response = render(request, "login.html",
                      {"csrf_token": csrf.token_for(secret), "error": error,
                       "username": username}, status_code=status_code, headers=headers)
    if fresh:
        set_cookie(response, LOGIN_COOKIE, secret)
    return response


@router.post("/login")
def login(request: Request, database: DatabaseDep, _: csrf.LoginFormChecked,
          username: FormText = "", password: FormText = "") -> Response:
    limiter: LoginLimiter = request.app.state.login_limiter
    address = client_address(request)
    if (refused := limiter.refusal(username=username, address=address)) is not None:
        log.warning("login refused: %s (from %s)", refused.reason, address)
        minutes = max(1, math.ceil(refused.seconds / 60))
        return _login_form(request, status_code=429, username=username[:63],
                           error=f"{words.sentence(refused.reason)}: try again in "
                                 f"{words.count(minutes, 'minute')}. If you have forgotten "
                                 "your password, the secretariat can set a new one.",
                           headers={"Retry-After": str(refused.seconds)})
    lifetime = timedelta(hours=request.app.state.settings.session_hours)
    try:
        account, token = log_in(database, username=username, password=password,
                                lifetime=lifetime)
    except LoginFailed:
        limiter.failed(username=username, address=address)
        # Not the username: people type their password into it by mistake.
        log.warning("login failed (from %s)", address)
        return _login_form(request, status_code=400, username=username[:63],
                           error="Unknown username or wrong password.")
    limiter.succeeded(username=username, address=address)
    log.info("login: %s (from %s)", account.username, address)
    response = _redirect(request, "/")
    set_cookie(response, SESSION_COOKIE, token, max_age=int(lifetime.total_seconds()))
    clear_cookie(response, LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, database: DatabaseDep, _: csrf.SessionFormChecked) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:  # always there: the CSRF check needs it
        log_out(database, token=token)
    response = _redirect(request, "/login")
    clear_cookie(response, SESSION_COOKIE)
    return response
