"""Submitting one report (API, CLI), reading reports back, and exporting them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ceasefire.domain import words
from ceasefire.domain.actors import ActorDirectory
from ceasefire.domain.parties import Account
from ceasefire.domain.report import Report
from ceasefire.errors import (
    CeasefireError,
    Conflict,
    Forbidden,
    InvalidInput,
    StorageUnavailable,
)
from ceasefire.geo.admin import syria
from ceasefire.intake.normalise import Draft, IntakeContext, content_digest, normalise
from ceasefire.intake.report_in import ReportIn, record_of
from ceasefire.outputs.exports import Names, TextOut, export
from ceasefire.services import ledger
from ceasefire.services.accounts import authenticate_in
from ceasefire.services.correlation import correlate_added, incident_uids
from ceasefire.services.intake import intake_context
from ceasefire.store import imports, parties
from ceasefire.store import reports as store
from ceasefire.store.db import Database
from ceasefire.store.reference import Reference, reference
from ceasefire.store.reports import (
    KeyClaim,
    ReportFilter,
    ReportWriter,
    iter_reports,
    report_by_row_id,
)

__all__ = ["ReportFilter", "Submission", "Submitted", "get_report", "list_reports"]


@dataclass(frozen=True)
class Submitted:
    report: Report
    created: bool  # False: an Idempotency-Key retry, answered with the first result
    incident: str | None = None  # the incident the report joined or founded
    # Other parties' reports that give the same source key: other reports (a key is its
    # party's own), named so that the clash is in plain sight.
    claims: tuple[KeyClaim, ...] = ()


def _request_digest(given: ReportIn) -> str:
    return hashlib.sha256(given.model_dump_json().encode()).hexdigest()


@dataclass(frozen=True)
class Submission:
    """One report to submit, by an API token's account, by the account of a web session
    (already authenticated), or (CLI) for a party."""

    given: ReportIn
    token: str | None = None
    party: str | None = None
    idempotency_key: str | None = None
    account: Account | None = None


def submit_report(db: Database, given: ReportIn, *, party: str | None = None,
                  token: str | None = None, idempotency_key: str | None = None) -> Submitted:
    """Validate, geocode and store one report; raises what is wrong with it."""
    (result,) = submit_reports(db, [Submission(given, token, party, idempotency_key)])
    if isinstance(result, Exception):  # never: a lone submission's error is raised as it is
        raise result
    return result


def submit_reports(db: Database, items: list[Submission]) -> list[Submitted | Exception]:
    """Validate, geocode and store reports, each on its own merits, in one transaction.

    Each gets its answer: the stored report, or the error that refused it (a bad report
    never fails the others). The API gathers concurrent requests into one call, so they
    share one lock and one commit. With an Idempotency-Key, a retry of the same request
    gets the first answer, and the same key with another body is refused: a client can
    resend safely after a timeout.

    A refusal found by the checks is the report's own (they all come before its first
    write). Anything else that fails the shared transaction (the database refusing a
    write, a fault no check foresaw) rolls it back, and each report is then stored in a
    transaction of its own: the culprit gets its error, the others their answers. The
    common path pays nothing for this; only a failed batch is run again.
    """
    now = datetime.now(UTC)
    results: list[Submitted | Exception] = []
    try:
        with db.session(write=True) as session:
            known = reference(session)
            context = intake_context(session, known)
            writer = ReportWriter(session, known)
            accounts: dict[str, Account] = {}  # token -> account, within this transaction
            rows: list[int | None] = []
            entry = _Entry()
            for item in items:
                try:
                    submitted, row_id = _submit(session, known, context, writer, accounts,
                                                item, now, entry)
                    results.append(submitted)
                    rows.append(row_id)
                except CeasefireError as exc:
                    # Every check comes before the item's first write: nothing to undo.
                    if len(items) == 1:
                        raise
                    results.append(exc)
                    rows.append(None)
            entry.close(session)
            results = _with_incidents(session, results, rows)
            if any(r is not None for r in rows):
                ledger.append(session, ledger.mechanism(session), "incidents.correlated",
                              {"after": "report.submitted"})
    except StorageUnavailable:
        raise  # the database is gone (or full) for every one of them alike
    except Exception:  # noqa: BLE001 - whose fault it was is found by running each alone
        # E.g. the database refused a write (an Idempotency-Key raced in from another
        # process): the whole batch was rolled back, so give each its own transaction.
        if len(items) == 1:
            raise
        return [_alone(db, item) for item in items]
    return results


def _with_incidents(session: Session, results: list[Submitted | Exception],
                    rows: list[int | None]) -> list[Submitted | Exception]:
    """Correlate the new reports at once, in the same transaction, and say where each
    landed."""
    incidents = correlate_added(session, [r for r in rows if r is not None])
    return [replace(result, incident=incidents.get(row))
            if isinstance(result, Submitted) and row is not None else result
            for result, row in zip(results, rows, strict=True)]


def _alone(db: Database, item: Submission) -> Submitted | Exception:
    try:
        return submit_reports(db, [item])[0]
    except Exception as exc:  # noqa: BLE001 - this one's answer, whatever it is
        return exc


class _Entry:
    """The ledger entry of a run of reports one account submitted together: one signed
    entry lists them all (each still has its own record, digest and inclusion proof), so
    a batch pays for one signature, not one a report. An entry is for one signer: a
    report from another account closes the one open before its own first write."""

    def __init__(self) -> None:
        self.by: tuple[str, str | None] | None = None  # (party, account)
        self.reports: list[dict[str, object]] = []

    def open_for(self, session: Session, party: str, account: str | None) -> None:
        if self.by != (party, account):
            self.close(session)
            self.by = (party, account)

    def add(self, record: dict[str, object]) -> None:
        self.reports.append(record)

    def close(self, session: Session) -> None:
        if self.by is None or not self.reports:
            return
        party, account = self.by
        signer = ledger.acting(session, party=party, account=account)
        if len(self.reports) == 1:
            ledger.append(session, signer, "report.submitted", {"report": self.reports[0]})
        else:
            ledger.append(session, signer, "reports.submitted", {"reports": self.reports})
        self.reports = []


def _submit(session: Session, known: Reference, context: IntakeContext, writer: ReportWriter,
            accounts: dict[str, Account], item: Submission, now: datetime, entry: _Entry,
            ) -> tuple[Submitted, int | None]:
    """The stored report, and its row id when this call stored it (listed in `entry`)."""
    account_id, party, account = None, item.party, item.account
    if item.token is not None:
        account = accounts.get(item.token)
        if account is None:
            account = accounts[item.token] = authenticate_in(session, token=item.token)
    if account is not None:
        if not account.role.may_submit_reports:
            raise Forbidden(f"{words.an_account(account.role)} cannot submit reports")
        party, account_id = account.party, known.account_ids[account.username]
    if party is None:
        raise InvalidInput("a report needs the party that submits it", field="party")
    key = item.idempotency_key if account_id is not None else None
    request = _request_digest(item.given) if key else ""
    if key and account_id is not None and (earlier := _replay(session, account_id, key,
                                                              request)):
        return earlier, None
    report = normalise(context, [Draft(item.given)], submitted_by=party, received_at=now,
                       stable_ids=False)[0]
    claims: list[KeyClaim] = []
    if (source_key := report.source.key) is not None:
        if found := writer.keyed([source_key], party=party).get(source_key):
            raise Conflict(f"a report of {party} with this source key is already in the "
                           f"record: {found.uid}", field="source.key", id=source_key)
        claims = writer.claims([source_key], party=party).get(source_key, [])
    entry.open_for(session, party, account.username if account is not None else None)
    row_id = writer.write_one(report, content_digest(report), account_id=account_id)
    entry.add(record_of(report))
    if key and account_id is not None:
        imports.remember(session, account_id=account_id, key=key, request_sha256=request,
                         report_id=row_id, created_at=now)
    return Submitted(report, created=True, claims=tuple(claims)), row_id


def _replay(session: Session, account_id: int, key: str, request: str) -> Submitted | None:
    """The first answer to this Idempotency-Key, if it was used; a 409 if for another body."""
    earlier = imports.remembered(session, account_id=account_id, key=key)
    if earlier is None:
        return None
    if earlier.request_sha256 != request:
        raise Conflict("this Idempotency-Key was used for a different report",
                       field="Idempotency-Key", id=key)
    incident = incident_uids(session, [earlier.report_id]).get(earlier.report_id)
    return Submitted(report_by_row_id(session, earlier.report_id), created=False,
                     incident=incident)


def export_names(session: Session) -> Names:
    index = syria()
    directory = ActorDirectory(parties.list_actors(session))
    return Names(admin_name=lambda code: index.area(code).name, actor=directory.get,
                 country="Syria")


def export_reports(db: Database, fmt: str, out: TextOut,
                   f: ReportFilter | None = None) -> int:
    """Stream the matching reports to ``out``; one read transaction, so one snapshot."""
    with db.session() as session:
        return export(fmt, iter_reports(session, f or ReportFilter()), out,
                      export_names(session))


def list_reports(session: Session, f: ReportFilter, *, limit: int,
                 after: tuple[datetime, str] | None = None) -> list[Report]:
    """A page of reports, newest event first, after a keyset cursor."""
    return store.list_reports(session, f, limit=limit, after=after)


def get_report(session: Session, *, uid: str) -> Report:
    return store.get_report(session, uid=uid)
