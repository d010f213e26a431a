"""The incidents the pages show, under one agreement, with their status now: the list,
the counts of the dashboard and what the map draws are all queries over one `Scope`.

An incident's stored status is as of its last change; a pending one whose response
deadline has passed takes, at read time, the status the agreement's silence rule gives
it. `Scope.status` is that rule as one SQL expression, so lists and counts filter and
group by the status now without computing standings one incident at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, FunctionElement
from sqlalchemy.types import Date

from ceasefire.store.lookup import before
from ceasefire.store.tables import (
    AssessmentRow,
    IncidentReportRow,
    IncidentRow,
    PartyRow,
    ReportRow,
    VerdictRow,
)


class utc_day(FunctionElement[date]):  # noqa: N801 - reads as the SQL function it is
    """The UTC calendar day of a stored time, on either backend."""

    type = Date()
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"  # stored as naive UTC


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC')::date"


@dataclass(frozen=True)
class Lapsed:
    """How the agreement's deadline turns pending incidents: `silent` for those no
    guarantor has answered, and by assessment id for those some have."""

    cutoff: datetime  # opened at or before this, the deadline has passed
    silent: str
    answered: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Scope:
    """Incidents under one agreement: those whose earliest moment is in [since, until),
    in an admin area, of a violation type, reported by a party, in some statuses."""

    agreement_id: int
    lapsed: Lapsed
    since: datetime | None = None
    until: datetime | None = None
    adm: str | None = None
    violation: str | None = None
    party_id: int | None = None
    statuses: tuple[str, ...] = ()

    @property
    def status(self) -> ColumnElement[str]:
        a, lapsed = AssessmentRow, self.lapsed
        by_status: dict[str, list[int]] = {}
        for assessment_id, status in lapsed.answered.items():
            by_status.setdefault(status, []).append(assessment_id)
        whens: list[tuple[Any, Any]] = [(a.id.in_(ids), literal(status))
                                        for status, ids in sorted(by_status.items())]
        whens.append((and_(a.status == "pending", a.covered, a.opened_at <= lapsed.cutoff,
                           a.version == 0), literal(lapsed.silent)))
        return case(*whens, else_=a.status)

    def _status_is(self) -> ColumnElement[bool]:
        """The status filter, spelt on the stored columns so an index on status serves it."""
        a, lapsed = AssessmentRow, self.lapsed
        wanted = set(self.statuses)
        overdue = and_(a.status == "pending", a.covered, a.opened_at <= lapsed.cutoff)
        answered = [i for i, s in lapsed.answered.items() if s in wanted]
        terms = [and_(a.status.in_(sorted(wanted)),
                      ~overdue if "pending" in wanted else literal(True))]
        if lapsed.silent in wanted:
            terms.append(and_(overdue, a.version == 0))
        if answered:
            terms.append(a.id.in_(sorted(answered)))
        return or_(*terms)

    def conditions(self) -> list[ColumnElement[bool]]:
        i, a = IncidentRow, AssessmentRow
        found: list[ColumnElement[bool]] = [a.agreement_id == self.agreement_id]
        if self.since is not None:
            found.append(i.earliest >= self.since)
        if self.until is not None:
            found.append(i.earliest < self.until)
        if self.adm is not None:
            found.append({4: i.adm1, 6: i.adm2, 8: i.adm3}[len(self.adm)] == self.adm)
        if self.violation is not None:
            found.append(i.violation == self.violation)
        if self.party_id is not None:
            found.append(select(IncidentReportRow.report_id)
                         .join(ReportRow, ReportRow.id == IncidentReportRow.report_id)
                         .where(IncidentReportRow.incident_id == i.id,
                                ReportRow.party_id == self.party_id).exists())
        if self.statuses:
            found.append(self._status_is())
        return found

    def select(self, *columns: Any) -> Select[Any]:
        """SELECT columns FROM the scope's incidents joined to their assessment."""
        return (select(*columns).select_from(IncidentRow)
                .join(AssessmentRow, AssessmentRow.incident_uid == IncidentRow.uid)
                .where(*self.conditions()))


