"""What intake needs from the record: parties, actors and the places known by name."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ceasefire.domain.place import AdminCodes, Point, WherePrecision
from ceasefire.geo.admin import syria
from ceasefire.geo.gazetteer import Gazetteer, place_key, syria_gazetteer
from ceasefire.intake.normalise import IntakeContext, PlaceEntry
from ceasefire.store import imports
from ceasefire.store.reference import Reference, reference


@dataclass(frozen=True, slots=True)
class LearntEntry:
    point: Point
    admin: AdminCodes
    precision: WherePrecision = WherePrecision.EXACT


class Places:
    """The shipped gazetteer first; then names learnt from imported records."""

    def __init__(self, session: Session, gazetteer: Gazetteer) -> None:
        self._session = session
        self._gazetteer = gazetteer

    def resolve(self, text: str) -> PlaceEntry | None:
        entry = self._gazetteer.resolve(text)
        if entry is not None:
            return entry
        learnt = imports.places_keyed(self._session, place_key(text))
        if not learnt:
            return None
        best = min(learnt, key=lambda p: p.precision)  # the most precise source wins
        return LearntEntry(Point(best.lon, best.lat),
                           AdminCodes(best.adm1, best.adm2, best.adm3),
                           WherePrecision(best.precision))


def intake_context(session: Session, known: Reference | None = None) -> IntakeContext:
    known = known or reference(session)
    return IntakeContext(
        parties=frozenset(known.party_ids),
        actors=known.actors,
        admin=syria(),
        places=Places(session, syria_gazetteer()),
    )


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place a name may mean, for a reader to choose from."""

    name: str
    kind: str  # governorate, district, sub-district, town, or a name learnt from imports
    point: Point
    admin: AdminCodes
    precision: WherePrecision


def search_places(session: Session, text: str, *, limit: int = 8) -> list[Candidate]:
    """The places `text` may name, best first: the shipped gazetteer's, then names learnt
    from imported records (as `Places.resolve` ranks them)."""
    found = [Candidate(m.entry.name, m.entry.kind, m.entry.point, m.entry.admin,
                       m.entry.precision)
             for m in syria_gazetteer().search(text, limit=limit)]
    if len(found) < limit and text.strip():
        for p in imports.places_keyed(session, place_key(text))[:limit - len(found)]:
            found.append(Candidate(p.name, "imported", Point(p.lon, p.lat),
                                   AdminCodes(p.adm1, p.adm2, p.adm3),
                                   WherePrecision(p.precision)))
    return found
