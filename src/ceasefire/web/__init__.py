"""Server-rendered web pages: login and logout, the dashboard, incidents, the report
form and the verdict queue, bulletins (the secretariat's publishing), and the public pages.

Pages take the logged-in account from ``WebAccount`` (or ``WebAccountOrNone``), render
with ``render``, and check every form POST with ``SessionFormChecked``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from ceasefire.services.map_counts import MapCache
from ceasefire.web import bulletins, incidents, login, maps, public, reporting
from ceasefire.web.csrf import CsrfRefused, SessionFormChecked
from ceasefire.web.deps import LoginRequired, WebAccount, WebAccountOrNone
from ceasefire.web.ratelimit import LoginLimiter
from ceasefire.web.templating import make_templates, render, root

__all__ = ["SessionFormChecked", "WebAccount", "WebAccountOrNone", "install", "render"]

_STATIC = Path(__file__).parent / "static"


async def _to_login(request: Request, _exc: Exception) -> Response:
    return RedirectResponse(f"{root(request)}/login", status_code=303)


async def _refused(request: Request, _exc: Exception) -> Response:
    return render(request, "refused.html", status_code=403)


def install(app: FastAPI) -> None:
    """Add the pages, their static files and their error answers to the app."""
    app.state.templates = make_templates()
    app.state.login_limiter = LoginLimiter()
    app.state.map_cache = MapCache()
    app.mount("/static", StaticFiles(directory=_STATIC), name="web-static")
    for module in (login, incidents, maps, reporting, public, bulletins):
        app.include_router(module.router)
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(CsrfRefused, _refused)
