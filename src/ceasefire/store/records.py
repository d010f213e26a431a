"""The kinds of record the ledger holds, each declared once: the table that holds it, its
key, the rows of other tables that belong to it, the columns left out of it, and the
columns added to it after its first records were signed. What a transaction wrote
(store/changes.py), each record's digest (store/digests.py), how each table is held
(store/integrity.py) and `ledger verify` (services/ledger_checks.py) all read it here;
tests/store/test_records.py fails when a kind is declared here and not used, or used and
not declared.

A key is a value: a string or a number, or for the kinds keyed by several things a small
tuple (an assessment: incident and agreement). `text` spells a key as the ledger stores
it, its parts joined by "/", and `Kind.parse` reads it back: the spelling the ledger has
always used, so the keys of existing ledgers and exports are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, Select, Table, select

from ceasefire.store.tables import (
    AccountRow,
    ActorAliasRow,
    ActorRow,
    AgreementActorRow,
    AgreementGuarantorRow,
    AgreementRow,
    AmendmentProposalRow,
    AmendmentRow,
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

# -- keys -------------------------------------------------------------------------------------


class Pair(NamedTuple):
    """Two reports (their ids), the one with the smaller row id first."""

    first: str
    second: str

    @classmethod
    def parse(cls, text: str) -> Pair:
        first, second = text.split("/")
        return cls(first, second)


class AssessmentKey(NamedTuple):
    """An incident under one agreement (its code)."""

    incident: str
    agreement: str

    @classmethod
    def parse(cls, text: str) -> AssessmentKey:
        incident, agreement = text.split("/")
        return cls(incident, agreement)


class VerdictKey(NamedTuple):
    """A verdict: the assessment's version it made."""

    incident: str
    agreement: str
    version: int

    @classmethod
    def parse(cls, text: str) -> VerdictKey:
        incident, agreement, version = text.split("/")
        return cls(incident, agreement, int(version))


Key = str | int | Pair | AssessmentKey | VerdictKey


def text(key: Key) -> str:
    """A key as the ledger stores it: its parts joined by "/"."""
    if isinstance(key, tuple):
        return "/".join(str(part) for part in key)
    return str(key)


# -- kinds ------------------------------------------------------------------------------------


class Added(NamedTuple):
    """A column added to a record's table after records of its kind were signed: a new
    version of the kind's digest, which only records that set it are digested under
    (docs/decisions.md)."""

    column: str
    before: Any  # what every row written before it holds: the migration's default
    revision: str  # the migration that added it


@dataclass(frozen=True)
class Part:
    """Rows of another table that belong to a record and are in its digest: every column
    but their own row id and the record's (`parent`); a column naming another table's row
    (`named`) is digested as that row's code, under the column's name without `_id`."""

    table: Table
    parent: str
    named: tuple[tuple[str, Any], ...] = ()  # (column, the code column it names)
    added: tuple[Added, ...] = ()


@dataclass(frozen=True)
class Kind:
    """One kind of record. Its digest (store/digests.py) is of its row, every column but
    the surrogate id and `left_out`, and of its parts; a column in `added` counts only
    when it holds another value than rows written before it existed."""

    name: str
    table: Table
    # The key: str or int (one column, `keyed_by` names it), or a key tuple whose parts
    # `keyed_by` selects, joining what it needs; the first part narrows a look-up by key.
    key: type
    keyed_by: str | Callable[[Table], Select[Any]]
    parts: tuple[Part, ...] = ()
    left_out: tuple[str, ...] = ()  # not in the record: secrets, access, row ids its key names
    added: tuple[Added, ...] = ()
    # Its records are the rows where this holds (None: every row); the rest of the table
    # is held otherwise (store/integrity.py).
    where: Callable[[Table], ColumnElement[bool]] | None = None

    def parse(self, key_text: str) -> Key:
        """The key `text` spelt (as the ledger stores it)."""
        if self.key is str:
            return key_text
        if self.key is int:
            return int(key_text)
        return cast(Key, self.key.parse(key_text))  # type: ignore[attr-defined]

    def source(self) -> Select[Any]:
        """SELECT the key's parts FROM the table (and what the key joins)."""
        t = self.table
        query = (select(t.c[self.keyed_by]) if isinstance(self.keyed_by, str)
                 else self.keyed_by(t))
        return query if self.where is None else query.where(self.where(t))


