"""Amendments: an agreement's terms changed from a date by the secretariat, and the
history of those changes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ceasefire.domain.actors import CODE_PATTERN
from ceasefire.domain.amendment import amendment_of, terms_of
from ceasefire.http.deps import Credentials, DatabaseDep, require_token
from ceasefire.services import amendments

router = APIRouter(prefix="/api/v1/agreements", tags=["agreements"])

Code = Annotated[str, Path(pattern=CODE_PATTERN, description="e.g. syria-2016")]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class AmendmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    change: Short = Field(description="zone-added, zone-ended, agreement-ended, "
                          "acts-changed or actor-status")
    effective: Short = Field(description="from when: a day (midnight UTC) or an ISO 8601 "
                             "date-time with its offset")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=2000)]
    zone: Short | None = Field(None, description="the zone ended, added (its code), or whose "
                               "acts change")
    name: Short | None = Field(None, description="the name of the zone added")
    area: list[Short] = Field([], max_length=500, description="P-codes of the zone added")
    acts: list[Short] = Field([], max_length=50, description="prohibited acts from then")
    actor: Short | None = None
    status: Short | None = Field(None, description="signatory, excluded or non-signatory")


class AmendmentOut(BaseModel):
    version: int = Field(description="the version of the terms it made")
    change: str
    effective: datetime
    reason: str
    terms: dict[str, Any]
    made_by: str
    made_at: datetime


class AmendedOut(BaseModel):
    agreement: str
    version: int
    reassessed: int = Field(description="incidents the change could reach, assessed again")


@router.get("/{code}/amendments", response_model=list[AmendmentOut])
async def list_amendments(code: Code, database: DatabaseDep) -> list[AmendmentOut]:
    """Every amendment of the agreement, oldest first."""
    _, stored = await run_in_threadpool(amendments.history, database, code)
    return [AmendmentOut(version=s.version, change=s.amendment.change.value,
                         effective=s.amendment.effective, reason=s.amendment.reason,
                         terms=terms_of(s.amendment), made_by=s.made_by, made_at=s.made_at)
            for s in stored]


@router.post("/{code}/amendments", response_model=AmendedOut, status_code=201)
async def amend_agreement(code: Code, given: AmendmentIn, database: DatabaseDep,
                          credentials: Credentials) -> AmendedOut:
    """Change the terms from a moment (the secretariat): one signed ledger entry, and
    the incidents the change can reach assessed again in the same transaction."""
    token = require_token(credentials)
    made = amendment_of(code, given.change, effective=given.effective, reason=given.reason,
                        zone=given.zone, name=given.name, pcodes=given.area, acts=given.acts,
                        actor=given.actor, status=given.status)
    done = await run_in_threadpool(amendments.amend, database, made, token=token)
    return AmendedOut(agreement=done.agreement, version=done.version,
                      reassessed=done.reassessed)
