"""The digest of each record as the database holds it: the ledger notes it when an entry
writes the record, and `ledger verify` reads it again to see that nothing changed since.

A record is its row with every column but the surrogate id (a decision and a bulletin
are keyed by it), and what belongs to it (a report's actors, an incident's reports, an
agreement's guarantors, actors and zones).
The digest is SHA-256 over its sorted-key JSON (orjson: one spelling of every value) of
the values as the database's driver returns them, times in UTC.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Select, literal, select, type_coerce
from sqlalchemy.orm import Session, aliased
from sqlalchemy.types import NullType

from ceasefire.store.tables import (
    AccountRow,
    ActorAliasRow,
    ActorRow,
    AgreementActorRow,
    AgreementGuarantorRow,
    AgreementRow,
    ApiTokenRow,
    AssessmentRow,
    BulletinRow,
    CorrelationDecisionRow,
    ImportRow,
    IncidentReportRow,
    IncidentRow,
    LedgerKeyRow,
    PartyRow,
    PlaceNameRow,
    ReportActorRow,
    ReportApartRow,
    ReportLinkRow,
    ReportRow,
    VerdictRow,
    ZoneRow,
)

_CHUNK = 2000  # keys per IN (...): within every backend's limit on parameters


def _default(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, datetime):  # PostgreSQL gives them in the session's time zone
        return value.astimezone(UTC).isoformat()
    raise TypeError(type(value))


def digest(record: Any) -> str:
    return hashlib.sha256(orjson.dumps(
        record, default=_default,
        option=orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME)).hexdigest()


def _columns(table: Any, *skip: str) -> list[Any]:
    """The columns as the driver gives them: no conversion to Python types on the way,
    which would cost more than the digest (a million reports at an import's end)."""
    return [type_coerce(c, NullType()).label(c.name) for c in table.__table__.columns
            if c.name not in ("id", *skip)]


def _chunks(keys: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(keys), _CHUNK):
        yield keys[start:start + _CHUNK]


class _Kind:
    """How to read one kind of record: a query of (key, parent id, columns…), narrowed to
    some keys by `key_column`, and the rows that belong to each parent."""

    def __init__(self, query: Select[Any], key_column: Any,
                 children: Callable[[Session, list[int]], dict[int, list[Any]]] | None = None,
                 key_of: Callable[[Any], str] | None = None,
                 key_type: type = str) -> None:
        self.query, self.key_column, self.key_type = query, key_column, key_type
        self.children, self.key_of = children, key_of

    def read(self, session: Session, keys: Sequence[str] | None) -> dict[str, str]:
        if keys is None:
            return self._digests(session, session.execute(self.query).all())
        wanted = set(keys)
        # Composite keys (incident/agreement[/version]) are narrowed by their first part.
        firsts = sorted({k.split("/", 1)[0] for k in wanted})
        found: dict[str, str] = {}
        for chunk in _chunks(firsts):
            rows = session.execute(self.query.where(self.key_column.in_(
                [self.key_type(k) for k in chunk]))).all()
            found.update(self._digests(session, rows))
        return {k: v for k, v in found.items() if k in wanted}

    def _digests(self, session: Session, rows: Sequence[Any]) -> dict[str, str]:
        extra: dict[int, list[Any]] = {}
        if self.children is not None:
            ids = [r[1] for r in rows]
            for start in range(0, len(ids), _CHUNK):
                extra.update(self.children(session, ids[start:start + _CHUNK]))
        out = {}
        for r in rows:
            key = self.key_of(r) if self.key_of else r[0]
            out[key] = digest([list(r[2:]), extra.get(r[1], [])])
        return out


def _children(select_of: Callable[[list[int]], Select[Any]]) -> Callable[
        [Session, list[int]], dict[int, list[Any]]]:
    def read(session: Session, ids: list[int]) -> dict[int, list[Any]]:
        grouped: dict[int, list[Any]] = defaultdict(list)
        for row in session.execute(select_of(ids)):
            grouped[row[0]].append(list(row[1:]))
        return grouped
    return read


def _sorted(read: Callable[[Session, list[int]], dict[int, list[Any]]]) -> Callable[
        [Session, list[int]], dict[int, list[Any]]]:
    """In a stable order: the rows' own (their columns are never null)."""
    def sort(session: Session, ids: list[int]) -> dict[int, list[Any]]:
        return {k: sorted(v) for k, v in read(session, ids).items()}
    return sort


def _agreement_parts(session: Session, ids: list[int]) -> dict[int, list[Any]]:
    parts: dict[int, list[Any]] = defaultdict(list)
    for query in (
            select(AgreementGuarantorRow.agreement_id, PartyRow.code,
                   AgreementGuarantorRow.position)
            .join(PartyRow, PartyRow.id == AgreementGuarantorRow.party_id)
            .where(AgreementGuarantorRow.agreement_id.in_(ids)),
            select(AgreementActorRow.agreement_id, ActorRow.code, AgreementActorRow.status)
            .join(ActorRow, ActorRow.id == AgreementActorRow.actor_id)
            .where(AgreementActorRow.agreement_id.in_(ids)),
            select(ZoneRow.agreement_id, *_columns(ZoneRow, "agreement_id"))
            .where(ZoneRow.agreement_id.in_(ids))):
        for row in session.execute(query):
            parts[row[0]].append([query.selected_columns[1].name, *row[1:]])
    return {k: sorted(v, key=orjson.dumps) for k, v in parts.items()}


def _pairs(table: Any, columns: Sequence[Any], *where: Any) -> _Kind:
    """Pairs of reports (report_a, report_b: row ids), keyed by the reports' ids."""
    first, second = aliased(ReportRow), aliased(ReportRow)
    query = (select(first.uid, literal(0), second.uid, *columns)
             .join(first, first.id == table.report_a).join(second, second.id == table.report_b)
             .where(*where))
    return _Kind(query, first.uid, key_of=lambda r: f"{r[0]}/{r[2]}")


_AGREEMENT_CODE = select(AgreementRow.code).where(
    AgreementRow.id == AssessmentRow.agreement_id).scalar_subquery()

KINDS: dict[str, _Kind] = {
    "party": _Kind(select(PartyRow.code, PartyRow.id, *_columns(PartyRow)), PartyRow.code),
    "actor": _Kind(
        select(ActorRow.code, ActorRow.id, *_columns(ActorRow)), ActorRow.code,
        _sorted(_children(lambda ids: select(
            ActorAliasRow.actor_id, *_columns(ActorAliasRow, "actor_id"))
            .where(ActorAliasRow.actor_id.in_(ids))))),
    "agreement": _Kind(
        select(AgreementRow.code, AgreementRow.id, *_columns(AgreementRow)), AgreementRow.code,
        lambda session, ids: _agreement_parts(session, ids)),
    "account": _Kind(select(AccountRow.username, AccountRow.id,
                            *_columns(AccountRow, "password_hash")), AccountRow.username),
    "report": _Kind(
        select(ReportRow.uid, ReportRow.id, *_columns(ReportRow)), ReportRow.uid,
        _sorted(_children(lambda ids: select(
            ReportActorRow.report_id, ReportActorRow.role, ReportActorRow.position,
            ReportActorRow.actor_id).where(ReportActorRow.report_id.in_(ids))))),
    "incident": _Kind(
        select(IncidentRow.uid, IncidentRow.id, *_columns(IncidentRow)), IncidentRow.uid,
        _sorted(_children(lambda ids: select(IncidentReportRow.incident_id, ReportRow.uid)
                          .join(ReportRow, ReportRow.id == IncidentReportRow.report_id)
                          .where(IncidentReportRow.incident_id.in_(ids))))),
    "decision": _Kind(select(CorrelationDecisionRow.id, CorrelationDecisionRow.id,
                             *_columns(CorrelationDecisionRow)), CorrelationDecisionRow.id,
                      key_of=lambda r: str(r[0]), key_type=int),
    "assessment": _Kind(
        select(AssessmentRow.incident_uid, AssessmentRow.id, _AGREEMENT_CODE,
               *_columns(AssessmentRow, "agreement_id")), AssessmentRow.incident_uid,
        key_of=lambda r: f"{r[0]}/{r[2]}"),
    "verdict": _Kind(
        select(AssessmentRow.incident_uid, VerdictRow.id, _AGREEMENT_CODE,
               *_columns(VerdictRow, "assessment_id"))
        .join(AssessmentRow, AssessmentRow.id == VerdictRow.assessment_id),
        AssessmentRow.incident_uid, key_of=lambda r: f"{r[0]}/{r[2]}/{r[3]}"),
    "token": _Kind(select(ApiTokenRow.id, ApiTokenRow.id, *_columns(ApiTokenRow)),
                   ApiTokenRow.id, key_of=lambda r: str(r[0]), key_type=int),
    "import": _Kind(select(ImportRow.id, ImportRow.id, *_columns(ImportRow)), ImportRow.id,
                    key_of=lambda r: str(r[0]), key_type=int),
    "place": _Kind(select(PlaceNameRow.id, PlaceNameRow.id, *_columns(PlaceNameRow)),
                   PlaceNameRow.id, key_of=lambda r: str(r[0]), key_type=int),
    # Pairs of reports an analyst kept apart, or joined (a forced link), keyed by the two
    # reports' ids in row order.
    "apart": _pairs(ReportApartRow, [ReportApartRow.decision_id]),
    "joined": _pairs(ReportLinkRow, [ReportLinkRow.score], ReportLinkRow.forced.is_(True)),
    # A signing key, as registered, replaced or revoked; its sealed private key is a
    # secret, not part of the record.
    "key": _Kind(select(LedgerKeyRow.key_id, literal(0), *_columns(LedgerKeyRow, "sealed")),
                 LedgerKeyRow.key_id),
    # A published bulletin, its document included: a changed word or number is named.
    "bulletin": _Kind(select(BulletinRow.id, BulletinRow.id, *_columns(BulletinRow)),
                      BulletinRow.id, key_of=lambda r: str(r[0]), key_type=int),
}


def digests(session: Session, kind: str, keys: Iterable[str] | None = None) -> dict[str, str]:
    """The digest of each record of `kind` with one of `keys` (every record: None) that
    the database holds; keys it does not hold are absent."""
    return KINDS[kind].read(session, None if keys is None else list(keys))
