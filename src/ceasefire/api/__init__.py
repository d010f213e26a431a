"""The HTTP API under /api/v1: its routes, request and answer schemas, the batching of
concurrent report submissions, and its docs page. `install` adds it to the app the
composition root (ceasefire.app) builds."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from ceasefire.api import docs
from ceasefire.api.parameters import known_parameters
from ceasefire.api.routes import (
    actors,
    amendments,
    geo,
    health,
    incidents,
    ledger,
    reference,
    reports,
    tiles,
    verdicts,
)


def install(app: FastAPI) -> None:
    """Add the API's routes and its docs page to the app."""
    docs.install(app)
    for router in (health.router, reference.router, actors.router, amendments.router, geo.router,
                   reports.router, incidents.router, verdicts.router, ledger.router,
                   tiles.router):
        app.include_router(router, dependencies=[Depends(known_parameters)])
