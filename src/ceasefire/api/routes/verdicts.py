"""Joint verification: an incident's assessment and verdicts, casting a party's verdict,
and the queue of incidents awaiting the caller's party."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ceasefire.api.schemas import QueueOut, StandingOut, VerdictIn, standing_out
from ceasefire.http.deps import Credentials, CurrentAccount, DatabaseDep, require_token
from ceasefire.services import verification

router = APIRouter(prefix="/api/v1", tags=["verification"])


@router.get("/incidents/{incident_id:uuid}/standing", response_model=list[StandingOut])
async def get_standing(incident_id: UUID, database: DatabaseDep,
                       account: CurrentAccount) -> list[StandingOut]:
    """The incident under each agreement: every rule applied and why, each guarantor's
    verdict, who has not answered, the deadline, and the status now."""
    views = await run_in_threadpool(verification.read, database, str(incident_id))
    return [standing_out(v) for v in views]


@router.post("/incidents/{incident_id:uuid}/verdicts", response_model=StandingOut,
             responses={409: {"description": "the standing moved on since `version`; the "
                                             "body's `current` holds it"}})
async def cast_verdict(incident_id: UUID, given: VerdictIn, database: DatabaseDep,
                       credentials: Credentials) -> StandingOut | JSONResponse:
    """Cast (or change) the caller's party's verdict. Guarantor officers only, for their
    own party, against the `version` of the standing they saw."""
    token = require_token(credentials)
    try:
        view = await run_in_threadpool(
            verification.cast, database, token, str(incident_id), position=given.position,
            seen_version=given.version, attributed_to=given.attributed_to,
            comment=given.comment, agreement=given.agreement)
    except verification.StaleVerdict as exc:
        body = exc.to_dict() | {"current": standing_out(exc.current).model_dump(mode="json")}
        return JSONResponse({"error": body}, status_code=exc.http_status)
    return standing_out(view)


@router.get("/queue", response_model=QueueOut)
async def get_queue(database: DatabaseDep, credentials: Credentials,
                    limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> QueueOut:
    """Incidents awaiting the caller's party's verdict, oldest first."""
    token = require_token(credentials)
    party, items = await run_in_threadpool(verification.awaiting_verdict, database,
                                           token=token, limit=limit)
    return QueueOut(party=party, items=[asdict(i) for i in items])
