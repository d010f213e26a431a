"""Where an incident stands with the guarantors: its status under an agreement's quorum
rule, silence rule and response deadline, from their latest verdicts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ceasefire.domain.agreement import Agreement, Position
from ceasefire.domain.verdict import Verdict, latest_verdicts


class Status(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    REJECTED = "rejected"
    NOT_COVERED = "not-covered"  # outside the regime: place, time, act or actor


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
