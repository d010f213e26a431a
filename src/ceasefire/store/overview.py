"""The incidents the pages show, under one agreement, with their status now: the list,
the counts of the dashboard and what the map draws are all queries over one `Scope`, on
one table (`incident_overview`: an incident's summary, its assessment's status columns,
its reporting parties, its deaths and whom the guarantors attribute it to, one row per
incident and agreement), so none of them joins. The list pages by a key in one of
`ORDERS`.
`refresh` keeps that table, and its counts by day (overview_days.py) and by map cell
(overview_cells.py), equal to the record: after each ledger entry, `follow` calls it
for the incidents whose records the entry wrote (a hook store/integrity.py declares).

An incident's stored status is as of its last change; a pending one whose response
deadline has passed takes, at read time, the status the agreement's silence rule gives
it. `Scope.status` is that rule as one SQL expression, so lists and counts filter and
group by the status now without computing standings one incident at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any, NamedTuple, cast

from sqlalchemy import Select, Table, and_, case, delete, func, insert, literal, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import ColumnElement

from ceasefire.store import overview_cells, overview_days
from ceasefire.store.incidents import Summary
from ceasefire.store.sqlfunc import PARTY_BITS, party_bit, utc_day
from ceasefire.store.tables import (
    ActorRow,
    AgreementGuarantorRow,
    AssessmentRow,
    IncidentReportRow,
    IncidentRow,
    OverviewRow,
    PartyRow,
    ReportRow,
    VerdictRow,
)

# -- keeping the overview equal to the record -------------------------------------------------

_COLUMNS = ["agreement_id", "earliest", "uid", "incident_id", "latest", "adm1", "adm2", "adm3",
            "lon", "lat", "violation", "report_count", "assessment_id", "covered", "status",
            "opened_at", "version", "parties", "killed", "attributed_id", "attributed_actors"]


def _killed(incident_id: Any) -> Any:
    """The highest best estimate of deaths any of the incident's reports gives (as
    bulletins and exports count it)."""
    return (select(func.coalesce(func.max(ReportRow.killed_best), 0))
            .select_from(IncidentReportRow)
            .join(ReportRow, ReportRow.id == IncidentReportRow.report_id)
            .where(IncidentReportRow.incident_id == incident_id).scalar_subquery())


def _attributed(assessment_id: Any, agreement_id: Any) -> tuple[Any, Any]:
    """The actor the guarantors' latest confirming verdicts name, when they name one, and
    how many different actors they name (domain.bulletin.attribution reads the same)."""
    v, later = VerdictRow, aliased(VerdictRow)

    def named(column: Any) -> Any:
        return (select(column)
                .join(AgreementGuarantorRow, and_(
                    AgreementGuarantorRow.party_id == v.party_id,
                    AgreementGuarantorRow.agreement_id == agreement_id))
                .where(v.assessment_id == assessment_id, v.position == "confirm",
                       v.attributed_to_id.is_not(None),
                       ~select(later.id).where(later.assessment_id == v.assessment_id,
                                               later.party_id == v.party_id,
                                               later.version > v.version).exists())
                .scalar_subquery())

    actors = named(func.count(v.attributed_to_id.distinct()))
    return case((actors == 1, named(func.min(v.attributed_to_id))), else_=None), actors


def _source() -> Select[*tuple[Any, ...]]:
    i, a = IncidentRow, AssessmentRow
    parties = (select(func.coalesce(func.sum(party_bit(ReportRow.party_id).distinct()), 0))
               .select_from(IncidentReportRow)
               .join(ReportRow, ReportRow.id == IncidentReportRow.report_id)
               .where(IncidentReportRow.incident_id == i.id,
                      ReportRow.party_id < PARTY_BITS)
               .scalar_subquery())
    attributed, actors = _attributed(a.id, a.agreement_id)
    # An incident merged away keeps its assessment as history; the join drops it.
    return (select(a.agreement_id, i.earliest, i.uid, i.id, i.latest, i.adm1, i.adm2, i.adm3,
                   i.lon, i.lat, i.violation, i.report_count, a.id, a.covered, a.status,
                   a.opened_at, a.version, parties, _killed(i.id), attributed, actors)
            .select_from(i).join(a, a.incident_uid == i.uid))


def refresh(session: Session, uids: Sequence[str]) -> None:
    """Make the overview's rows of these incidents what the record now says (none for an
    incident that no longer stands)."""
    uids = sorted(set(uids))
    for at in range(0, len(uids), 1000):
        chunk = uids[at:at + 1000]
        overview_days.leave(session, chunk)
        overview_cells.leave(session, chunk)
        session.execute(_delete(), {"uids": chunk})
        session.execute(_insert(), {"uids": chunk})
        overview_days.enter(session, chunk)
        overview_cells.enter(session, chunk)


@cache  # built once (overview_days.UIDS says why)
def _delete() -> Any:
    # On the table, not the mapped class: given parameters, an ORM statement would be
    # taken as a bulk write of them.
    return delete(cast(Table, OverviewRow.__table__)).where(OverviewRow.uid.in_(overview_days.UIDS))


@cache
def _insert() -> Any:
    return insert(cast(Table, OverviewRow.__table__)).from_select(
        _COLUMNS, _source().where(IncidentRow.uid.in_(overview_days.UIDS)))


# The records the overview follows: an incident, and its assessments and verdicts.
FOLLOWS = ("incident", "assessment", "verdict")


def follow(session: Session, written: Sequence[tuple[str, Any]]) -> None:
    """After a ledger entry wrote these records (kind, key: an incident's id, or an
    assessment's or verdict's key, which names its incident), refresh their incidents."""
    refresh(session, [key if kind == "incident" else key.incident for kind, key in written])


def rebuild(session: Session) -> int:
    """The whole overview again, from the record; returns its rows."""
    session.execute(delete(OverviewRow))
    session.execute(insert(OverviewRow).from_select(_COLUMNS, _source()))
    overview_days.rebuild(session)
    overview_cells.rebuild(session)
    return session.scalar(select(func.count()).select_from(OverviewRow)) or 0


def differences(session: Session, *, limit: int = 5) -> list[str]:
    """How the overview differs from what the record gives it, a few rows at most (none:
    equal): for `ledger verify`, since the pages and public counts read it."""
    o = OverviewRow
    return _differences(session, select(*(getattr(o, c) for c in _COLUMNS)), _source(),
                        limit)


def differences_of(session: Session, uids: Sequence[str], *, limit: int = 5) -> list[str]:
    """The same, for these incidents only."""
    o, found = OverviewRow, []
    for at in range(0, len(uids), 1000):
        chunk = list(uids[at:at + 1000])
        found += _differences(session, select(*(getattr(o, c) for c in _COLUMNS))
                              .where(o.uid.in_(chunk)),
                              _source().where(IncidentRow.uid.in_(chunk)), limit)
        if len(found) >= limit:
            break
    return found[:limit]


def _differences(session: Session, stored: Select[Any], wanted: Select[Any],
                 limit: int) -> list[str]:
    found = []
    for rows_of, other, what in ((stored, wanted, "is not what the record gives"),
                                 (wanted, stored, "is missing")):
        for row in session.execute(rows_of.except_(other).limit(limit)):
            agreement_id, uid = row[0], row[2]
            found.append(f"incident_overview: the row of incident {uid} under agreement "
                         f"{agreement_id} {what}{_diff(session, agreement_id, uid)}")
    return found[:limit]


def _diff(session: Session, agreement_id: int, uid: str) -> str:
    o = OverviewRow
    held = session.execute(select(*(getattr(o, c) for c in _COLUMNS))
                           .where(o.agreement_id == agreement_id, o.uid == uid)).first()
    given = session.execute(_source().where(AssessmentRow.agreement_id == agreement_id,
                                            IncidentRow.uid == uid)).first()
    if held is None or given is None:
        return " (no such incident in the record)" if given is None else ""
    changed = [f"{c} {h!r} where the record says {g!r}"
               for c, h, g in zip(_COLUMNS, held, given, strict=True) if h != g]
    return f" ({'; '.join(changed)})" if changed else ""


def rows(session: Session) -> list[tuple[Any, ...]]:
    """Every row, in key order: to hold the overview to a rebuild."""
    o = OverviewRow
    return [tuple(r) for r in session.execute(
        select(*(getattr(o, c) for c in _COLUMNS)).order_by(o.agreement_id, o.earliest, o.uid))]


# -- reading it -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Lapsed:
    """How the agreement's deadline turns pending incidents: `silent` for those no
    guarantor has answered, and by assessment id for those some have."""

    cutoff: datetime  # opened at or before this, the deadline has passed
    silent: str
    answered: Mapping[int, str] = field(default_factory=dict)
    deadline: timedelta | None = None  # the agreement's response deadline


def status_now(lapsed: Lapsed, *, assessment_id: Any, status: Any, covered: Any,
               opened_at: Any, version: Any) -> ColumnElement[str]:
    """An assessment's status now, as one SQL expression over its stored columns (of the
    overview, or of the assessments themselves): the stored status, unless the deadline
    has passed on a pending one."""
    by_status: dict[str, list[int]] = {}
    for answered_id, answered in lapsed.answered.items():
        by_status.setdefault(answered, []).append(answered_id)
    whens: list[tuple[Any, Any]] = [(assessment_id.in_(ids), literal(st))
                                    for st, ids in sorted(by_status.items())]
    whens.append((and_(status == "pending", covered, opened_at <= lapsed.cutoff,
                       version == 0), literal(lapsed.silent)))
    return case(*whens, else_=status)


@dataclass(frozen=True)
class Scope:
    """Incidents under one agreement: those whose earliest moment is in [since, until),
    in an admin area, of a violation type, reported by a party, in some statuses, in any
    of some admin areas (`areas`) and with a report whose place name or narrative holds
    every one of some words (`words`, in lower case)."""

    agreement_id: int
    lapsed: Lapsed
    since: datetime | None = None
    until: datetime | None = None
    adm: str | None = None
    violation: str | None = None
    party_id: int | None = None
    statuses: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    # Read only the overview's rows that equal the signed records they mirror: what the
    # public reads must not rest on a derived row alone (docs/ledger.md).
    checked: bool = False

    @property
    def status(self) -> ColumnElement[str]:
        o = OverviewRow
        return status_now(self.lapsed, assessment_id=o.assessment_id, status=o.status,
                          covered=o.covered, opened_at=o.opened_at, version=o.version)

    def _status_is(self) -> ColumnElement[bool]:
        """The status filter, spelt on the stored columns so an index on status serves it."""
        a, lapsed = OverviewRow, self.lapsed
        wanted = set(self.statuses)
        overdue = and_(a.status == "pending", a.covered, a.opened_at <= lapsed.cutoff)
        answered = [i for i, s in lapsed.answered.items() if s in wanted]
        terms = [and_(a.status.in_(sorted(wanted)),
                      ~overdue if "pending" in wanted else literal(True))]
        if lapsed.silent in wanted:
            terms.append(and_(overdue, a.version == 0))
        if answered:
            terms.append(a.assessment_id.in_(sorted(answered)))
        return or_(*terms)

    def conditions(self) -> list[ColumnElement[bool]]:
        i = OverviewRow
        found: list[ColumnElement[bool]] = [i.agreement_id == self.agreement_id]
        if self.since is not None:
            found.append(i.earliest >= self.since)
        if self.until is not None:
            found.append(i.earliest < self.until)
        if self.adm is not None:
            found.append({4: i.adm1, 6: i.adm2, 8: i.adm3}[len(self.adm)] == self.adm)
        if self.violation is not None:
            found.append(i.violation == self.violation)
        if self.party_id is not None and self.party_id < PARTY_BITS:
            found.append(i.parties.op("&")(1 << self.party_id) != 0)
        elif self.party_id is not None:
            found.append(select(IncidentReportRow.report_id)
                         .join(ReportRow, ReportRow.id == IncidentReportRow.report_id)
                         .where(IncidentReportRow.incident_id == i.incident_id,
                                ReportRow.party_id == self.party_id).exists())
        if self.statuses:
            found.append(self._status_is())
        if self.areas:
            found.append(or_(*(column.in_([a for a in self.areas if len(a) == size])
                               for size, column in ((4, i.adm1), (6, i.adm2), (8, i.adm3)))))
        if self.words:
            found.append(_reports_hold(i.incident_id, self.words))
        return found

    row = OverviewRow  # the table to name columns of: scope.row.adm1, scope.row.lon…

    def select(self, *columns: Any) -> Select[Any]:
        """SELECT columns FROM the scope's incidents (the overview's rows)."""
        query = select(*columns).select_from(OverviewRow)
        if self.checked:
            o, i, a = OverviewRow, IncidentRow, AssessmentRow
            query = query.join(i, and_(
                i.id == o.incident_id, i.uid == o.uid, i.earliest == o.earliest,
                i.latest == o.latest, i.violation == o.violation,
                i.report_count == o.report_count,
                *(getattr(i, c).is_not_distinct_from(getattr(o, c))
                  for c in ("adm1", "adm2", "adm3", "lon", "lat")))).join(a, and_(
                    a.id == o.assessment_id, a.incident_uid == o.uid,
                    a.agreement_id == o.agreement_id, a.covered == o.covered,
                    a.status == o.status, a.version == o.version,
                    a.opened_at.is_not_distinct_from(o.opened_at)))
            # What the public list shows of the reports and verdicts, too.
            attributed, actors = _attributed(a.id, a.agreement_id)
            query = query.where(o.killed == _killed(i.id),
                                o.attributed_id.is_not_distinct_from(attributed),
                                o.attributed_actors == actors)
        return query.where(*self.conditions())


def _reports_hold(incident_id: Any, words: Sequence[str]) -> ColumnElement[bool]:
    """Whether one of the incident's reports has every word in its place name or its
    narrative, in any case (lower(): SQLite folds only ASCII letters; Arabic has none)."""
    r = ReportRow
    return (select(IncidentReportRow.report_id)
            .join(r, r.id == IncidentReportRow.report_id)
            .where(IncidentReportRow.incident_id == incident_id,
                   *(or_(func.lower(func.coalesce(r.place_name, "")).contains(w, autoescape=True),
                         func.lower(r.narrative).contains(w, autoescape=True))
                     for w in words))
            .exists())


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
    by_party: dict[str, int]  # incidents each party reported among them


def tallies(session: Session, scope: Scope, parties: Mapping[str, int]) -> list[DayCount]:
    """Incidents by day, governorate and status, and among them by reporting party
    (party code -> id): one pass over the scope. Parties past PARTY_BITS are counted by
    `by_party` instead."""
    o, day, status = OverviewRow, utc_day(OverviewRow.earliest), scope.status
    bits = {code: pid for code, pid in sorted(parties.items()) if pid < PARTY_BITS}
    sums = [func.sum(case((o.parties.op("&")(1 << pid) != 0, 1), else_=0))
            for pid in bits.values()]
    query = (scope.select(day, o.adm1, status, func.count(), *sums)
             .group_by(day, o.adm1, status))
    return [DayCount(d, adm1, st, n, {code: int(k) for code, k in zip(bits, rest, strict=True)
                                      if k})
            for d, adm1, st, n, *rest in session.execute(query)]


def overdue_answered(session: Session, scope: Scope) -> list[tuple[date, str | None, int, int]]:
    """(day, governorate, parties, assessment id) of the scope's overdue incidents that
    some guarantor answered: the counts by day leave their status to be worked out."""
    o, ids = OverviewRow, sorted(scope.lapsed.answered)
    if not ids:
        return []
    return [tuple(r) for r in session.execute(
        scope.select(utc_day(o.earliest), o.adm1, o.parties, o.assessment_id)
        .where(o.assessment_id.in_(ids)))]


def by_party(session: Session, scope: Scope, party_ids: Sequence[int]) -> list[Count]:
    """Incidents by each of these parties whose reports they hold, by a join."""
    o, status = OverviewRow, scope.status
    query = (scope.select(PartyRow.code, status, func.count(func.distinct(o.uid)))
             .join(IncidentReportRow, IncidentReportRow.incident_id == o.incident_id)
             .join(ReportRow, ReportRow.id == IncidentReportRow.report_id)
             .join(PartyRow, PartyRow.id == ReportRow.party_id)
             .where(PartyRow.id.in_(list(party_ids)))
             .group_by(PartyRow.code, status))
    return [Count(key, st, n) for key, st, n in session.execute(query)]


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
    killed: int = 0
    attributed: str | None = None  # the actor's code, when the guarantors name one
    attributed_actors: int = 0  # how many different actors they name
    deadline: datetime | None = None  # pending ones: when the deadline passes
    key: tuple[Any, ...] = ()  # its place in the page's order, for a cursor


# The list's orders, and the key each gives a row (what a cursor carries): newest event
# first; the most deaths first; the nearest deadline first, then those without one
# (decided, or not covered), newest event first.
ORDERS: dict[str, tuple[type, ...]] = {
    "newest": (datetime, str), "deaths": (int, datetime, str),
    "deadline": (int, datetime, datetime, str)}
_PENDING, _DECIDED = 0, 1  # the two parts of the order by deadline
_NO_DEADLINE = datetime(1970, 1, 1, tzinfo=UTC)  # in the key of a row of the second part


def _beyond(keys: Sequence[tuple[Any, bool]], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows after `values` in the order of `keys` (column, descending): keyset paging."""
    terms = []
    for n, (column, descending) in enumerate(keys):
        past = column < values[n] if descending else column > values[n]
        terms.append(and_(*(k == v for (k, _), v in zip(keys[:n], values, strict=False)),
                          past))
    return or_(*terms)


