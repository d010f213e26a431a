"""Reports: submit one (safely retried with an Idempotency-Key), read one, list many."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from ceasefire.api.schemas import QueryMoment, ReportOut, ReportPage, SubmittedOut
from ceasefire.domain.status import Status
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.errors import InvalidInput
from ceasefire.http import paging
from ceasefire.http.deps import Credentials, CurrentAccount, SessionDep, require_token
from ceasefire.intake.report_in import ReportIn, record_of
from ceasefire.services import overview, reports
from ceasefire.services.correlation import incidents_of_reports
from ceasefire.services.overview import Selection
from ceasefire.services.reports import Submission

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

@router.post("", status_code=201, response_model=SubmittedOut,
             responses={409: {"description": "Idempotency-Key reused with another body"}})
async def submit(given: ReportIn, credentials: Credentials, request: Request,
           idempotency_key: Annotated[str | None, Header(
               alias="Idempotency-Key", min_length=1, max_length=200,
               description="Any unique string; a retry with the same key and body gets the "
               "first answer instead of a second report")] = None) -> JSONResponse:
    """Submit a report for the caller's party. Give a point, a place name or a P-code;
    the report gets its admin P-codes and actor codes here."""
    # The token is checked in the submission's own transaction, which concurrent
    # submissions share (api.batching).
    done = await request.app.state.submissions.submit(Submission(
        given, token=require_token(credentials), idempotency_key=idempotency_key))
    headers = {"Location": f"{router.prefix}/{done.report.id}"}
    if not done.created:
        headers["Idempotent-Replayed"] = "true"
    body = {**record_of(done.report), "incident": done.incident}
    if done.claims:
        body["source_key_claims"] = [{"id": c.report, "submitted_by": c.party}
                                     for c in done.claims]
    return JSONResponse(body, status_code=201, headers=headers)


@router.get("", response_model=ReportPage)
def list_reports(
    session: SessionDep, account: CurrentAccount,
    since: Annotated[QueryMoment | None, Query(description="events at or after (ISO 8601)")] = None,
    until: Annotated[QueryMoment | None, Query(description="events before (ISO 8601)")] = None,
    adm: Annotated[str | None, Query(pattern=r"^[A-Z]{2}(\d\d){1,3}$",
                                     description="P-code of a governorate, district or "
                                     "sub-district")] = None,
    violation: ViolationType | None = None,
    actor: Annotated[str | None, Query(description="actor code, as perpetrator or target")] = None,
    party: Annotated[str | None, Query(description="reporting party code")] = None,
    status: Annotated[Status | None, Query(
        description="status now of the report's incident under the first agreement "
                    "(the web pages' default)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: str | None = None,
) -> Response:
    """Reports, newest event first, a page at a time."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput("give a UTC offset (e.g. 2017-01-05T00:00:00Z)", field=name)
    incidents = None
    if status is not None:
        incidents = overview.incident_ids(session, Selection(statuses=(status.value,)),
                                          now=datetime.now(UTC))
    f = reports.ReportFilter(since=since, until=until, adm=adm, violation=violation,
                             actor=actor, party=party, incidents=incidents)
    found = reports.list_reports(session, f, limit=limit + 1, after=paging.after(cursor))
    page = found[:limit]
    # The same spelling of every value as POST and GET of one report, and as the export.
    last = page[-1] if len(found) > limit else None
    incidents = incidents_of_reports(session, [r.id for r in page])
    return JSONResponse({"items": [{**record_of(r), "incident": incidents.get(r.id)}
                                   for r in page],
                         "next_cursor": paging.cursor_of(last.when.earliest, last.id)
                         if last else None})


@router.get("/{report_id:uuid}", response_model=ReportOut)
def get_report(report_id: UUID, session: SessionDep, account: CurrentAccount) -> Response:
    report = reports.get_report(session, uid=str(report_id))
    incident = incidents_of_reports(session, [report.id]).get(report.id)
    return JSONResponse({**record_of(report), "incident": incident})
