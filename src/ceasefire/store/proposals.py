"""Amendments proposed to the guarantors, with their consents and objection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ceasefire.domain.amendment import amendment_with, terms_of
from ceasefire.domain.proposal import Consent, Objection, Proposal
from ceasefire.errors import NotFound
from ceasefire.store import changes
from ceasefire.store.rows import one_by, required
from ceasefire.store.tables import AgreementRow, AmendmentProposalRow, AmendmentRow


def _proposal(code: str, row: AmendmentProposalRow, version: int | None) -> Proposal:
    o = row.objection
    return Proposal(
        row.id, amendment_with(code, row.change, row.effective, row.reason, row.terms),
        row.proposed_by, row.proposed_at,
        tuple(Consent(c["party"], datetime.fromisoformat(c["at"])) for c in row.consents),
        None if o is None else Objection(o["party"], datetime.fromisoformat(o["at"]),
                                         o["reason"]),
        version)


def _agreement_id(session: Session, code: str) -> int:
    row = required(one_by(session, AgreementRow, AgreementRow.code, code),
                   f"no agreement with code {code!r}", field="agreement", key=code)
    return row.id


def proposals_of(session: Session, *, code: str) -> list[Proposal]:
    """The agreement's proposals, oldest first."""
    rows = session.execute(_with_version(session, code).order_by(AmendmentProposalRow.id))
    return [_proposal(code, row, version) for row, version in rows]


def _with_version(session: Session, code: str) -> Select[*tuple[Any, ...]]:
    """The agreement's proposals, each with the terms' version it made once adopted."""
    return (select(AmendmentProposalRow, AmendmentRow.version)
            .outerjoin(AmendmentRow, AmendmentRow.id == AmendmentProposalRow.amendment_id)
            .where(AmendmentProposalRow.agreement_id == _agreement_id(session, code)))


def get_proposal(session: Session, *, code: str, id: int) -> Proposal:  # noqa: A002
    found = session.execute(
        _with_version(session, code).where(AmendmentProposalRow.id == id)).first()
    if found is not None:
        return _proposal(code, *found)
    raise NotFound(f"{code!r} has no proposal {id}", field="proposal", id=str(id))


def add_proposal(session: Session, proposal: Proposal) -> int:
    """Store a new proposal (its id is given by the database); returns the id."""
    a = proposal.amendment
    row = AmendmentProposalRow(
        agreement_id=_agreement_id(session, a.agreement), change=a.change.value,
        effective=a.effective, reason=a.reason, terms=terms_of(a),
        proposed_by=proposal.proposed_by, proposed_at=proposal.proposed_at,
        consents=_consents(proposal), objection=None)
    session.add(row)
    session.flush()
    changes.touch(session, "proposal", [row.id])
    return row.id


def save_proposal(session: Session, proposal: Proposal) -> None:
    """Store a proposal's consents and objection."""
    row = session.get(AmendmentProposalRow, proposal.id)
    assert row is not None
    row.consents = _consents(proposal)
    row.objection = None if proposal.objection is None else {
        "party": proposal.objection.party, "at": proposal.objection.at.isoformat(),
        "reason": proposal.objection.reason}
    session.flush()
    changes.touch(session, "proposal", [row.id])


def adopted(session: Session, proposal_id: int, *, amendment: int) -> None:
    """Link a proposal to the amendment it became."""
    row = session.get(AmendmentProposalRow, proposal_id)
    assert row is not None
    row.amendment_id = amendment
    session.flush()
    changes.touch(session, "proposal", [row.id])


def _consents(proposal: Proposal) -> list[dict[str, str]]:
    return [{"party": c.party, "at": c.at.isoformat()} for c in proposal.consents]