def page(session: Session, scope: Scope, *, limit: int, order: str = "newest",
         after: tuple[Any, ...] | None = None) -> list[Listed]:
    """A page of the scope's incidents in `order` (one of ORDERS); ``after`` is the key
    of the last row seen (newest first: its (earliest, uid))."""
    o = OverviewRow
    newest = [(o.earliest, True), (o.uid, True)]
    if order == "deaths":
        return _page(session, scope, [(o.killed, True), *newest], limit, after)
    if order != "deadline":
        return _page(session, scope, newest, limit, after)
    # Pending now, spelt on the stored columns too, so the index on status and opened_at
    # finds them; the rest follow, newest first.
    pending = and_(o.status == "pending", o.opened_at.is_not(None),
                   o.opened_at > scope.lapsed.cutoff, scope.status == "pending")
    rows: list[Listed] = []
    if after is None or after[0] == _PENDING:
        rows = _page(session, scope, [(o.opened_at, False), (o.earliest, False),
                                      (o.uid, False)], limit, after[1:] if after else None,
                     where=pending, prefix=(_PENDING,))
        after = None
    if len(rows) < limit:
        rows += _page(session, scope, newest, limit - len(rows), after[2:] if after else None,
                      where=~pending, prefix=(_DECIDED, _NO_DEADLINE))
    return rows


