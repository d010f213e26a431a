"""Submitting one report (API, CLI), reading reports back, and exporting them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy.orm import Session

from ceasefire.domain.actors import ActorDirectory
from ceasefire.domain.report import Report
from ceasefire.errors import Conflict, Forbidden, InvalidInput
from ceasefire.geo.admin import syria
from ceasefire.intake.normalise import Draft, content_digest, normalise
from ceasefire.intake.report_in import ReportIn
from ceasefire.reports.exports import Names, export
from ceasefire.services.accounts import authenticate_in
from ceasefire.services.intake import intake_context
from ceasefire.store import imports, parties
from ceasefire.store.db import Database
from ceasefire.store.reference import reference
from ceasefire.store.reports import ReportFilter, ReportWriter, iter_reports, report_by_row_id


@dataclass(frozen=True)
class Submitted:
    report: Report
    created: bool  # False: an Idempotency-Key retry, answered with the first result


def _request_digest(given: ReportIn) -> str:
    return hashlib.sha256(given.model_dump_json().encode()).hexdigest()


def submit_report(db: Database, given: ReportIn, *, party: str | None = None,
                  token: str | None = None, idempotency_key: str | None = None) -> Submitted:
    """Validate, geocode and store one report, in one write transaction.

    From the API, ``token`` names the account (checked here, in the same transaction: one
    round of locking per request on the hot path of intake); from the CLI, ``party``
    alone. With an Idempotency-Key, a retry of the same request gets the first answer,
    and the same key with another body is refused: a client can resend safely after a
    timeout.
    """
    now = datetime.now(UTC)
    with db.session(write=True) as session:
        account_id = None
        if token is not None:
            account = authenticate_in(session, token=token)
            if not account.role.may_submit_reports:
                raise Forbidden(f"a {account.role.value} account cannot submit reports")
            party = account.party
        known = reference(session)
        if token is not None:
            account_id = known.account_ids[account.username]
        if party is None:
            raise InvalidInput("a report needs the party that submits it", field="party")
        key = idempotency_key if account_id is not None else None
        request = _request_digest(given) if key else ""
        if key and (earlier := _replay(session, account_id, key, request)):
            return earlier
        report = normalise(intake_context(session, known), [Draft(given)], submitted_by=party,
                           received_at=now, stable_ids=False)[0]
        row_id = ReportWriter(session, known).write_one(report, content_digest(report),
                                                        account_id=account_id)
        if key:
            imports.remember(session, account_id=account_id, key=key, request_sha256=request,
                             report_id=row_id, created_at=now)
    return Submitted(report, created=True)


def _replay(session: Session, account_id: int, key: str, request: str) -> Submitted | None:
    """The first answer to this Idempotency-Key, if it was used; a 409 if for another body."""
    earlier = imports.remembered(session, account_id=account_id, key=key)
    if earlier is None:
        return None
    if earlier.request_sha256 != request:
        raise Conflict("this Idempotency-Key was used for a different report",
                       field="Idempotency-Key", id=key)
    return Submitted(report_by_row_id(session, earlier.report_id), created=False)


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

