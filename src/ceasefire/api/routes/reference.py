"""The standing facts of the mechanism: parties, actors, agreements, violation types."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from ceasefire.api.schemas import (
    AccountOut,
    ActorOut,
    AgreementOut,
    PartyOut,
    ViolationTypeOut,
)
from ceasefire.domain.actors import CODE_PATTERN
from ceasefire.domain.taxonomy import FROM_ACLED, ViolationType
from ceasefire.http.deps import CurrentAccount, SessionDep
from ceasefire.services import reference

router = APIRouter(prefix="/api/v1")

Code = Annotated[str, Path(pattern=CODE_PATTERN, description="e.g. syria-2016, isil")]


@router.get("/me", response_model=AccountOut, tags=["accounts"])
def me(account: CurrentAccount) -> AccountOut:
    """The account the API token belongs to."""
    return AccountOut.of(account)


@router.get("/parties", response_model=list[PartyOut], tags=["reference"])
def list_parties(session: SessionDep) -> list[PartyOut]:
    return [PartyOut.of(p) for p in reference.all_parties(session)]


@router.get("/actors", response_model=list[ActorOut], tags=["reference"])
def list_actors(session: SessionDep,
                name: str | None = Query(None, description="Only actors known by this name "
                                         "or alias, in any language")) -> list[ActorOut]:
    found = reference.actors(session, name=name)
    return [ActorOut.of(a) for a in found]


@router.get("/actors/{code}", response_model=ActorOut, tags=["reference"])
def get_actor(code: Code, session: SessionDep) -> ActorOut:
    return ActorOut.of(reference.actor(session, code))


@router.get("/agreements", response_model=list[AgreementOut], tags=["reference"])
def list_agreements(session: SessionDep) -> list[AgreementOut]:
    return [AgreementOut.of(a) for a in reference.all_agreements(session)]


@router.get("/agreements/{code}", response_model=AgreementOut, tags=["reference"])
def get_agreement(code: Code, session: SessionDep) -> AgreementOut:
    return AgreementOut.of(reference.agreement(session, code))


@router.get("/violation-types", response_model=list[ViolationTypeOut], tags=["reference"])
def violation_types() -> list[ViolationTypeOut]:
    """Our violation taxonomy, with the ACLED sub-event types that map to each type."""
    return [ViolationTypeOut(code=v.value, label=v.label,
                             acled=[f"{e} / {s}" for (e, s), t in FROM_ACLED.items() if t is v])
            for v in ViolationType]
