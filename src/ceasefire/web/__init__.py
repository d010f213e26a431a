"""Server-rendered web pages: login and logout, the dashboard, incidents, the report
form and the verdict queue, bulletins (the secretariat's publishing), and the public pages.

Pages take the logged-in account from ``WebAccount`` (or ``WebAccountOrNone``), render
with ``render``, and check every form POST with ``SessionFormChecked``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from ceasefire.services.map_counts import MapCache
from ceasefire.web import (
    actors,
    agreements,
    bulletins,
    home,
    incident_edits,
    incident_exports,
    incidents,
    login,
    maps,
    public,
    reporting,
)
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


async def _favicon() -> Response:
    return FileResponse(_STATIC / "favicon.svg", media_type="image/svg+xml",
                        headers={"cache-control": "max-age=86400"})


def install(app: FastAPI) -> None:
    """Add the pages, their static files and their error answers to the app."""
    app.state.templates = make_templates()
    app.state.login_limiter = LoginLimiter(app.state.database)
    app.state.map_cache = MapCache()
    app.mount("/static", StaticFiles(directory=_STATIC), name="web-static")
    # incident_exports before incidents, whose /incidents/{uid} would take its paths.
    for module in (home, login, incident_exports, incidents, incident_edits, maps, reporting,
                   public, bulletins, actors, agreements):
        app.include_router(module.router)
    # Clients that ask for /favicon.ico without reading the page's <link rel="icon">.
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(CsrfRefused, _refused)
