"""What an export of incidents reads: a selection's incidents a page at a time, in the
list's order with the list's status now (`Scope.status`, the one SQL expression of the
status rule), and, for each page, what its reports give (the parties that reported it and
the highest death toll any report gives); all in one snapshot of the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ceasefire.store import dialects
from ceasefire.store.overview import Scope
from ceasefire.store.rows import before
from ceasefire.store.tables import IncidentReportRow, IncidentRow, PartyRow, ReportRow


def read_one_snapshot(session: Session) -> None:
    """Make this read transaction one snapshot of the record, so that what an export
    reads and the ledger checkpoint it states agree (call before any other query)."""
    dialects.of(session).read_one_snapshot(session)


class Selected(NamedTuple):
    """An incident of the selection under its agreement, as the overview holds it."""

    uid: str
    earliest: datetime
    latest: datetime
    adm1: str | None
    adm2: str | None
    adm3: str | None
    lon: float | None
    lat: float | None
    where_precision: int
    violation: str
    reports: int
    incident_id: int
    assessment_id: int
    covered: bool
    opened_at: datetime | None
    status: str  # now: Scope.status


def page(session: Session, scope: Scope, *, limit: int,
         after: tuple[datetime, str] | None = None) -> list[Selected]:
    """A page of the scope's incidents, newest event first then by id descending (the
    list's order); ``after`` is the (earliest, uid) of the last row seen."""
    o, incident = scope.row, aliased(IncidentRow)
    query = (scope.select(o.uid, o.earliest, o.latest, o.adm1, o.adm2, o.adm3, o.lon, o.lat,
                          incident.where_precision, o.violation, o.report_count,
                          o.incident_id, o.assessment_id, o.covered, o.opened_at,
                          scope.status)
             .join(incident, incident.id == o.incident_id))
    if after is not None:
        query = query.where(before(o, after))
    return [Selected(*row) for row in session.execute(
        query.order_by(o.earliest.desc(), o.uid.desc()).limit(limit))]


class FromReports(NamedTuple):
    """What an incident's reports give: the parties that made them, and the highest death
    toll any of them gives (low, best, high each) and injured (None: none gives a figure)."""

    parties: tuple[str, ...]
    killed_low: int
    killed_best: int
    killed_high: int
    injured: int | None


def from_reports(session: Session, incident_ids: Sequence[int]) -> dict[int, FromReports]:
    """By incident row id."""
    parties: dict[int, set[str]] = {}
    killed: dict[int, tuple[int, int, int]] = {}
    injured: dict[int, int] = {}
    ids = sorted(set(incident_ids))
    for at in range(0, len(ids), 2000):
        for incident_id, party, low, best, high, hurt in session.execute(
                select(IncidentReportRow.incident_id, PartyRow.code,
                       func.max(ReportRow.killed_low), func.max(ReportRow.killed_best),
                       func.max(ReportRow.killed_high), func.max(ReportRow.injured))
                .join(ReportRow, ReportRow.id == IncidentReportRow.report_id)
                .join(PartyRow, PartyRow.id == ReportRow.party_id)
                .where(IncidentReportRow.incident_id.in_(ids[at:at + 2000]))
                .group_by(IncidentReportRow.incident_id, PartyRow.code)):
            parties.setdefault(incident_id, set()).add(party)
            was = killed.get(incident_id, (0, 0, 0))
            killed[incident_id] = (max(was[0], low or 0), max(was[1], best or 0),
                                   max(was[2], high or 0))
            if hurt is not None:  # max() skips the reports that give no figure
                injured[incident_id] = max(injured.get(incident_id, 0), hurt)
    return {i: FromReports(tuple(sorted(parties[i])), *killed[i], injured.get(i))
            for i in parties}
