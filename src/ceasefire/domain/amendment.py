"""Amendments: the talks change an agreement's terms from a date, and the record follows.

An amendment never rewrites what was: it adds a zone, ends a zone or the agreement, changes
the prohibited acts, or changes an actor's status, each *from a moment*. The agreement as
amended carries its history (zones with their periods, status and acts changes with their
dates), so an incident is judged by the terms in force at its time, and an incident from
before an amendment is judged as it was. `Amendment.apply` refuses, by name, what would
contradict the terms already agreed (an overlapping zone, an end before a start, a change
dated before the agreement), and `reach` says which incidents an amendment can change, so
exactly those are assessed again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from ceasefire.domain.actors import ActorStatus, check_code
from ceasefire.domain.agreement import ActsChange, Agreement, Area, StatusChange, Zone
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.when import Period, moment, utc
from ceasefire.errors import InvalidInput


class Change(StrEnum):
    ZONE_ADDED = "zone-added"
    ZONE_ENDED = "zone-ended"
    AGREEMENT_ENDED = "agreement-ended"
    ACTS_CHANGED = "acts-changed"
    ACTOR_STATUS = "actor-status"


@dataclass(frozen=True, slots=True)
class Reach:
    """The incidents an amendment can change: those whose span reaches `since` or later,
    in `area` (None: anywhere), involving one of `actors` (None: any)."""

    since: datetime
    area: Area | None = None
    actors: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Amendment:
    """One change to an agreement's terms, from `effective` on. `zone` is the zone added
    (ZONE_ADDED) or the code of the zone concerned (ZONE_ENDED, or ACTS_CHANGED inside a
    zone); `acts` the prohibited acts from then (ACTS_CHANGED); `actor` and `status` the
    actor's standing from then (ACTOR_STATUS)."""

    agreement: str
    change: Change
    effective: datetime
    reason: str
    zone: Zone | str | None = None
    acts: frozenset[ViolationType] | None = None
    actor: str | None = None
    status: ActorStatus | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "effective", utc(self.effective, field="effective"))
        if not self.reason.strip():
            raise InvalidInput("say why the terms change (the talks' decision, its source)",
                               field="reason")
        wanted = {Change.ZONE_ADDED: ("zone",), Change.ZONE_ENDED: ("zone",),
                  Change.AGREEMENT_ENDED: (), Change.ACTS_CHANGED: ("acts",),
                  Change.ACTOR_STATUS: ("actor", "status")}[self.change]
        for name in ("zone", "acts", "actor", "status"):
            given = getattr(self, name) is not None
            if name in wanted and not given:
                raise InvalidInput(f"a {self.change} amendment needs its {name}", field=name)
            if given and name not in wanted and not (
                    name == "zone" and self.change is Change.ACTS_CHANGED):
                raise InvalidInput(f"a {self.change} amendment takes no {name}", field=name)
        if self.change is Change.ZONE_ADDED and not isinstance(self.zone, Zone):
            raise InvalidInput("the zone added needs its name, start and area", field="zone")
        if self.change is Change.ACTS_CHANGED and not self.acts:
            raise InvalidInput("the terms must prohibit something", field="acts")
        if self.actor is not None:
            check_code(self.actor, field="actor")

    @property
    def zone_code(self) -> str | None:
        return self.zone.code if isinstance(self.zone, Zone) else self.zone

    def apply(self, agreement: Agreement) -> Agreement:
        """The agreement as this amendment leaves it (its version one higher); refused with
        the field named when it contradicts the terms already agreed."""
        if agreement.code != self.agreement:
            raise InvalidInput(f"this amendment is to {self.agreement!r}, not "
                               f"{agreement.code!r}", field="agreement", id=agreement.code)
        start, end = agreement.period.start, agreement.period.end
        if self.effective < start or (end is not None and self.effective >= end):
            raise InvalidInput(f"{self.effective:%Y-%m-%d %H:%M} UTC is outside the "
                               "agreement's time in force", field="effective")
        amended = _APPLY[self.change](self, agreement)
        return replace(amended, version=agreement.version + 1)

    def reach(self, agreement: Agreement) -> Reach:
        """The incidents this amendment can change, under `agreement` (as it stood)."""
        if self.change is Change.ACTOR_STATUS:
            assert self.actor is not None
            return Reach(self.effective, actors=frozenset({self.actor}))
        code = self.zone_code
        if code is None:  # the agreement's own terms or time: anywhere
            return Reach(self.effective)
        zone = self.zone if isinstance(self.zone, Zone) else _zone(agreement, code)
        return Reach(self.effective, area=zone.area)


