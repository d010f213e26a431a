"""The mechanism's reference data as routes and pages read it: parties, armed actors and
agreements (public facts of the mechanism)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ceasefire.domain import words
from ceasefire.domain.actors import Actor, ActorDirectory
from ceasefire.domain.agreement import Agreement
from ceasefire.domain.parties import Party
from ceasefire.store import agreements, parties
from ceasefire.store.reference import reference as store_reference


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


@dataclass(frozen=True)
class Names:
    """The names readers see for the codes of parties, actors and agreements; a code
    the record does not hold is shown as it is."""

    parties: dict[str, str]
    actors: dict[str, str]
    agreements: dict[str, str]

    def party(self, code: str | None) -> str:
        return self.parties.get(code, code) if code else ""

    def actor(self, code: str | None) -> str:
        return self.actors.get(code, code) if code else ""

    def agreement(self, code: str | None) -> str:
        return self.agreements.get(code, code) if code else ""

    def party_list(self, codes: Iterable[str]) -> str:
        return ", ".join(self.party(c) for c in codes)

    def actor_list(self, codes: Iterable[str]) -> str:
        return ", ".join(self.actor(c) for c in codes)

    def parties_said(self, codes: Iterable[str]) -> str:
        """Parties named in a sentence: 'Russia, Turkey and Iran'."""
        return words.listing([self.party(c) for c in codes])


def actor_names(directory: ActorDirectory) -> dict[str, str]:
    """Each actor's name as readers see it: a merged actor's says what it became, as
    "Jaish al-Islam (merged into Jaysh al-Islam)"."""
    return {a.code: a.name if a.merged_into is None else
            f"{a.name} (merged into {directory.get(directory.current(a.code)).name})"
            for a in directory}


def names(session: Session) -> Names:
    known = store_reference(session)
    return Names(parties={p.code: p.name for p in parties.list_parties(session)},
                 actors=actor_names(known.actors),
                 agreements={a.code: a.title for a in known.agreements})
