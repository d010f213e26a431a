"""Amendments by agreement of the guarantors: a proposal, each guarantor's consent or
objection as its own signed ledger entry, and the amendment itself (services/amendments)
in the same transaction as the last consent.

The change is checked against the terms when proposed and again when adopted, since the
terms may have moved in between: an adoption the terms no longer allow is refused and
leaves the proposal open, for a guarantor to object to and close.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ceasefire.domain import words
from ceasefire.domain.agreement import Agreement
from ceasefire.domain.amendment import Amendment, terms_of
from ceasefire.domain.parties import Account, Role
from ceasefire.domain.proposal import Consent, Proposal, check_proposable
from ceasefire.errors import Forbidden
from ceasefire.services import ledger
from ceasefire.services.amendments import Amended, account_of, amend_in, check_amendment
from ceasefire.store import agreements, proposals
from ceasefire.store.agreements import StoredAmendment
from ceasefire.store.db import Database

PROPOSED, CONSENTED, OBJECTED = ("agreement.amendment_proposed",
                                 "agreement.amendment_consented",
                                 "agreement.amendment_objected")


@dataclass(frozen=True)
class Answer:
    proposal: Proposal
    waiting_for: tuple[str, ...]  # guarantors yet to consent (none once adopted)
    amended: Amended | None = None  # what adopting it did, when this answer adopted it


def _acting(account: Account, agreement: Agreement, *, secretariat_too: bool) -> None:
    """Only a guarantor's officer acts for a guarantor (and the secretariat may table a
    proposal); an account that is not active does nothing."""
    allowed = account.active and (
        (account.role is Role.GUARANTOR and account.party in agreement.guarantors)
        or (secretariat_too and account.role is Role.SECRETARIAT))
    if not allowed:
        doing = "propose an amendment to" if secretariat_too else "answer a proposal to"
        raise Forbidden(f"{words.an_account(account.role)} of {account.party} cannot {doing} "
                        f"{agreement.code!r}; its guarantors' officers do "
                        f"({', '.join(agreement.guarantors)})", field="account",
                        id=account.username)


def _adopt_if_agreed(session: Session, signer: ledger.Signer, agreement: Agreement,
                     proposal: Proposal, now: datetime) -> Answer:
    """Adopt the proposal if no guarantor is still to consent, signed by the last one."""
    waiting = proposal.waiting_for(agreement)
    if waiting:
        return Answer(proposal, waiting)
    amended = amend_in(session, signer, proposal.amendment, made_by="guarantors", now=now,
                       proposal=proposal.id)
    return Answer(replace(proposal, version=amended.version), (), amended)


def propose(db: Database, amendment: Amendment, *, token: str | None = None,
            username: str | None = None) -> Answer:
    """Propose a change to terms the guarantors amend. A guarantor's officer who proposes
    consents for that guarantor; the secretariat only tables it."""
    now = datetime.now(UTC)
    with db.session(write=True) as session:
        account = account_of(session, token=token, username=username)
        agreement = agreements.get_agreement(session, code=amendment.agreement)
        check_proposable(agreement)
        _acting(account, agreement, secretariat_too=True)
        check_amendment(session, amendment)
        consents = ((Consent(account.party, now),) if account.role is Role.GUARANTOR
                    else ())
        proposal = Proposal(0, amendment, account.party, now, consents)  # id from the store
        proposal = replace(proposal, id=proposals.add_proposal(session, proposal))
        signer = ledger.acting_as(session, account)
        ledger.append(session, signer, PROPOSED, {
            "agreement": agreement.code, "proposal": proposal.id,
            "change": amendment.change.value, "effective": amendment.effective.isoformat(),
            "reason": amendment.reason, "terms": terms_of(amendment),
            "consents": [c.party for c in consents]})
        return _adopt_if_agreed(session, signer, agreement, proposal, now)


def _answering(session: Session, code: str, proposal_id: int, *, token: str | None,
               username: str | None) -> tuple[Account, Agreement, Proposal]:
    account = account_of(session, token=token, username=username)
    agreement = agreements.get_agreement(session, code=code)
    _acting(account, agreement, secretariat_too=False)
    return account, agreement, proposals.get_proposal(session, code=code, id=proposal_id)


def consent(db: Database, code: str, proposal_id: int, *, token: str | None = None,
            username: str | None = None) -> Answer:
    """A guarantor consents; the last consent adopts the amendment, in one transaction."""
    now = datetime.now(UTC)
    with db.session(write=True) as session:
        account, agreement, proposal = _answering(session, code, proposal_id, token=token,
                                                  username=username)
        proposal = proposal.consented(agreement, account.party, now)
        proposals.save_proposal(session, proposal)
        signer = ledger.acting_as(session, account)
        ledger.append(session, signer, CONSENTED, {
            "agreement": code, "proposal": proposal.id, "party": account.party})
        return _adopt_if_agreed(session, signer, agreement, proposal, now)


def object_to(db: Database, code: str, proposal_id: int, reason: str, *,
              token: str | None = None, username: str | None = None) -> Answer:
    """A guarantor objects, with its reason: the proposal closes and the terms stay."""
    now = datetime.now(UTC)
    with db.session(write=True) as session:
        account, agreement, proposal = _answering(session, code, proposal_id, token=token,
                                                  username=username)
        proposal = proposal.objected(agreement, account.party, now, reason)
        proposals.save_proposal(session, proposal)
        assert proposal.objection is not None
        ledger.append(session, ledger.acting_as(session, account), OBJECTED, {
            "agreement": code, "proposal": proposal.id, "party": account.party,
            "reason": proposal.objection.reason})
        return Answer(proposal, proposal.waiting_for(agreement))


def listing(db: Database, code: str) -> tuple[Agreement, list[Proposal]]:
    """The agreement as it stands and its proposals, oldest first."""
    with db.session() as session:
        return (agreements.get_agreement(session, code=code),
                proposals.proposals_of(session, code=code))


@dataclass(frozen=True)
class Standing:
    """An agreement as it stands, the amendments that made it so, and its proposals."""

    agreement: Agreement
    amendments: list[StoredAmendment]
    proposals: list[Proposal]


def every_agreement(db: Database) -> list[Standing]:
    """Each agreement with its history and proposals, read in one transaction."""
    with db.session() as session:
        return [Standing(a, agreements.amendments_of(session, code=a.code),
                         proposals.proposals_of(session, code=a.code))
                for a in agreements.list_agreements(session)]