def _zone(agreement: Agreement, code: str) -> Zone:
    for zone in agreement.zones:
        if zone.code == code:
            return zone
    raise InvalidInput(f"the agreement has no zone {code!r}; its zones: "
                       f"{', '.join(z.code for z in agreement.zones) or 'none'}",
                       field="zone", id=code)


def _areas_meet(a: Area, b: Area) -> bool:
    """Whether two areas share ground, by P-code (one area within the other's)."""
    return any(x.startswith(y) or y.startswith(x) for x in a.pcodes for y in b.pcodes)


def _add_zone(amendment: Amendment, agreement: Agreement) -> Agreement:
    zone = amendment.zone
    assert isinstance(zone, Zone)
    if zone.period.start != amendment.effective:
        raise InvalidInput("a zone begins when the amendment that adds it takes effect",
                           field="start", id=zone.code)
    if any(z.code == zone.code for z in agreement.zones):
        raise InvalidInput(f"the agreement already has a zone {zone.code!r}", field="zone",
                           id=zone.code)
    for other in agreement.zones:
        if _areas_meet(zone.area, other.area) and zone.period.meets(other.period):
            raise InvalidInput(f"the zone {zone.code!r} overlaps the zone {other.code!r} "
                               "in place and time", field="area", id=zone.code)
    return replace(agreement, zones=(*agreement.zones, zone))


def _end_zone(amendment: Amendment, agreement: Agreement) -> Agreement:
    assert isinstance(amendment.zone, str)
    zone = _zone(agreement, amendment.zone)
    if zone.period.end is not None:
        raise InvalidInput(f"the zone {zone.code!r} already ended "
                           f"({zone.period.end:%Y-%m-%d %H:%M} UTC)", field="zone",
                           id=zone.code)
    if amendment.effective <= zone.period.start:
        raise InvalidInput(f"the zone {zone.code!r} began {zone.period.start:%Y-%m-%d %H:%M} "
                           "UTC: it cannot end before", field="effective", id=zone.code)
    ended = replace(zone, period=Period(zone.period.start, amendment.effective))
    return replace(agreement, zones=tuple(ended if z.code == zone.code else z
                                          for z in agreement.zones))


def _end_agreement(amendment: Amendment, agreement: Agreement) -> Agreement:
    # Zones end with it: none can outlast the agreement it is part of.
    zones = tuple(z if z.period.end is not None and z.period.end <= amendment.effective
                  else replace(z, period=Period(z.period.start, amendment.effective))
                  for z in agreement.zones if z.period.start < amendment.effective)
    if len(zones) != len(agreement.zones):
        raise InvalidInput("a zone begins after this end: end the agreement after it",
                           field="effective")
    return replace(agreement, period=Period(agreement.period.start, amendment.effective),
                   zones=zones)


def _change_acts(amendment: Amendment, agreement: Agreement) -> Agreement:
    assert amendment.acts is not None
    change = ActsChange(amendment.effective, amendment.acts, amendment.zone_code)
    if amendment.zone_code is not None:
        zone = _zone(agreement, amendment.zone_code)
        if not zone.period.holds(amendment.effective):
            raise InvalidInput(f"the zone {zone.code!r} is not in force then",
                               field="effective", id=zone.code)
    if any(c.effective > change.effective and c.zone == change.zone
           for c in agreement.acts_changes):
        raise InvalidInput("a later change of these terms is already agreed: amend from "
                           "after it", field="effective")
    return replace(agreement, acts_changes=(*agreement.acts_changes, change))


def _change_status(amendment: Amendment, agreement: Agreement) -> Agreement:
    assert amendment.actor is not None and amendment.status is not None
    if any(c.actor == amendment.actor and c.effective >= amendment.effective
           for c in agreement.status_changes):
        raise InvalidInput(f"a change of {amendment.actor!r}'s status from this date or "
                           "later is already agreed", field="effective", id=amendment.actor)
    if agreement.status_of(amendment.actor, at=amendment.effective) is amendment.status:
        raise InvalidInput(f"{amendment.actor!r} is already {amendment.status} then",
                           field="status", id=amendment.actor)
    change = StatusChange(amendment.actor, amendment.effective, amendment.status)
    return replace(agreement, status_changes=(*agreement.status_changes, change))


