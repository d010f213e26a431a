"""Assessments of incidents under agreements, and the guarantors' verdicts on them.

A verdict is written with a versioned update: the assessment's version must still be the
one the officer saw, else nothing is written and the caller learns the current state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, exists, func, select, update
from sqlalchemy.orm import Session

from ceasefire.store import changes
from ceasefire.store.records import AssessmentKey, VerdictKey
from ceasefire.store.reference import reference
from ceasefire.store.tables import (
    AccountRow,
    ActorRow,
    AssessmentRow,
    IncidentRow,
    PartyRow,
    VerdictRow,
)


@dataclass(frozen=True)
class StoredVerdict:
    party: str
    account: str | None
    position: str
    attributed_to: str | None
    comment: str
    cast_at: datetime
    version: int


@dataclass(frozen=True)
class Assessed:
    """An incident's assessment under one agreement, as stored: the finding and where it
    stands (the status as of its last change, and the version verdicts are cast on)."""

    id: int
    incident_uid: str
    agreement_id: int
    covered: bool
    terms: str
    checks: list[dict[str, Any]]
    opened_at: datetime | None
    status: str
    version: int
    terms_version: int = 0  # the version of the agreement's terms that judged it


_A = AssessmentRow
_ASSESSED = (_A.id, _A.incident_uid, _A.agreement_id, _A.covered, _A.terms, _A.checks,
             _A.opened_at, _A.status, _A.version, _A.terms_version)


def _read(session: Session, *where: Any, order: Any = _A.agreement_id) -> list[Assessed]:
    # Columns, not ORM objects: every read is fresh, whatever the session holds.
    return [Assessed(*row) for row in session.execute(select(*_ASSESSED).where(*where)
                                                      .order_by(order))]


def assessment(session: Session, incident_uid: str, agreement_id: int) -> Assessed | None:
    found = _read(session, _A.incident_uid == incident_uid, _A.agreement_id == agreement_id)
    return found[0] if found else None


def assessment_by_id(session: Session, assessment_id: int) -> Assessed:
    return _read(session, _A.id == assessment_id)[0]


def assessments_of(session: Session, incident_uid: str) -> list[Assessed]:
    return _read(session, _A.incident_uid == incident_uid)


def assessments_for(session: Session, incident_uids: Sequence[str],
                    ) -> dict[tuple[str, int], Assessed]:
    """The stored assessments of these incidents, by (incident id, agreement id)."""
    found: dict[tuple[str, int], Assessed] = {}
    for start in range(0, len(incident_uids), _CHUNK):
        for row in _read(session, _A.incident_uid.in_(incident_uids[start:start + _CHUNK])):
            found[row.incident_uid, row.agreement_id] = row
    return found


_CHUNK = 500  # ids per IN (...): well under every backend's limit on parameters


def save_assessment(session: Session, stored: Assessed | None, *, incident_uid: str,
                    agreement_id: int, covered: bool, terms: str,
                    checks: list[dict[str, Any]], status: str, now: datetime,
                    terms_version: int = 0) -> None:
    """Record the finding (on the stored one, if any); an incident is put to the
    guarantors (opened) when first found covered. Verdicts already cast stay. The caller
    flushes."""
    if stored is None:
        row = AssessmentRow(incident_uid=incident_uid, agreement_id=agreement_id, version=0)
        session.add(row)
    else:
        row = session.get_one(AssessmentRow, stored.id)
    row.covered, row.terms, row.checks, row.assessed_at = covered, terms, checks, now
    row.status, row.updated_at, row.terms_version = status, now, terms_version
    if covered and row.opened_at is None:
        row.opened_at = now
    changes.touch(session, "assessment",
                  [AssessmentKey(incident_uid, _code(session, agreement_id))])


def _code(session: Session, agreement_id: int) -> str:
    codes = {i: c for c, i in reference(session).agreement_ids.items()}
    return codes[agreement_id]


def verdicts(session: Session, assessment_id: int) -> list[StoredVerdict]:
    """The verdict history, in the order cast."""
    rows = session.execute(
        select(PartyRow.code, AccountRow.username, VerdictRow.position, ActorRow.code,
               VerdictRow.comment, VerdictRow.cast_at, VerdictRow.version)
        .join(PartyRow, PartyRow.id == VerdictRow.party_id)
        .outerjoin(AccountRow, AccountRow.id == VerdictRow.account_id)
        .outerjoin(ActorRow, ActorRow.id == VerdictRow.attributed_to_id)
        .where(VerdictRow.assessment_id == assessment_id).order_by(VerdictRow.version))
    return [StoredVerdict(*r) for r in rows]


def add_verdict(session: Session, *, assessment_id: int, seen_version: int, party_id: int,
                account_id: int | None, position: str, attributed_to_id: int | None,
                comment: str, status: str, now: datetime) -> bool:
    """Append a verdict if the assessment is still at `seen_version`, moving it on one
    version and to `status`. False (and nothing written) when someone else was first."""
    # An UPDATE gives a CursorResult, which Session.execute's annotations do not say.
    moved = cast(CursorResult[Any], session.execute(
        update(AssessmentRow)
        .where(AssessmentRow.id == assessment_id, AssessmentRow.version == seen_version)
        .values(version=seen_version + 1, status=status, updated_at=now)))
    if moved.rowcount != 1:
        return False
    session.add(VerdictRow(assessment_id=assessment_id, version=seen_version + 1,
                           party_id=party_id, account_id=account_id, position=position,
                           attributed_to_id=attributed_to_id, comment=comment, cast_at=now))
    session.flush()
    uid, agreement_id = session.execute(
        select(AssessmentRow.incident_uid, AssessmentRow.agreement_id)
        .where(AssessmentRow.id == assessment_id)).one()
    key = AssessmentKey(uid, _code(session, agreement_id))
    changes.touch(session, "assessment", [key])
    changes.touch(session, "verdict", [VerdictKey(*key, seen_version + 1)])
    return True


def _awaiting(agreement_id: int, party_id: int, opened_after: datetime,
              statuses: Sequence[str]) -> list[Any]:
    answered = exists().where(VerdictRow.assessment_id == AssessmentRow.id,
                              VerdictRow.party_id == party_id)
    # An incident merged into another keeps its assessment and verdicts as history; it no
    # longer awaits anyone.
    standing = exists().where(IncidentRow.uid == AssessmentRow.incident_uid)
    return [AssessmentRow.agreement_id == agreement_id, AssessmentRow.covered,
            AssessmentRow.opened_at > opened_after, AssessmentRow.status.in_(statuses),
            ~answered, standing]


def awaiting(session: Session, *, agreement_id: int, party_id: int, opened_after: datetime,
             statuses: Sequence[str], limit: int) -> list[Assessed]:
    """Covered incidents still open to the party's answer (opened after `opened_after`,
    in one of `statuses`) on which it has cast no verdict: the nearest deadline first and,
    among those put to the guarantors together (an import), the oldest event first."""
    event = (select(IncidentRow.earliest).where(IncidentRow.uid == AssessmentRow.incident_uid)
             .scalar_subquery())
    return [Assessed(*row) for row in session.execute(
        select(*_ASSESSED)
        .where(*_awaiting(agreement_id, party_id, opened_after, statuses))
        .order_by(AssessmentRow.opened_at, event, AssessmentRow.incident_uid).limit(limit))]


def count_awaiting(session: Session, *, agreement_id: int, party_id: int,
                   opened_after: datetime, statuses: Sequence[str], at_most: int) -> int:
    """How many await the party, counted up to `at_most` (a batch can open a million)."""
    found = (select(AssessmentRow.id)
             .where(*_awaiting(agreement_id, party_id, opened_after, statuses))
             .limit(at_most).subquery())
    return session.scalar(select(func.count()).select_from(found)) or 0