def _t(row: type) -> Table:
    return cast(Table, row.__table__)  # type: ignore[attr-defined]


_AGREEMENTS, _ASSESSMENTS, _REPORTS = _t(AgreementRow), _t(AssessmentRow), _t(ReportRow)


def _by_agreement(t: Table) -> Select[Any]:
    a = _AGREEMENTS
    return select(t.c.incident_uid, a.c.code).join_from(t, a, a.c.id == t.c.agreement_id)


def _by_assessment(t: Table) -> Select[Any]:
    s, a = _ASSESSMENTS, _AGREEMENTS
    return (select(s.c.incident_uid, a.c.code, t.c.version)
            .join_from(t, s, s.c.id == t.c.assessment_id).join(a, a.c.id == s.c.agreement_id))


def _by_reports(t: Table) -> Select[Any]:
    first, second = _REPORTS.alias(), _REPORTS.alias()
    return (select(first.c.uid, second.c.uid).join_from(t, first, first.c.id == t.c.report_a)
            .join(second, second.c.id == t.c.report_b))


_PAIRED = ("report_a", "report_b")  # row ids: the key names the reports

KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("party", _t(PartyRow), str, "code"),
    Kind("actor", _t(ActorRow), str, "code",
         parts=(Part(_t(ActorAliasRow), "actor_id"),),
         added=(Added("merged_into", None, "0013"),)),
    Kind("agreement", _AGREEMENTS, str, "code", parts=(
        Part(_t(AgreementGuarantorRow), "agreement_id",
             named=(("party_id", _t(PartyRow).c.code),)),
        Part(_t(AgreementActorRow), "agreement_id", named=(("actor_id", _t(ActorRow).c.code),)),
        Part(_t(ZoneRow), "agreement_id")), added=(Added("amended_by", "secretariat", "0014"),)),
    # A change to an agreement's terms, signed by who made it.
    Kind("amendment", _t(AmendmentRow), int, "id"),
    # An amendment waiting for the guarantors' consent, with who consented or objected.
    Kind("proposal", _t(AmendmentProposalRow), int, "id"),
    Kind("account", _t(AccountRow), str, "username", left_out=("password_hash",)),  # access
    Kind("token", _t(ApiTokenRow), int, "id"),
    Kind("import", _t(ImportRow), int, "id"),
    Kind("report", _REPORTS, str, "uid", parts=(Part(_t(ReportActorRow), "report_id"),),
         added=(Added("injured", None, "0011"),)),
    # A name learnt from an import: it places later reports.
    Kind("place", _t(PlaceNameRow), int, "id"),
    Kind("incident", _t(IncidentRow), str, "uid", parts=(
        Part(_t(IncidentReportRow), "incident_id", named=(("report_id", _REPORTS.c.uid),)),)),
    Kind("decision", _t(CorrelationDecisionRow), int, "id"),
    # Pairs of reports an analyst kept apart, or joined (a forced link; the engine's
    # scored links are derived).
    Kind("apart", _t(ReportApartRow), Pair, _by_reports, left_out=_PAIRED),
    Kind("joined", _t(ReportLinkRow), Pair, _by_reports, left_out=_PAIRED,
         where=lambda t: t.c.forced.is_(True)),
    Kind("assessment", _ASSESSMENTS, AssessmentKey, _by_agreement,
         left_out=("agreement_id",), added=(Added("terms_version", 0, "0013"),)),
    Kind("verdict", _t(VerdictRow), VerdictKey, _by_assessment, left_out=("assessment_id",)),
    # A published bulletin, its document included: a changed word or number is named.
    Kind("bulletin", _t(BulletinRow), int, "id"),
    # A signing key as registered, replaced or revoked; its sealed private key is a
    # secret, not part of the record.
    Kind("key", _t(LedgerKeyRow), str, "key_id", left_out=("sealed",)),
)}
