"""The rows a bulletin counts (incidents whose earliest moment falls in a period, with
their reporting parties, the highest death toll any of their reports gives, their terms
and the verdicts that attribute them), and the bulletins published: added, never
changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.domain.bulletin import IncidentLine
from ceasefire.domain.status import Status
from ceasefire.store import changes
from ceasefire.store.overview import Lapsed, status_now
from ceasefire.store.records import VerdictKey
from ceasefire.store.tables import (
    AccountRow,
    ActorRow,
    AgreementRow,
    AssessmentRow,
    BulletinRow,
    IncidentReportRow,
    IncidentRow,
    PartyRow,
    ReportRow,
    VerdictRow,
)


def incidents_starting(session: Session, start: datetime, end: datetime,
                       ) -> list[IncidentLine]:
    """Incidents whose earliest moment is in [start, end), oldest first, as a bulletin
    counts them; their status under an agreement is the caller's to give (not covered
    until it does)."""
    incidents = session.execute(
        select(IncidentRow.id, IncidentRow.uid, IncidentRow.earliest, IncidentRow.adm1,
               IncidentRow.violation, IncidentRow.report_count, IncidentRow.adm2,
               IncidentRow.adm3, IncidentRow.lon, IncidentRow.lat)
        .where(IncidentRow.earliest >= start, IncidentRow.earliest < end)
        .order_by(IncidentRow.earliest, IncidentRow.uid)).all()
    parties: dict[int, set[str]] = {}
    killed: dict[int, int] = {}
    ids = [r.id for r in incidents]
    for at in range(0, len(ids), 2000):
        chunk = ids[at:at + 2000]
        for incident_id, party, most in session.execute(
                select(IncidentReportRow.incident_id, PartyRow.code,
                       func.max(ReportRow.killed_best))
                .join(ReportRow, ReportRow.id == IncidentReportRow.report_id)
                .join(PartyRow, PartyRow.id == ReportRow.party_id)
                .where(IncidentReportRow.incident_id.in_(chunk))
                .group_by(IncidentReportRow.incident_id, PartyRow.code)):
            parties.setdefault(incident_id, set()).add(party)
            killed[incident_id] = max(killed.get(incident_id, 0), most or 0)
    return [IncidentLine(r.uid, r.earliest, r.adm1, r.violation, Status.NOT_COVERED,
                         tuple(sorted(parties.get(r.id, ()))), r.report_count,
                         killed.get(r.id, 0), r.adm2, r.adm3, r.lon, r.lat)
            for r in incidents]


class Assessed(NamedTuple):
    status: str  # now
    assessment_id: int
    terms: str  # the agreement's code or the zone's whose terms applied


def statuses(session: Session, agreement_id: int, lapsed: Lapsed, start: datetime,
             end: datetime) -> dict[str, Assessed]:
    """Each incident whose earliest moment is in [start, end) that the agreement
    assessed (by uid): its status now, its assessment's id and terms. Read from the
    records themselves, not the pages' overview: a bulletin rests on signed records."""
    a = AssessmentRow
    status = status_now(lapsed, assessment_id=a.id, status=a.status, covered=a.covered,
                        opened_at=a.opened_at, version=a.version)
    query = (select(IncidentRow.uid, status, a.id, a.terms)
             .join(a, a.incident_uid == IncidentRow.uid)
             .where(a.agreement_id == agreement_id, IncidentRow.earliest >= start,
                    IncidentRow.earliest < end))
    return {uid: Assessed(st, assessment_id, terms)
            for uid, st, assessment_id, terms in session.execute(query)}


class Cast(NamedTuple):
    """A verdict as attribution reads it."""

    party: str
    position: str
    attributed_to: str | None  # actor code
    cast_at: datetime


def verdicts_on(session: Session, assessment_ids: list[int]) -> dict[int, list[Cast]]:
    """Every verdict on these assessments, in the order they were cast."""
    found: dict[int, list[Cast]] = {}
    for at in range(0, len(assessment_ids), 2000):
        chunk = assessment_ids[at:at + 2000]
        for row in session.execute(
                select(VerdictRow.assessment_id, PartyRow.code, VerdictRow.position,
                       ActorRow.code, VerdictRow.cast_at)
                .join(PartyRow, PartyRow.id == VerdictRow.party_id)
                .outerjoin(ActorRow, ActorRow.id == VerdictRow.attributed_to_id)
                .where(VerdictRow.assessment_id.in_(chunk))
                .order_by(VerdictRow.assessment_id, VerdictRow.version)):
            found.setdefault(row[0], []).append(Cast(row[1], row[2], row[3], row[4]))
    return found


