"""Submitting one report (API, CLI), reading reports back, and exporting them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy.orm import Session

from ceasefire.domain.actors import ActorDirectory
from ceasefire.domain.parties import Account
from ceasefire.domain.report import Report, content_digest
from ceasefire.errors import Conflict
from ceasefire.geo.admin import syria
from ceasefire.intake.normalise import Draft, normalise
from ceasefire.intake.report_in import ReportIn
from ceasefire.reports.exports import Names, export
from ceasefire.services.intake import intake_context
from ceasefire.store import accounts, imports, parties
from ceasefire.store.db import Database
from ceasefire.store.reports import ReportFilter, ReportWriter, iter_reports, report_by_row_id


@dataclass(frozen=True)
class Submitted:
    report: Report
    created: bool  # False: an Idempotency-Key retry, answered with the first result


def _request_digest(given: ReportIn) -> str:
    return hashlib.sha256(given.model_dump_json().encode()).hexdigest()


def submit_report(db: Database, given: ReportIn, *, party: str,
                  account: Account | None = None,
                  idempotency_key: str | None = None) -> Submitted:
    """Validate, geocode and store one report from ``account``'s party.

    With an Idempotency-Key, a retry of the same request gets the first answer, and the
    same key with another body is refused: a client can resend safely after a timeout.
    """
    now = datetime.now(UTC)
    with db.session(write=True) as session:
        account_id = (accounts.account_id(session, username=account.username)
                      if account is not None else None)
        request = _request_digest(given) if idempotency_key else ""
        if idempotency_key and account_id is not None:
            earlier = imports.remembered(session, account_id=account_id, key=idempotency_key)
            if earlier is not None:
                if earlier.request_sha256 != request:
                    raise Conflict("this Idempotency-Key was used for a different report",
                                   field="Idempotency-Key", id=idempotency_key)
                return Submitted(report_by_row_id(session, earlier.report_id), created=False)
        context = intake_context(session)
        report = normalise(context, [Draft(given)], submitted_by=party,
                           received_at=now, stable_ids=False)[0]
        writer = ReportWriter(session)
        row_id = writer.write([report], [content_digest(report)], account_id=account_id)[0]
        if idempotency_key and account_id is not None:
            imports.remember(session, account_id=account_id, key=idempotency_key,
                             request_sha256=request, report_id=row_id, created_at=now)
    return Submitted(report, created=True)


def export_names(session: Session) -> Names:
    index = syria()
    directory = ActorDirectory(parties.list_actors(session))
    return Names(admin_name=lambda code: index.area(code).name, actor=directory.get,
                 country="Syria")


def export_reports(db: Database, fmt: str, out: TextIO,
                   f: ReportFilter | None = None) -> int:
    """Stream the matching reports to ``out``; one read transaction, so one snapshot."""
    with db.session() as session:
        return export(fmt, iter_reports(session, f or ReportFilter()), out,
                      export_names(session))

