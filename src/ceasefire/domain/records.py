"""The record the mechanism keeps about events: incidents, findings and verdicts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ceasefire.domain.agreement import Agreement, Position
from ceasefire.domain.place import Place
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.when import When
from ceasefire.errors import InvalidInput


class Status(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    REJECTED = "rejected"
    NOT_COVERED = "not-covered"  # outside the regime: place, time, act or actor


@dataclass(frozen=True, slots=True)
class Incident:
    """The real-world event that one or more reports describe."""

    id: str
    agreement: str
    reports: tuple[str, ...]
    when: When
    place: Place
    violation: ViolationType
    status: Status = Status.PENDING


@dataclass(frozen=True, slots=True)
class Verdict:
    """One guarantor's position on one incident."""

    incident: str
    party: str
    position: Position
    cast_at: datetime
    attributed_to: str | None = None  # actor code
    comment: str = ""
    signature: bytes | None = None

    def __post_init__(self) -> None:
        if self.position is not Position.CONFIRM and self.attributed_to is not None:
            raise InvalidInput("only a confirming verdict attributes the incident to an actor",
                               field="attributed_to")


def latest_verdicts(agreement: Agreement, verdicts: Iterable[Verdict]) -> dict[str, Verdict]:
    """Each guarantor's latest verdict (by the time it was cast; a party's own order breaks
    ties). Verdicts of parties that are not guarantors of the agreement do not count."""
    latest: dict[str, Verdict] = {}
    for v in sorted(verdicts, key=lambda v: v.cast_at):
        if v.party in agreement.guarantors:
            latest[v.party] = v
    return latest


def status_from_verdicts(agreement: Agreement, verdicts: Iterable[Verdict], *,
                         deadline_passed: bool = False) -> Status:
    """The status the guarantors' verdicts give under the agreement's quorum rule.

    Confirmed: enough guarantors confirm. Once confirmation is out of reach: rejected if
    enough guarantors reject, else disputed. After the response deadline a guarantor that
    has not answered counts as the agreement's `silence` says. Otherwise pending. Only the
    latest verdict of each guarantor counts.
    """
    positions = {p: v.position for p, v in latest_verdicts(agreement, verdicts).items()}
    if deadline_passed:
        positions = {p: positions.get(p, agreement.silence) for p in agreement.guarantors}
    need = agreement.quorum_size()
    confirms = sum(p is Position.CONFIRM for p in positions.values())
    if confirms >= need:
        return Status.CONFIRMED
    not_confirming = len(positions) - confirms
    if len(agreement.guarantors) - not_confirming < need:  # confirmation is out of reach
        rejects = sum(p is Position.REJECT for p in positions.values())
        return Status.REJECTED if rejects >= need else Status.DISPUTED
    return Status.PENDING


@dataclass(frozen=True, slots=True)
class Standing:
    """Where an incident stands with the guarantors: its status, each guarantor's latest
    verdict (None: no answer yet), who has not answered, and the response deadline."""

    status: Status
    verdicts: Mapping[str, Verdict | None]
    missing: tuple[str, ...]
    deadline: datetime
    deadline_passed: bool

    @property
    def disputed_positions(self) -> dict[Position, tuple[str, ...]]:
        """The guarantors by position, side by side (a disputed incident's two sides)."""
        sides: dict[Position, list[str]] = {}
        for party, verdict in self.verdicts.items():
            if verdict is not None:
                sides.setdefault(verdict.position, []).append(party)
        return {p: tuple(parties) for p, parties in sides.items()}


def standing(agreement: Agreement, verdicts: Iterable[Verdict], *, opened_at: datetime,
             now: datetime, covered: bool = True) -> Standing:
    """The standing of an incident put to the guarantors at `opened_at`, seen at `now`.
    An incident the assessment found not covered is not put to them: not-covered."""
    latest = latest_verdicts(agreement, verdicts)
    deadline = opened_at + agreement.response_deadline
    passed = now >= deadline
    status = status_from_verdicts(agreement, latest.values(), deadline_passed=passed) \
        if covered else Status.NOT_COVERED
    return Standing(status, {p: latest.get(p) for p in agreement.guarantors},
                    tuple(p for p in agreement.guarantors if p not in latest), deadline, passed)
