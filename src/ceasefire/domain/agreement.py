"""A ceasefire regime: when and where it holds, what it prohibits, and who is bound."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ceasefire.domain.actors import ActorStatus, check_code
from ceasefire.domain.place import AdminCodes, admin_level
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.text import check_name
from ceasefire.domain.when import Period
from ceasefire.errors import InvalidInput


class Position(StrEnum):
    """A guarantor's position on an incident."""

    CONFIRM = "confirm"
    REJECT = "reject"
    ABSTAIN = "abstain"


class QuorumRule(StrEnum):
    UNANIMOUS = "unanimous"  # every guarantor must confirm
    MAJORITY = "majority"  # more than half of the guarantors must confirm


class AmendedBy(StrEnum):
    """Who changes an agreement's terms."""

    SECRETARIAT = "secretariat"  # the secretariat records what the talks decided
    GUARANTORS = "guarantors"  # a proposal takes effect once every guarantor consents


@dataclass(frozen=True, slots=True)
class Area:
    """Admin areas by P-code and/or GeoJSON polygons; a point in any of them is covered."""

    pcodes: frozenset[str] = frozenset()
    polygons: tuple[Mapping[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if not self.pcodes and not self.polygons:
            raise InvalidInput("an area needs P-codes or polygons")
        for code in self.pcodes:
            admin_level(code)
        for geometry in self.polygons:
            if geometry.get("type") not in ("Polygon", "MultiPolygon"):
                raise InvalidInput("area geometries must be GeoJSON Polygon or MultiPolygon",
                                   field="polygons")

    def covers_admin(self, admin: AdminCodes) -> bool:
        return any(admin.within(code) for code in self.pcodes)


@dataclass(frozen=True, slots=True)
class Zone:
    """A part of an agreement with its own period and area (e.g. a de-escalation area)."""

    code: str
    name: str
    period: Period
    area: Area
    prohibited: frozenset[ViolationType] | None = None  # its own terms; None: the agreement's

    def __post_init__(self) -> None:
        check_code(self.code)
        check_name(self.name, field="name", id=self.code, max_length=None)
        if self.prohibited is not None and not self.prohibited:
            raise InvalidInput("a zone with its own terms must prohibit something",
                               field="prohibited", id=self.code)


@dataclass(frozen=True, slots=True)
class StatusChange:
    """An actor's status under the agreement from a moment on (an amendment's)."""

    actor: str
    effective: datetime
    status: ActorStatus


@dataclass(frozen=True, slots=True)
class ActsChange:
    """The prohibited acts from a moment on: the agreement's own, or a zone's (`zone`)."""

    effective: datetime
    acts: frozenset[ViolationType]
    zone: str | None = None


@dataclass(frozen=True, slots=True)
class Agreement:
    code: str
    title: str
    period: Period
    area: Area
    prohibited: frozenset[ViolationType]
    guarantors: tuple[str, ...]  # party codes
    actor_status: Mapping[str, ActorStatus] = field(default_factory=dict)
    quorum: QuorumRule = QuorumRule.UNANIMOUS
    response_deadline: timedelta = timedelta(hours=72)
    zones: tuple[Zone, ...] = ()
    silence: Position = Position.ABSTAIN  # what a missing verdict counts as after the deadline
    # The terms' history (domain.amendment): version 0 is the agreement as first agreed.
    status_changes: tuple[StatusChange, ...] = ()
    acts_changes: tuple[ActsChange, ...] = ()
    version: int = 0
    amended_by: AmendedBy = AmendedBy.SECRETARIAT

    def __post_init__(self) -> None:
        check_code(self.code)
        check_name(self.title, field="title", id=self.code, max_length=None)
        if not self.guarantors:
            raise InvalidInput("an agreement needs at least one guarantor", field="guarantors",
                               id=self.code)
        if len(set(self.guarantors)) != len(self.guarantors):
            raise InvalidInput("a guarantor is listed twice", field="guarantors", id=self.code)
        if not self.prohibited:
            raise InvalidInput("an agreement must prohibit something", field="prohibited",
                               id=self.code)
        if self.response_deadline <= timedelta(0):
            raise InvalidInput("the response deadline must be positive",
                               field="response_deadline", id=self.code)
        if len({z.code for z in self.zones}) != len(self.zones):
            raise InvalidInput("two zones share a code", field="zones", id=self.code)

    def status_of(self, actor_code: str, *, at: datetime | None = None) -> ActorStatus:
        """The actor's status as first agreed, or at a moment (`at`) as amended."""
        status = self.actor_status.get(actor_code, ActorStatus.NON_SIGNATORY)
        if at is None:
            return status
        changes = sorted((c for c in self.status_changes
                          if c.actor == actor_code and c.effective <= at),
                         key=lambda c: c.effective)
        return changes[-1].status if changes else status

    def excluded_at(self, at: datetime) -> frozenset[str]:
        """The actors the agreement excludes at a moment, amendments included."""
        actors = set(self.actor_status) | {c.actor for c in self.status_changes}
        return frozenset(a for a in actors
                         if self.status_of(a, at=at) is ActorStatus.EXCLUDED)

    def prohibited_at(self, at: datetime, zone: Zone | None = None,
                      ) -> frozenset[ViolationType]:
        """The acts prohibited at a moment: inside a zone, the zone's own terms as last
        amended by then, if it has any; else the agreement's, as last amended by then."""
        def latest(code: str | None) -> frozenset[ViolationType] | None:
            changes = [c for c in self.acts_changes if c.zone == code and c.effective <= at]
            return max(changes, key=lambda c: c.effective).acts if changes else None

        if zone is not None:
            own = latest(zone.code) or zone.prohibited
            if own is not None:
                return own
        return latest(None) or self.prohibited

    def _with_status(self, status: ActorStatus) -> frozenset[str]:
        return frozenset(a for a, s in self.actor_status.items() if s is status)

    @property
    def signatories(self) -> frozenset[str]:
        return self._with_status(ActorStatus.SIGNATORY)

    @property
    def excluded(self) -> frozenset[str]:
        return self._with_status(ActorStatus.EXCLUDED)

    def quorum_size(self) -> int:
        """How many guarantors must confirm an incident for it to stand confirmed."""
        n = len(self.guarantors)
        return n if self.quorum is QuorumRule.UNANIMOUS else n // 2 + 1