def report_keys(session: Session, incident_uids: list[str]) -> list[str]:
    """The ids of the reports these incidents hold."""
    found: list[str] = []
    for at in range(0, len(incident_uids), 2000):
        found += session.scalars(
            select(ReportRow.uid).join(IncidentReportRow,
                                       IncidentReportRow.report_id == ReportRow.id)
            .join(IncidentRow, IncidentRow.id == IncidentReportRow.incident_id)
            .where(IncidentRow.uid.in_(incident_uids[at:at + 2000]))).all()
    return found


def verdict_keys(session: Session, assessment_ids: list[int]) -> list[VerdictKey]:
    """The ledger's keys of every verdict on these assessments."""
    found = []
    for at in range(0, len(assessment_ids), 2000):
        chunk = assessment_ids[at:at + 2000]
        found += [VerdictKey(*row) for row in session.execute(
            select(AssessmentRow.incident_uid, AgreementRow.code, VerdictRow.version)
            .join(AssessmentRow, AssessmentRow.id == VerdictRow.assessment_id)
            .join(AgreementRow, AgreementRow.id == AssessmentRow.agreement_id)
            .where(VerdictRow.assessment_id.in_(chunk)))]
    return found


# -- published bulletins --------------------------------------------------------------------

class Published(NamedTuple):
    id: int
    agreement: str
    period_start: datetime
    period_end: datetime
    checkpoint_size: int
    checkpoint_root: str
    issued_at: datetime
    published_at: datetime
    party: str
    account: str
    document_sha256: str


_PUBLISHED = (select(BulletinRow.id, AgreementRow.code, BulletinRow.period_start,
                     BulletinRow.period_end, BulletinRow.checkpoint_size,
                     BulletinRow.checkpoint_root, BulletinRow.issued_at,
                     BulletinRow.published_at, PartyRow.code, AccountRow.username,
                     BulletinRow.document_sha256)
              .join(AgreementRow, AgreementRow.id == BulletinRow.agreement_id)
              .join(PartyRow, PartyRow.id == BulletinRow.party_id)
              .join(AccountRow, AccountRow.id == BulletinRow.account_id))


def add_bulletin(session: Session, *, agreement_id: int, period_start: datetime,
                 period_end: datetime, checkpoint: dict[str, Any], issued_at: datetime,
                 published_at: datetime, party_id: int, account_id: int, document: str,
                 document_sha256: str) -> int:
    """Store a published bulletin, noted for the ledger; returns its id."""
    row = BulletinRow(agreement_id=agreement_id, period_start=period_start,
                      period_end=period_end, checkpoint_size=checkpoint["size"],
                      checkpoint_root=checkpoint["root"],
                      checkpoint_signer=checkpoint["signer"],
                      checkpoint_signature=checkpoint["signature"], issued_at=issued_at,
                      published_at=published_at, party_id=party_id, account_id=account_id,
                      document=document, document_sha256=document_sha256)
    session.add(row)
    session.flush()
    changes.touch(session, "bulletin", [row.id])
    return row.id


def published(session: Session, *, agreement_id: int | None = None,
              period: tuple[datetime, datetime] | None = None) -> list[Published]:
    """Published bulletins, oldest first; of one agreement and period if named."""
    query = _PUBLISHED.order_by(BulletinRow.id)
    if agreement_id is not None:
        query = query.where(BulletinRow.agreement_id == agreement_id)
    if period is not None:
        query = query.where(BulletinRow.period_start == period[0],
                            BulletinRow.period_end == period[1])
    return [Published(*r) for r in session.execute(query)]


def published_one(session: Session, bulletin_id: int) -> tuple[Published, str] | None:
    """A published bulletin and its document, or None."""
    row = session.execute(_PUBLISHED.add_columns(BulletinRow.document)
                          .where(BulletinRow.id == bulletin_id)).one_or_none()
    return None if row is None else (Published(*row[:-1]), row[-1])
