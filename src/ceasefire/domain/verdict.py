"""A guarantor's verdict on an incident, and each guarantor's latest."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ceasefire.domain.agreement import Agreement, Position
from ceasefire.errors import InvalidInput


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