def lapsed_answered(session: Session, agreement_id: int, cutoff: datetime,
                    ) -> dict[int, list[tuple[str, str, datetime]]]:
    """Pending assessments past the deadline that some guarantor answered: their verdicts
    (party, position, cast at), for the service to apply the silence rule to."""
    rows = session.execute(
        select(VerdictRow.assessment_id, PartyRow.code, VerdictRow.position,
               VerdictRow.cast_at)
        .join(AssessmentRow, AssessmentRow.id == VerdictRow.assessment_id)
        .join(PartyRow, PartyRow.id == VerdictRow.party_id)
        .where(AssessmentRow.agreement_id == agreement_id, AssessmentRow.status == "pending",
               AssessmentRow.covered, AssessmentRow.opened_at <= cutoff)
        .order_by(VerdictRow.assessment_id, VerdictRow.version))
    found: dict[int, list[tuple[str, str, datetime]]] = {}
    for assessment_id, party, position, cast_at in rows:
        found.setdefault(assessment_id, []).append((party, position, cast_at))
    return found


# --- what the pages read -------------------------------------------------------------------

class Count(NamedTuple):
    key: Any  # a day, a P-code (None: unknown) or a party code
    status: str
    incidents: int


class DayCount(NamedTuple):
    day: date
    adm1: str | None
    status: str
    incidents: int


def by_day_and_governorate(session: Session, scope: Scope) -> list[DayCount]:
    """One pass for both: at most days × governorates × statuses rows to sum."""
    day, status = utc_day(IncidentRow.earliest), scope.status
    return [DayCount(*row) for row in session.execute(
        scope.select(day, IncidentRow.adm1, status, func.count())
        .group_by(day, IncidentRow.adm1, status))]


def by_party(session: Session, scope: Scope) -> list[Count]:
    """Incidents by each party whose reports they hold (an incident two parties reported
    counts for both)."""
    status = scope.status
    query = (scope.select(PartyRow.code, status, func.count(func.distinct(IncidentRow.id)))
             .join(IncidentReportRow, IncidentReportRow.incident_id == IncidentRow.id)
             .join(ReportRow, ReportRow.id == IncidentReportRow.report_id)
             .join(PartyRow, PartyRow.id == ReportRow.party_id)
             .group_by(PartyRow.code, status))
    return _counts(session, query)


def _counts(session: Session, query: Select[Any]) -> list[Count]:
    return [Count(key, status, n) for key, status, n in session.execute(query)]


class Listed(NamedTuple):
    uid: str
    earliest: datetime
    latest: datetime
    adm1: str | None
    adm2: str | None
    adm3: str | None
    lon: float | None
    lat: float | None
    violation: str
    reports: int
    status: str


def page(session: Session, scope: Scope, *, limit: int,
         after: tuple[datetime, str] | None = None) -> list[Listed]:
    """Newest event first; ``after`` is the (earliest, uid) of the last row seen."""
    i = IncidentRow
    query = scope.select(i.uid, i.earliest, i.latest, i.adm1, i.adm2, i.adm3, i.lon, i.lat,
                         i.violation, i.report_count, scope.status)
    if after is not None:
        query = query.where(before(i, after))
    return [Listed(*row) for row in session.execute(
        query.order_by(i.earliest.desc(), i.uid.desc()).limit(limit))]


def latest_start(session: Session) -> datetime | None:
    """The earliest moment of the newest incident: where the record's days end."""
    return session.scalar(select(func.max(IncidentRow.earliest)))


def incidents_by_uid(session: Session, uids: Sequence[str]) -> dict[str, IncidentRow]:
    return {r.uid: r for r in session.scalars(
        select(IncidentRow).where(IncidentRow.uid.in_(list(uids))))}


def reporting_parties(session: Session, uids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The parties whose reports each incident holds."""
    found: dict[str, set[str]] = {}
    for at in range(0, len(uids), 2000):
        for uid, party in session.execute(
                select(IncidentRow.uid, PartyRow.code).distinct()
                .join(IncidentReportRow, IncidentReportRow.incident_id == IncidentRow.id)
                .join(ReportRow, ReportRow.id == IncidentReportRow.report_id)
                .join(PartyRow, PartyRow.id == ReportRow.party_id)
                .where(IncidentRow.uid.in_(uids[at:at + 2000]))):
            found.setdefault(uid, set()).add(party)
    return {uid: tuple(sorted(p)) for uid, p in found.items()}
