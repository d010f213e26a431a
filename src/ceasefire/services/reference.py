"""The mechanism's reference data as routes and pages read it: parties, armed actors and
agreements (public facts of the mechanism)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ceasefire.domain.actors import Actor
from ceasefire.domain.agreement import Agreement
from ceasefire.domain.parties import Party
from ceasefire.store import agreements, parties


def all_parties(session: Session) -> list[Party]:
    return parties.list_parties(session)


def party(session: Session, code: str) -> Party:
    return parties.get_party(session, code=code)


def actors(session: Session, *, name: str | None = None) -> list[Actor]:
    """Every actor, or those an alias names (any language, normalised)."""
    return parties.list_actors(session) if name is None else parties.actors_named(session,
                                                                                 name=name)


def actor(session: Session, code: str) -> Actor:
    return parties.get_actor(session, code=code)


def all_agreements(session: Session) -> list[Agreement]:
    return agreements.list_agreements(session)


def agreement(session: Session, code: str) -> Agreement:
    return agreements.get_agreement(session, code=code)
