"""Is an incident a violation under an agreement? The rules, applied one by one.

An incident is a candidate violation when it happened while the agreement was in force,
inside the area it covers, its act is prohibited by the terms in force there and then, and
it is not an operation by or against an actor the agreement excludes. Every rule is applied
and recorded with its reason, so that a reader sees why an incident is or is not covered,
not only the verdict. A rule that cannot be decided from what is known (a place known only
to its governorate, a time known only to the week) fails with that reason: an incident is
a candidate violation only when the record shows it.

A place located only to the country (UCDP where_prec 6 or 7) lies in some governorate, but
which one is not known: it is covered when the agreement covers the whole country, and a
zone's terms cannot apply to it, since it cannot be placed in a zone.

Terms change over time: a zone (a de-escalation area) may bring its own prohibited acts
from its start. An incident is judged by the terms in force when and where it happened; if
a zone began during the incident's span, or the place is too coarse to say whether it lies
in the zone, the agreement's own terms apply and the assessment says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ceasefire.domain import words
from ceasefire.domain.agreement import Agreement, Area, Zone
from ceasefire.domain.place import AdminCodes
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.when import When


class Rule(StrEnum):
    IN_FORCE = "in-force"  # the agreement was in force when it happened
    AREA = "area"  # inside the area the agreement (or a zone) covers
    TERMS = "terms"  # which terms apply: the agreement's, or a zone's
    PROHIBITED = "prohibited"  # the act is prohibited by those terms
    EXCLUDED = "excluded-actors"  # no excluded actor took part


@dataclass(frozen=True, slots=True)
class Check:
    rule: Rule
    passed: bool
    reason: str


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    """What the assessment reads about an incident."""

    when: When
    admin: AdminCodes | None  # None: in no admin area the record knows, or see `country`
    violation: ViolationType
    perpetrators: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    # Located only to the country: the P-codes of its governorates, any of which may hold
    # it. Empty when the place is known more precisely.
    country: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Finding:
    """The assessment of one incident under one agreement: every rule and its reason."""

    agreement: str
    terms: str  # the agreement's code, or the code of the zone whose terms applied
    checks: tuple[Check, ...]

    @property
    def covered(self) -> bool:
        """A candidate violation: every rule passed."""
        return all(c.passed for c in self.checks)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why it is not covered (empty when it is)."""
        return tuple(c.reason for c in self.checks if not c.passed)


def assess(agreement: Agreement, facts: IncidentFacts) -> Finding:
    zone, terms_reason = _zone_in_force(agreement, facts)
    at = facts.when.earliest  # amended terms judge an incident from its start
    own_terms = zone is not None and (zone.prohibited is not None or any(
        c.zone == zone.code and c.effective <= at for c in agreement.acts_changes))
    checks = (
        _in_force(agreement, facts.when),
        _area(agreement, zone, facts),
        Check(Rule.TERMS, True, terms_reason),
        _prohibited(agreement.prohibited_at(at, zone), facts.violation,
                    f"the zone {zone.name}" if own_terms and zone is not None
                    else f"the {agreement.title}"),
        _excluded(agreement.excluded_at(at), facts.perpetrators, facts.targets),
    )
    return Finding(agreement.code, zone.code if zone is not None else agreement.code, checks)


def _in_force(agreement: Agreement, when: When) -> Check:
    period = agreement.period
    span = words.span(when.earliest, when.latest)
    start = words.moment(period.start)
    end = words.moment(period.end) if period.end else None
    if when.within(period.start, period.end):
        return Check(Rule.IN_FORCE, True, f"happened ({span}) while the agreement was in force")
    if when.latest < period.start:
        return Check(Rule.IN_FORCE, False, f"happened ({span}) before the agreement came into "
                     f"force ({start})")
    if period.end is not None and when.earliest >= period.end:
        return Check(Rule.IN_FORCE, False, f"happened ({span}) after the agreement ended "
                     f"({end})")
    return Check(Rule.IN_FORCE, False, f"its time ({span}) is too vague to say whether the "
                 f"agreement was in force (from {start}" + (f" to {end}" if end else "") + ")")


COUNTRY_ONLY = "located only to the country"


