"""Assessments of incidents under agreements, and the guarantors' verdicts on them.

A verdict is written with a versioned update: the assessment's version must still be the
one the officer saw, else nothing is written and the caller learns the current state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Select, exists, func, insert, select, update
from sqlalchemy.orm import Session

from ceasefire.store import changes
from ceasefire.store.records import AssessmentKey, VerdictKey
from ceasefire.store.reference import reference
from ceasefire.store.tables import (
    AccountRow,
    ActorRow,
    AssessmentRow,
    OverviewRow,
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


@dataclass(frozen=True, slots=True)
class Finding:
    """What the rules found of an incident under one agreement, and the status it gives
    with the verdicts cast; `stored` is the assessment it was found against (None: the
    first)."""

    stored: Assessed | None
    incident_uid: str
    agreement_id: int
    covered: bool
    terms: str
    checks: list[dict[str, Any]]
    status: str
    terms_version: int = 0


def save_assessments(session: Session, findings: Sequence[Finding], *, now: datetime) -> None:
    """Record the findings (on the stored assessments, where there are some); an incident
    is put to the guarantors (opened) when first found covered. Verdicts already cast stay.
    Written in bulk (one INSERT and one UPDATE by primary key for them all): no row is held
    as an object, so every read after them is fresh."""
    def values(f: Finding) -> dict[str, Any]:
        opened = f.stored.opened_at if f.stored else None
        return {"covered": f.covered, "terms": f.terms, "checks": f.checks,
                "assessed_at": now, "status": f.status, "updated_at": now,
                "terms_version": f.terms_version,
                "opened_at": now if f.covered and opened is None else opened}
    new = [{"incident_uid": f.incident_uid, "agreement_id": f.agreement_id, "version": 0,
            **values(f)} for f in findings if f.stored is None]
    again = [{"id": f.stored.id, **values(f)} for f in findings if f.stored is not None]
    if new:
        session.execute(insert(AssessmentRow), new)
    if again:
        session.execute(update(AssessmentRow), again)
    codes = {i: c for c, i in reference(session).agreement_ids.items()}
    changes.touch(session, "assessment", [AssessmentKey(f.incident_uid, codes[f.agreement_id])
                                          for f in findings])


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
              statuses: Sequence[str], columns: Sequence[Any]) -> Select[Any]:
    """The assessments awaiting the party, found through the pages' overview: its index
    on (agreement, status, opened_at, earliest, uid) holds the queue's order, so a page is
    read from the front of it, not sorted out of a batch's hundreds of thousands. The
    overview only picks and orders; what is given, and filtered on, is the assessment's
    own row. An incident merged into another keeps its assessment and verdicts as history
    but has no overview row: it no longer awaits anyone."""
    o, a = OverviewRow, AssessmentRow
    answered = exists().where(VerdictRow.assessment_id == a.id,
                              VerdictRow.party_id == party_id)
    return (select(*columns).select_from(o).join(a, a.id == o.assessment_id)
            .where(o.agreement_id == agreement_id, o.status.in_(statuses),
                   o.opened_at > opened_after, o.covered,
                   a.agreement_id == agreement_id, a.incident_uid == o.uid, a.covered,
                   a.opened_at > opened_after, a.status.in_(statuses), ~answered)
            .order_by(o.opened_at, o.earliest, o.uid))


def awaiting(session: Session, *, agreement_id: int, party_id: int, opened_after: datetime,
             statuses: Sequence[str], limit: int) -> list[Assessed]:
    """Covered incidents still open to the party's answer (opened after `opened_after`,
    in one of `statuses`) on which it has cast no verdict: the nearest deadline first and,
    among those put to the guarantors together (an import), the oldest event first."""
    return [Assessed(*row) for row in session.execute(
        _awaiting(agreement_id, party_id, opened_after, statuses, _ASSESSED)
        .limit(limit))]


def count_awaiting(session: Session, *, agreement_id: int, party_id: int,
                   opened_after: datetime, statuses: Sequence[str], at_most: int) -> int:
    """How many await the party, counted up to `at_most` (a batch can open a million)."""
    found = _awaiting(agreement_id, party_id, opened_after, statuses,
                      [AssessmentRow.id]).limit(at_most).subquery()
    return session.scalar(select(func.count()).select_from(found)) or 0
