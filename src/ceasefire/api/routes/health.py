from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ceasefire.api.schemas import Health
from ceasefire.errors import StorageUnavailable
from ceasefire.http.deps import DatabaseDep

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(database: DatabaseDep) -> JSONResponse:
    """Whether the service can serve: database reachable and its schema current."""
    needed = database.head_revision()
    try:
        current = database.current_revision()
    except StorageUnavailable:
        body = Health(status="unavailable", database="unreachable", schema_revision=None,
                      schema_needed=needed)
        return JSONResponse(body.model_dump(), status_code=503)
    ok = current == needed
    body = Health(status="ok" if ok else "unavailable",
                  database="ok" if ok else "schema out of date",
                  schema_revision=current, schema_needed=needed)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
