"""The composition root: the HTTP application built from the API (`api`) and the web
pages (`web`), with the middlewares they share (`http`). Nothing is built at import
time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi_offline import FastAPIOffline

from ceasefire import api, web
from ceasefire.api.batching import SubmissionBatcher
from ceasefire.api.schemas import ErrorBody
from ceasefire.config import Settings
from ceasefire.errors import CeasefireError
from ceasefire.http import errors
from ceasefire.http.gate import BodyLimit, TokenFirst
from ceasefire.http.headers import SecurityHeaders
from ceasefire.http.timing import ServerTiming
from ceasefire.services import correlation, ledger
from ceasefire.services.witnessing import Witnessing, configured
from ceasefire.store.db import Database
from ceasefire.web.cookies import SESSION_COOKIE

log = logging.getLogger(__name__)

DESCRIPTION = """\
The shared record of a multi-party ceasefire monitoring mechanism.

Authenticate with `Authorization: Bearer <token>`; tokens come from
`ceasefire account create`. Every error is `{"error": {"code", "message", ...}}`
with a stable `code`.
"""


@asynccontextmanager
async def _running(app: FastAPI) -> AsyncIterator[None]:
    """Opens the server's key and loads the correlation engine (either would otherwise
    hold up the first write, and other processes' writers behind it), then asks the
    witnesses to cosign while the server runs (not at all if there are none)."""
    try:
        await run_in_threadpool(ledger.open_server_key, app.state.database)
    except CeasefireError as exc:  # said again by the first write that needs the key
        log.warning("the server's key is not open: %s", exc)
    await run_in_threadpool(correlation.warm_up)
    asking = Witnessing(app.state.database, app.state.database.witnesses)
    asking.start()
    try:
        yield
    finally:
        asking.stop()


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    # FastAPIOffline serves Swagger UI's files from the package, not from a CDN; its pages
    # are off: they start Swagger UI inline, which the CSP forbids (api/docs.py serves one
    # that does not), and ReDoc injects inline styles.
    app = FastAPIOffline(
        docs_url=None,
        redoc_url=None,
        title="Ceasefire Monitor",
        version=version("ceasefire"),
        description=DESCRIPTION,
        responses={"default": {"model": ErrorBody, "description": "Error"}},
        lifespan=_running,
    )
    app.state.settings = settings

    if database is None:
        database = Database(settings.database_url,
                            server_passphrase=settings.server_passphrase or None,
                            origin=settings.log_origin, witnesses=configured(settings))
        if warning := database.exposed():  # `ceasefire serve` has said it already
            log.warning(warning)
    app.state.database = database
    app.state.submissions = SubmissionBatcher(app.state.database)
    errors.install(app)
    app.add_middleware(TokenFirst)  # inside BodyLimit: a length over it is refused first
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, session_cookie=SESSION_COOKIE)
    app.add_middleware(ServerTiming)  # outermost of ours: it times the others too
    api.install(app)
    web.install(app)
    return app


def from_env() -> FastAPI:
    """The app configured from the environment, for an ASGI server's --factory option:
    ``uvicorn --factory ceasefire.app:from_env``."""
    return create_app(Settings.from_env())
