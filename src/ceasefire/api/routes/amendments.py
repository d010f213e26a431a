"""Amendments: an agreement's terms changed from a date by the secretariat, or by
proposal to the guarantors and each one's consent; and the history of those changes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ceasefire.domain.actors import CODE_PATTERN
from ceasefire.domain.amendment import amendment_of, terms_of
from ceasefire.domain.proposal import Proposal
from ceasefire.http.deps import Credentials, DatabaseDep, require_token
from ceasefire.services import amendments, proposals

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


# -- by agreement of the guarantors -------------------------------------------------------

class ConsentOut(BaseModel):
    party: str
    at: datetime


class ObjectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=2000)]


class ObjectionOut(ObjectionIn):
    party: str
    at: datetime


class ProposalOut(BaseModel):
    id: int
    outcome: str = Field(description="open, adopted or objected")
    change: str
    effective: datetime
    reason: str
    terms: dict[str, Any]
    proposed_by: str
    proposed_at: datetime
    consents: list[ConsentOut]
    waiting_for: list[str] = Field(description="guarantors yet to consent")
    objection: ObjectionOut | None = None
    version: int | None = Field(None, description="the terms' version it made, once adopted")
    reassessed: int | None = Field(None, description="incidents assessed again when this "
                                   "answer adopted it")


def _out(p: Proposal, waiting: tuple[str, ...], reassessed: int | None = None) -> ProposalOut:
    m, o = p.amendment, p.objection
    return ProposalOut(
        id=p.id, outcome=p.outcome, change=m.change.value, effective=m.effective,
        reason=m.reason, terms=terms_of(m), proposed_by=p.proposed_by,
        proposed_at=p.proposed_at,
        consents=[ConsentOut(party=c.party, at=c.at) for c in p.consents],
        waiting_for=list(waiting), version=p.version, reassessed=reassessed,
        objection=None if o is None else ObjectionOut(party=o.party, at=o.at,
                                                      reason=o.reason))


def _answer(answer: proposals.Answer) -> ProposalOut:
    return _out(answer.proposal, answer.waiting_for,
                None if answer.amended is None else answer.amended.reassessed)


ProposalId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/{code}/proposals", response_model=list[ProposalOut])
async def list_proposals(code: Code, database: DatabaseDep) -> list[ProposalOut]:
    """Amendments proposed to the guarantors, oldest first, with who consented."""
    agreement, found = await run_in_threadpool(proposals.listing, database, code)
    return [_out(p, p.waiting_for(agreement) if p.open else ()) for p in found]


@router.post("/{code}/proposals", response_model=ProposalOut, status_code=201)
async def propose(code: Code, given: AmendmentIn, database: DatabaseDep,
                  credentials: Credentials) -> ProposalOut:
    """Propose a change to terms the guarantors amend (a guarantor's officer, who
    consents by proposing, or the secretariat): it takes effect once every guarantor has
    consented."""
    token = require_token(credentials)
    made = amendment_of(code, given.change, effective=given.effective, reason=given.reason,
                        zone=given.zone, name=given.name, pcodes=given.area, acts=given.acts,
                        actor=given.actor, status=given.status)
    return _answer(await run_in_threadpool(proposals.propose, database, made, token=token))


@router.post("/{code}/proposals/{proposal}/consent", response_model=ProposalOut)
async def consent(code: Code, proposal: ProposalId, database: DatabaseDep,
                  credentials: Credentials) -> ProposalOut:
    """Consent for the officer's guarantor; the last consent adopts the amendment and
    reassesses what it reaches, in one transaction."""
    token = require_token(credentials)
    return _answer(await run_in_threadpool(proposals.consent, database, code, proposal,
                                           token=token))


@router.post("/{code}/proposals/{proposal}/objection", response_model=ProposalOut)
async def objection(code: Code, proposal: ProposalId, given: ObjectionIn,
                    database: DatabaseDep, credentials: Credentials) -> ProposalOut:
    """Object for the officer's guarantor, with a reason: the proposal closes."""
    token = require_token(credentials)
    return _answer(await run_in_threadpool(proposals.object_to, database, code, proposal,
                                           given.reason, token=token))