_APPLY = {Change.ZONE_ADDED: _add_zone, Change.ZONE_ENDED: _end_zone,
          Change.AGREEMENT_ENDED: _end_agreement, Change.ACTS_CHANGED: _change_acts,
          Change.ACTOR_STATUS: _change_status}


def amendment_of(agreement: str, change: str, *, effective: str, reason: str,
                 zone: str | None = None, name: str | None = None,
                 pcodes: Iterable[str] = (), acts: Iterable[str] = (),
                 actor: str | None = None, status: str | None = None) -> Amendment:
    """An amendment from the plain values a form, a request or a command gives, each
    refused by its field's name when it is not one the terms know."""
    kind = _one_of(Change, change, "change")
    when = moment(effective, field="effective")
    given_acts = frozenset(_one_of(ViolationType, a, "acts") for a in acts) or None
    area = tuple(pcodes)
    if kind is Change.ZONE_ADDED:
        if not zone or not name or not area:
            raise InvalidInput("a zone added needs its code, name and area (P-codes)",
                               field="zone" if not zone else "name" if not name else "area")
        new: Zone | str | None = Zone(check_code(zone, field="zone"), name, Period(when),
                                      Area(frozenset(area)), given_acts)
        given_acts = None
    else:
        if name or area:
            raise InvalidInput(f"a {kind} amendment takes no zone name or area",
                               field="name" if name else "area")
        new = zone or None
    return Amendment(agreement, kind, when, reason, zone=new, acts=given_acts,
                     actor=actor or None,
                     status=None if not status else _one_of(ActorStatus, status, "status"))


E = TypeVar("E", bound=StrEnum)


def _one_of(kind: type[E], value: str, field: str) -> E:
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not one of: {', '.join(k.value for k in kind)}",
                           field=field, id=value) from None


# -- as plain values: what an amendment's row and its ledger entry keep --------------------

def _area_of(data: dict[str, Any]) -> Area:
    return Area(frozenset(data.get("pcodes", ())), tuple(data.get("polygons", ())))


def _zone_terms(zone: Zone) -> dict[str, Any]:
    return {"code": zone.code, "name": zone.name, "start": zone.period.start.isoformat(),
            "end": None if zone.period.end is None else zone.period.end.isoformat(),
            "area": {"pcodes": sorted(zone.area.pcodes),
                     "polygons": [dict(p) for p in zone.area.polygons]},
            "prohibited": None if zone.prohibited is None else sorted(zone.prohibited)}


def terms_of(amendment: Amendment) -> dict[str, Any]:
    """What an amendment names (zone, acts, actor, status), as plain JSON values."""
    terms: dict[str, Any] = {}
    if isinstance(amendment.zone, Zone):
        terms["zone"] = _zone_terms(amendment.zone)
    elif amendment.zone is not None:
        terms["zone"] = amendment.zone
    if amendment.acts is not None:
        terms["acts"] = sorted(amendment.acts)
    if amendment.actor is not None:
        terms["actor"] = amendment.actor
    if amendment.status is not None:
        terms["status"] = amendment.status.value
    return terms


def amendment_with(agreement: str, change: str, effective: datetime, reason: str,
                   terms: dict[str, Any]) -> Amendment:
    """The amendment `terms_of` gave these values of."""
    zone = terms.get("zone")
    if isinstance(zone, dict):
        end = zone.get("end")
        zone = Zone(zone["code"], zone["name"],
                    Period(datetime.fromisoformat(zone["start"]),
                           None if end is None else datetime.fromisoformat(end)),
                    _area_of(zone["area"]),
                    None if zone.get("prohibited") is None
                    else frozenset(ViolationType(v) for v in zone["prohibited"]))
    return Amendment(agreement, Change(change), effective, reason, zone=zone,
                     acts=None if "acts" not in terms
                     else frozenset(ViolationType(v) for v in terms["acts"]),
                     actor=terms.get("actor"),
                     status=None if "status" not in terms else ActorStatus(terms["status"]))
