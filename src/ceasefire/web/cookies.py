"""The cookies the web pages set: HttpOnly, Secure, SameSite=Strict, Path=/.

The ``__Host-`` prefix makes the browser refuse them unless they are Secure, for Path=/
and without a Domain, so a sibling subdomain cannot plant or overwrite them. Browsers
treat http://127.0.0.1 and http://localhost as secure origins and keep them there; any
other address needs HTTPS (docs/security.md).
"""

from __future__ import annotations

from starlette.responses import Response

SESSION_COOKIE = "__Host-ceasefire-session"  # the session token; only its hash is stored
LOGIN_COOKIE = "__Host-ceasefire-login"  # keys the login form's CSRF token, before a session


def set_cookie(response: Response, name: str, value: str, *,
               max_age: int | None = None) -> None:
    """Without max_age the cookie lasts until the browser closes."""
    response.set_cookie(name, value, max_age=max_age, expires=max_age, path="/", secure=True,
                        httponly=True, samesite="strict")


def clear_cookie(response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", secure=True, httponly=True, samesite="strict")