def _area(agreement: Agreement, zone: Zone | None, facts: IncidentFacts) -> Check:
    if facts.country:
        return _country_area(agreement.area, zone, facts)
    admin = facts.admin
    if admin is None or admin.finest is None:
        return Check(Rule.AREA, False, "it happened outside every admin area the record knows")
    where = admin.finest
    if zone is not None:
        return Check(Rule.AREA, True, f"{where} lies in the zone {zone.name}")
    if agreement.area.covers_admin(admin):
        return Check(Rule.AREA, True, f"{where} lies in the area the agreement covers")
    if any(code.startswith(where) for code in agreement.area.pcodes):
        return Check(Rule.AREA, False, f"{where} is too coarse a place to say whether it lies "
                     "in the area the agreement covers")
    return Check(Rule.AREA, False, f"{where} lies outside the area the agreement covers")


def _country_area(area: Area, zone: Zone | None, facts: IncidentFacts) -> Check:
    if zone is not None:  # a zone over the whole country
        return Check(Rule.AREA, True, f"{COUNTRY_ONLY}, all of which lies in the zone "
                     f"{zone.name}")
    if _surely_in(area, facts):
        return Check(Rule.AREA, True, f"{COUNTRY_ONLY}, all of which lies in the area the "
                     "agreement covers")
    if any(code.startswith(g) for code in area.pcodes for g in facts.country):
        return Check(Rule.AREA, False, f"{COUNTRY_ONLY}, of which the agreement covers only "
                     "a part: too coarse a place to say whether it lies in the area covered")
    return Check(Rule.AREA, False, f"{COUNTRY_ONLY}, no part of which lies in the area the "
                 "agreement covers")


def _surely_in(area: Area, facts: IncidentFacts) -> bool:
    """Whether the place lies in the area whichever part of it is meant: a place located
    only to the country, when the area holds every governorate."""
    if facts.country:
        return all(area.covers_admin(AdminCodes(g)) for g in facts.country)
    return facts.admin is not None and area.covers_admin(facts.admin)


def _zone_in_force(agreement: Agreement, facts: IncidentFacts) -> tuple[Zone | None, str]:
    """The zone whose terms apply (None: the agreement's own), and why."""
    notes = []
    unplaced = False  # located only to the country while a zone was in force
    for zone in sorted(agreement.zones, key=lambda z: z.code):
        if not _surely_in(zone.area, facts):
            unplaced = unplaced or bool(facts.country) and facts.when.overlaps(
                zone.period.start, zone.period.end)
            finest = facts.admin.finest if facts.admin else None
            if finest and any(code.startswith(finest) for code in zone.area.pcodes):
                notes.append(f"{finest} is too coarse a place to say whether it lies in "
                             f"the zone {zone.name} ({zone.code})")
            continue
        if facts.when.within(zone.period.start, zone.period.end):
            return zone, f"the terms of the zone {zone.name}, in force there and then"
        if facts.when.overlaps(zone.period.start, zone.period.end):
            notes.append(f"the zone {zone.name} came into force or ended during the "
                         "incident's span")
    if unplaced:
        notes.insert(0, f"{COUNTRY_ONLY}, it cannot be placed in a zone, so no zone's terms "
                     "apply")
    return None, "; ".join([*notes, f"the terms of the {agreement.title}"])


def _prohibited(prohibited: frozenset[ViolationType], violation: ViolationType,
                by: str) -> Check:
    if violation in prohibited:
        return Check(Rule.PROHIBITED, True,
                     f"{words.sentence(words.violation_words(violation))} is prohibited by {by}")
    return Check(Rule.PROHIBITED, False,
                 f"{words.sentence(words.violation_words(violation))} is not prohibited by {by}")


def _excluded(excluded: frozenset[str], perpetrators: Sequence[str],
              targets: Sequence[str]) -> Check:
    by = sorted(set(perpetrators) & excluded)
    against = sorted(set(targets) & excluded)
    if by or against:
        parts = ([f"by {', '.join(by)}"] if by else []) + (
            [f"against {', '.join(against)}"] if against else [])
        return Check(Rule.EXCLUDED, False, f"an operation {' and '.join(parts)}, which the "
                     "agreement excludes")
    return Check(Rule.EXCLUDED, True, "no actor the agreement excludes took part")
