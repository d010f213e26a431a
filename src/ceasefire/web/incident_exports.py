"""The incident list's selection as a file, for those logged in: GET
/incidents/export.csv, .geojson or .json with the list's query (agreement, from, to, adm,
violation, party, status). A bad selection is the list's problem page, with nothing
exported; otherwise the file is streamed as it is read, from one snapshot of the record
(docs/formats.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from ceasefire.errors import CeasefireError, NotFound
from ceasefire.http.deps import DatabaseDep
from ceasefire.outputs.incident_exports import FORMATS, MEDIA_TYPES
from ceasefire.services.incident_exports import export_incidents
from ceasefire.web.deps import WebAccount
from ceasefire.web.incidents import problem
from ceasefire.web.selection import selection_from

# Registered before web.incidents, whose /incidents/{uid} would take these paths too.
router = APIRouter(include_in_schema=False)


@router.get("/incidents/export.{fmt}")
def incident_export(request: Request, fmt: str, account: WebAccount,
                    database: DatabaseDep) -> Response:
    try:
        if fmt not in FORMATS:
            raise NotFound(f"no export as {fmt!r}; one of {', '.join(FORMATS)}",
                           field="format", id=fmt)
        export = export_incidents(database, selection_from(request.query_params), fmt)
    except CeasefireError as exc:
        return problem(request, account, exc)
    return StreamingResponse(iter(export), media_type=MEDIA_TYPES[fmt], headers={
        "content-disposition": f'attachment; filename="{export.filename}"'})