def _page(session: Session, scope: Scope, keys: list[tuple[Any, bool]], limit: int,
          after: Sequence[Any] | None, *, where: Any = None, prefix: tuple[Any, ...] = (),
          ) -> list[Listed]:
    o = OverviewRow
    query = (scope.select(o.uid, o.earliest, o.latest, o.adm1, o.adm2, o.adm3, o.lon, o.lat,
                          o.violation, o.report_count, scope.status, o.killed, ActorRow.code,
                          o.attributed_actors, o.opened_at, *(k for k, _ in keys))
             .outerjoin(ActorRow, ActorRow.id == o.attributed_id))
    if where is not None:
        query = query.where(where)
    if after is not None:
        query = query.where(_beyond(keys, after))
    window = scope.lapsed.deadline
    found = []
    for row in session.execute(query.order_by(*(k.desc() if d else k for k, d in keys))
                               .limit(limit)):
        status, opened_at = row[10], row[14]
        deadline = opened_at + window if status == "pending" and opened_at and window \
            else None
        found.append(Listed._make([*row[:14], deadline, (*prefix, *row[15:])]))
    return found


def count(session: Session, scope: Scope) -> int:
    """How many incidents the scope holds."""
    return session.scalar(scope.select(func.count())) or 0


def incident_ids(scope: Scope) -> Select[Any]:
    """The scope's incidents as a subquery of their ids."""
    return scope.select(OverviewRow.incident_id)


def latest_start(session: Session) -> datetime | None:
    """The earliest moment of the newest incident: where the record's days end."""
    return session.scalar(select(func.max(IncidentRow.earliest)))


def incidents_by_uid(session: Session, uids: Sequence[str]) -> dict[str, Summary]:
    """The summaries (when, where, what) of these incidents, by id."""
    columns = [getattr(IncidentRow, f) for f in Summary._fields]
    return {row[0]: Summary(*row) for row in session.execute(
        select(*columns).where(IncidentRow.uid.in_(list(uids))))}


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
