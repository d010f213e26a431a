"""The pages anyone may read, without an account: confirmed incidents only (the
published bulletins have their own module)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from ceasefire.domain.status import Status
from ceasefire.errors import CeasefireError, NotFound
from ceasefire.http.deps import DatabaseDep, SessionDep
from ceasefire.outputs.charts import STATUS_COLOURS
from ceasefire.services.incident_record import incident_record
from ceasefire.web.incidents import listing, problem
from ceasefire.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/public/incidents")
def confirmed_incidents(request: Request, session: SessionDep) -> Response:
    return listing(request, None, session, public=True)


@router.get("/public/incidents/{uid}")
def confirmed_incident(request: Request, uid: str, database: DatabaseDep) -> Response:
    try:
        found = incident_record(database, uid)
        # Anything else is not public, and is not said to exist either.
        if not any(s.status is Status.CONFIRMED for s in found.standings):
            raise NotFound(f"no confirmed incident with id {uid!r}", field="id", id=uid)
    except CeasefireError as exc:
        return problem(request, None, exc)
    return render(request, "public_incident.html", {
        "d": found, "colours": STATUS_COLOURS, "public": True,
        "proofs": [p for p in found.proofs if not p.record.startswith("report ")]})
