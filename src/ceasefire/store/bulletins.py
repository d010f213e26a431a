"""The rows a bulletin counts: incidents whose earliest moment falls in a period, with
their reporting parties and the highest death toll any of their reports gives."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ceasefire.store.tables import IncidentReportRow, IncidentRow, PartyRow, ReportRow


class IncidentRowLine(NamedTuple):
    uid: str
    earliest: datetime
    adm1: str | None
    violation: str
    reports: int
    parties: tuple[str, ...]
    killed: int


def incidents_starting(session: Session, start: datetime, end: datetime,
                       ) -> list[IncidentRowLine]:
    """Incidents whose earliest moment is in [start, end), oldest first."""
    incidents = session.execute(
        select(IncidentRow.id, IncidentRow.uid, IncidentRow.earliest, IncidentRow.adm1,
               IncidentRow.violation, IncidentRow.report_count)
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
    return [IncidentRowLine(r.uid, r.earliest, r.adm1, r.violation, r.report_count,
                            tuple(sorted(parties.get(r.id, ()))), killed.get(r.id, 0))
            for r in incidents]
