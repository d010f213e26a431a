"""Incidents: list them, read one with the reasons its reports were grouped, and let
analysts split and merge them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ceasefire.api.schemas import (
    IncidentDetail,
    IncidentOut,
    IncidentPage,
    QueryMoment,
    incident_out,
)
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.errors import InvalidInput
from ceasefire.http import paging
from ceasefire.http.deps import Credentials, CurrentAccount, DatabaseDep, SessionDep, require_token
from ceasefire.services import correlation

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reports: list[UUID] = Field(min_length=1, max_length=1000,
                                description="reports to move into an incident of their own")
    reason: Reason


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    incidents: list[UUID] = Field(min_length=2, max_length=100)
    reason: Reason


class SplitOut(BaseModel):
    incidents: list[str] = Field(description="the incidents that now hold the reports")


@router.get("", response_model=IncidentPage)
def list_incidents(
    session: SessionDep, account: CurrentAccount,
    since: Annotated[QueryMoment | None, Query(description="events at or after (ISO 8601)")] = None,
    until: Annotated[QueryMoment | None, Query(description="events before (ISO 8601)")] = None,
    adm: Annotated[str | None, Query(pattern=r"^[A-Z]{2}(\d\d){1,3}$",
                                     description="P-code of any level")] = None,
    violation: ViolationType | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: str | None = None,
) -> IncidentPage:
    """Incidents, newest event first, a page at a time."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput("give a UTC offset (e.g. 2017-01-05T00:00:00Z)", field=name)
    f = correlation.IncidentFilter(since=since, until=until, adm=adm,
                                 violation=violation.value if violation else None)
    found = correlation.list_incidents(session, f, limit=limit + 1, after=paging.after(cursor))
    page = found[:limit]
    last = page[-1] if len(found) > limit else None
    return IncidentPage(items=[incident_out(r) for r in page],
                        next_cursor=paging.cursor_of(last.earliest, last.uid) if last else None)


@router.get("/{incident_id:uuid}", response_model=IncidentDetail)
def get_incident(incident_id: UUID, session: SessionDep,
                 account: CurrentAccount) -> IncidentDetail:
    """One incident: its reports (founder first), and for each pair of them the score of
    each field and whether they are linked, forced together or kept apart."""
    view = correlation.explain_incident(session, str(incident_id))
    return IncidentDetail(**incident_out(view.summary).model_dump(), reports=view.reports,
                          threshold=view.threshold, veto=view.veto, prior=view.prior,
                          pairs=[asdict(p) for p in view.pairs],
                          decisions=view.decisions)


@router.post("/{incident_id:uuid}/split", response_model=SplitOut)
async def split_incident(incident_id: UUID, given: SplitIn, database: DatabaseDep,
                         credentials: Credentials) -> SplitOut:
    """Move reports out of an incident into one of their own (analysts and the
    secretariat). Later batch runs keep the decision."""
    token = require_token(credentials)
    found = await run_in_threadpool(correlation.split, database, str(incident_id),
                                    [str(r) for r in given.reports], reason=given.reason,
                                    token=token)
    return SplitOut(incidents=found)


@router.post("/merge", response_model=IncidentOut)
async def merge_incidents(given: MergeIn, database: DatabaseDep,
                          credentials: Credentials) -> IncidentOut:
    """Merge incidents into one (analysts and the secretariat). Later batch runs keep it."""
    token = require_token(credentials)
    merged = await run_in_threadpool(correlation.merge, database,
                                     [str(i) for i in given.incidents], reason=given.reason,
                                     token=token)
    view = await run_in_threadpool(correlation.explain, database, merged)
    return incident_out(view.summary)
