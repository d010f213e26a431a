"""Amendments by agreement of the guarantors: where an agreement says its guarantors amend
it (`AmendedBy.GUARANTORS`), a change is proposed, each guarantor consents in its own
name, and it takes effect only once every guarantor has; one objection closes it. No
party, the host included, can change such terms alone."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ceasefire.domain.agreement import Agreement, AmendedBy
from ceasefire.domain.amendment import Amendment
from ceasefire.domain.text import check_reason
from ceasefire.errors import Conflict, InvalidInput


@dataclass(frozen=True, slots=True)
class Consent:
    party: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Objection:
    party: str
    at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Proposal:
    """An amendment waiting for the guarantors. `version` is the terms' version it made
    once adopted; `objection` what closed it otherwise."""

    id: int
    amendment: Amendment
    proposed_by: str
    proposed_at: datetime
    consents: tuple[Consent, ...] = ()
    objection: Objection | None = None
    version: int | None = None

    @property
    def open(self) -> bool:
        return self.objection is None and self.version is None

    @property
    def outcome(self) -> str:
        return "open" if self.open else "objected" if self.objection else "adopted"

    def waiting_for(self, agreement: Agreement) -> tuple[str, ...]:
        """The guarantors that have not consented yet, in the agreement's order."""
        given = {c.party for c in self.consents}
        return tuple(g for g in agreement.guarantors if g not in given)

    def consented(self, agreement: Agreement, party: str, at: datetime) -> Proposal:
        self._check_open()
        _check_guarantor(agreement, party)
        if any(c.party == party for c in self.consents):
            raise Conflict(f"{party} has already consented to proposal {self.id}",
                           field="party", id=str(self.id))
        return replace(self, consents=(*self.consents, Consent(party, at)))

    def objected(self, agreement: Agreement, party: str, at: datetime,
                 reason: str) -> Proposal:
        self._check_open()
        _check_guarantor(agreement, party)
        if any(c.party == party for c in self.consents):
            raise Conflict(f"{party} has consented to proposal {self.id}; a consent given "
                           "stands", field="party", id=str(self.id))
        return replace(self, objection=Objection(
            party, at, check_reason(reason, kept_with="objection")))

    def _check_open(self) -> None:
        if not self.open:
            raise Conflict(f"proposal {self.id} is closed ({self.outcome}); propose the "
                           "change again", field="proposal", id=str(self.id))


def check_proposable(agreement: Agreement) -> None:
    if agreement.amended_by is not AmendedBy.GUARANTORS:
        raise Conflict(f"{agreement.code!r} is amended by the secretariat, not by proposal "
                       "to its guarantors", field="agreement", id=agreement.code)


def _check_guarantor(agreement: Agreement, party: str) -> None:
    if party not in agreement.guarantors:
        raise InvalidInput(f"{party} is not a guarantor of {agreement.code!r}; its "
                           f"guarantors: {', '.join(agreement.guarantors)}", field="party",
                           id=party)
