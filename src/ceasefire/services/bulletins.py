"""Bulletins: the daily bulletin and the period report to the talks, counted from the
record under one agreement, with the ledger checkpoint the counts rest on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ceasefire.domain.bulletin import Bulletin, IncidentLine, Period, bulletin
from ceasefire.domain.records import Status
from ceasefire.errors import InvalidInput
from ceasefire.ledger.checkpoints import Checkpoint
from ceasefire.services import ledger, overview
from ceasefire.store.bulletins import incidents_starting
from ceasefire.store.db import Database
from ceasefire.store.overview import Scope
from ceasefire.store.reference import reference
from ceasefire.store.tables import IncidentRow


@dataclass(frozen=True)
class Issued:
    bulletin: Bulletin
    checkpoint: Checkpoint  # the ledger as it stood when the counts were taken
    at: datetime


def _agreement(session: Session, code: str | None) -> str:
    codes = list(reference(session).agreement_ids)
    if code is None:
        if len(codes) != 1:
            raise InvalidInput(f"name the agreement: one of {', '.join(codes) or 'none'}",
                               field="agreement")
        return codes[0]
    if code not in codes:
        raise InvalidInput(f"no agreement {code!r}; one of {', '.join(codes)}",
                           field="agreement", id=code)
    return code


def lines(session: Session, agreement: str, period: Period, *, now: datetime,
          ) -> list[IncidentLine]:
    """Each incident starting in the period, with its status now under `agreement` (an
    incident it has not assessed is outside it: not covered)."""
    known = reference(session)
    agreement_id = known.agreement_ids[agreement]
    terms = next(a for a in known.agreements if a.code == agreement)
    found = Scope(agreement_id, overview.lapsed(session, terms, agreement_id, now=now),
                  since=period.start, until=period.end)
    status = dict(session.execute(found.select(IncidentRow.uid, found.status)).all())
    return [IncidentLine(row.uid, row.earliest, row.adm1, row.violation,
                         Status(status.get(row.uid, Status.NOT_COVERED.value)), row.parties,
                         row.reports, row.killed)
            for row in incidents_starting(session, period.start, period.end)]


def issue(db: Database, period: Period, *, agreement: str | None = None,
          now: datetime | None = None) -> Issued:
    """Count the period and the one before it, then take the ledger's checkpoint: a
    change is committed with its entry, so every change the counts saw is in the ledger
    the checkpoint names."""
    now = now or datetime.now(UTC)
    with db.session() as session:
        code = _agreement(session, agreement)
        counted = bulletin(code, period, lines(session, code, period, now=now),
                           lines(session, code, period.before(), now=now))
    return Issued(counted, ledger.checkpoint(db), now)
