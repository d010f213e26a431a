"""The record the mechanism keeps about events: incidents, findings and verdicts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ceasefire.domain.agreement import Agreement
from ceasefire.domain.place import Place
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.when import When
from ceasefire.errors import InvalidInput


class Position(StrEnum):
    CONFIRM = "confirm"
    REJECT = "reject"
    ABSTAIN = "abstain"


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
class Assessment:
    """The rule-based finding whether an incident is a violation, with its reasons."""

    incident: str
    agreement: str
    is_violation: bool
    covered: bool
    reasons: tuple[str, ...]


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


def status_from_verdicts(agreement: Agreement, verdicts: Iterable[Verdict], *,
                         deadline_passed: bool = False) -> Status:
    """The status the guarantors' verdicts give under the agreement's quorum rule.

    Confirmed: enough guarantors confirm. Once confirmation is out of reach: rejected if
    enough guarantors reject, else disputed. Disputed too when the response deadline passed
    without a quorum. Otherwise pending. Only the latest verdict of each guarantor counts, and only
    guarantors of this agreement count.
    """
    latest: dict[str, Verdict] = {}
    for v in sorted(verdicts, key=lambda v: v.cast_at):
        if v.party in agreement.guarantors:
            latest[v.party] = v
    need = agreement.quorum_size()
    confirms = sum(v.position is Position.CONFIRM for v in latest.values())
    if confirms >= need:
        return Status.CONFIRMED
    not_confirming = len(latest) - confirms
    if len(agreement.guarantors) - not_confirming < need:  # confirmation is out of reach
        rejects = sum(v.position is Position.REJECT for v in latest.values())
        return Status.REJECTED if rejects >= need else Status.DISPUTED
    return Status.DISPUTED if deadline_passed else Status.PENDING
