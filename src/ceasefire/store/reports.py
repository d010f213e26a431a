"""Reports: written in bulk on the driver's fastest path, read back as domain objects.

Bulk writes skip the ORM: per-object inserts run at a few percent of what the driver can
do. SQLite gets one ``executemany`` per batch, PostgreSQL a binary ``COPY``; both inside
the caller's transaction, so a batch is never half-written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from ceasefire.domain.casualties import Casualties
from ceasefire.domain.place import AdminCodes, Place, Point, WherePrecision
from ceasefire.domain.report import Evidence, Report, Source
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.when import TimePrecision, When
from ceasefire.geo.admin import syria
from ceasefire.store import changes, dialects
from ceasefire.store.digests import Written
from ceasefire.store.reference import Reference, reference
from ceasefire.store.rows import before, required, when_and_where
from ceasefire.store.tables import (
    ActorRow,
    IncidentReportRow,
    PartyRow,
    ReportActorRow,
    ReportRow,
)

PERPETRATOR, TARGET = "perpetrator", "target"

# Column order of the bulk path; the order of values in `_row` below.
COLUMNS = (
    "id", "uid", "source_key", "content_sha256", "party_id", "account_id", "import_id",
    "received_at", "earliest", "latest", "time_precision", "lon", "lat", "where_precision",
    "place_name", "adm1", "adm2", "adm3", "violation", "perpetrator_text", "target_text",
    "civilians_targeted", "killed_low", "killed_best", "killed_high", "killed_civilian",
    "killed_combatant", "killed_unknown", "injured", "narrative", "source_name",
    "source_reference", "source_published", "evidence",
)
ACTOR_COLUMNS = ("report_id", "role", "position", "actor_id")
_LON, _LAT, _EVIDENCE = (COLUMNS.index(c) for c in ("lon", "lat", "evidence"))
# PostgreSQL types of COLUMNS, for binary COPY.
_PG_TYPES = (
    "int4", "varchar", "varchar", "varchar", "int4", "int4", "int4", "timestamptz",
    "timestamptz", "timestamptz", "varchar", "float8", "float8", "int2", "varchar",
    "varchar", "varchar", "varchar", "varchar", "varchar", "varchar", "bool", "int4", "int4",
    "int4", "int4", "int4", "int4", "int4", "text", "varchar", "text", "timestamptz", "json",
)
_PG_ACTOR_TYPES = ("int4", "varchar", "int2", "int4")


@dataclass(frozen=True, slots=True)
class StoredReport:
    """What the record already holds for a report id."""

    uid: str
    content_sha256: str
    source_key: str | None


@dataclass(frozen=True, slots=True)
class KeyClaim:
    """Another party's report that gives the same source key as a report of ours."""

    key: str
    report: str  # its id
    party: str  # the party that submitted it


class ReportWriter:
    """Writes reports in batches within one transaction of ``session``."""

    def __init__(self, session: Session, known: Reference | None = None) -> None:
        self.session = session
        connection = session.connection()
        self.dialect = dialects.of(connection)
        self._dbapi = connection.connection.driver_connection
        self._no_evidence = self.dialect.json([])
        self._planned = False
        known = known or reference(session)
        self.party_ids = known.party_ids
        self.actor_ids = known.actor_ids
        written = Written("report", COLUMNS, [ACTOR_COLUMNS])
        self._digest = written if written.complete else None

    def _select(self, columns: str, column: str, values: Sequence[str], *,
                party: str | None = None, others: bool = False) -> list[tuple[Any, ...]]:
        """``columns`` of the reports whose ``column`` is one of ``values``; with ``party``,
        of that party's reports only (``others``: of every other party's). One statement
        with the whole list as one parameter (a JSON array on SQLite, an array on
        PostgreSQL): no SQL to build per batch, and no limit on its size."""
        if not self._planned:
            self.dialect.before_lookups(self.session)
            self._planned = True
        matching, values_param = self.dialect.matching(column, values)
        params: list[Any] = [values_param]
        query = f"SELECT {columns} FROM reports WHERE {matching}"
        if party is not None:
            query += f" AND party_id {'<>' if others else '='} {self.dialect.mark}"
            params.append(self.party_ids.get(party, 0))
        return self.dialect.fetch(self._dbapi, query, params)

    def stored(self, uids: Sequence[str]) -> dict[str, StoredReport]:
        """The reports already stored under any of these ids, by id."""
        columns = "uid, content_sha256, source_key"
        return {uid: StoredReport(uid, digest, key)
                for uid, digest, key in self._select(columns, "uid", uids)} if uids else {}

    def keyed(self, keys: Sequence[str], *, party: str) -> dict[str, StoredReport]:
        """``party``'s reports already stored under any of these source keys, by key (a
        key is its party's own: another party's report with it is another report)."""
        if not keys:
            return {}
        return {key: StoredReport(uid, digest, key) for uid, digest, key in self._select(
            "uid, content_sha256, source_key", "source_key", keys, party=party)}

    def claims(self, keys: Sequence[str], *, party: str) -> dict[str, list[KeyClaim]]:
        """Other parties' reports that give any of these source keys, by key: never the
        same record (a key is its party's own), but worth naming beside ours."""
        if not keys:
            return {}
        codes = {v: k for k, v in self.party_ids.items()}
        found: dict[str, list[KeyClaim]] = {}
        for key, uid, party_id in sorted(self._select(
                "source_key, uid, party_id", "source_key", keys, party=party, others=True)):
            found.setdefault(key, []).append(KeyClaim(key, uid, codes[party_id]))
        return found


    def write(self, reports: Sequence[Report], digests: Sequence[str], *,
              account_id: int | None = None, import_id: int | None = None) -> list[int]:
        """Insert ``reports`` (none of them stored yet); returns their row ids."""
        if not reports:
            return []
        # Row ids are chosen here so the actor links can name them without a round trip.
        ids = self.dialect.next_ids(self.session, "reports", len(reports))
        rows = []
        actor_rows = []
        links = []
        t = self.dialect.time
        for row_id, report, digest in zip(ids, reports, digests, strict=True):
            rows.append(self._row(row_id, report, digest, account_id, import_id, t))
            mine = [(row_id, *link) for link in self._links(report)]
            links.append(mine)
            actor_rows += mine
        self._insert("reports", COLUMNS, _PG_TYPES, rows)
        self._insert("report_actors", ACTOR_COLUMNS, _PG_ACTOR_TYPES, actor_rows)
        changes.touch(self.session, "report", (r.id for r in reports),
                      map(self._written, rows, links) if self._digest else None)
        return ids

    def write_one(self, report: Report, digest: str, *, account_id: int | None = None) -> int:
        """Insert one report, letting the database choose its row id (one round trip less
        than ``write``, for the API's single submissions)."""
        changes.touch(self.session, "report", [report.id])  # noted before a failed write
        row = self._row(None, report, digest, account_id, None, self.dialect.time)
        row_id = self.dialect.insert_returning_id(self._dbapi, "reports", COLUMNS[1:], row[1:])
        links = [(row_id, *link) for link in self._links(report)]
        if links:
            marks = ", ".join([self.dialect.mark] * len(ACTOR_COLUMNS))
            self.dialect.executemany(
                self._dbapi,
                f"INSERT INTO report_actors ({', '.join(ACTOR_COLUMNS)}) VALUES ({marks})",
                links)
        if self._digest:
            changes.touch(self.session, "report", [report.id], [self._written(row, links)])
        return row_id

    def _written(self, row: tuple[Any, ...], links: list[tuple[Any, ...]]) -> str:
        """The record's digest from the values just written, each as the driver gives it
        back: its REALs and its JSON are the values that come back differently."""
        values = list(row)
        values[_LON] = self.dialect.real_back(row[_LON])
        values[_LAT] = self.dialect.real_back(row[_LAT])
        values[_EVIDENCE] = self.dialect.json_back(row[_EVIDENCE])
        assert self._digest is not None  # only called when it is
        return self._digest(values, [links])

    def _links(self, report: Report) -> list[tuple[str, int, int]]:
        return [(role, position, self.actor_ids[code])
                for role, codes in ((PERPETRATOR, report.perpetrators), (TARGET, report.targets))
                for position, code in enumerate(codes)]

    def _row(self, row_id: int | None, r: Report, digest: str, account_id: int | None,
             import_id: int | None, t: Any) -> tuple[Any, ...]:
        place, point, admin, cas, src = r.place, r.place.point, r.place.admin, r.casualties, \
            r.source
        evidence = self.dialect.json([[e.description, e.sha256, e.uri] for e in r.evidence]) \
            if r.evidence else self._no_evidence
        return (
            row_id, r.id, src.key, digest, self.party_ids[r.submitted_by], account_id,
            import_id, t(r.received_at), t(r.when.earliest), t(r.when.latest),
            r.when.precision.value, point.lon if point else None,
            point.lat if point else None, int(place.precision), place.name, admin.adm1,
            admin.adm2, admin.adm3, r.violation.value, r.perpetrator_text, r.target_text,
            self.dialect.boolean(r.civilians_targeted), cas.low, cas.best,
            cas.high, cas.civilian, cas.combatant, cas.unknown, cas.injured, r.narrative,
            src.name,
            src.reference, t(src.published), evidence,
        )

    def _insert(self, table: str, columns: Sequence[str], pg_types: Sequence[str],
                rows: list[tuple[Any, ...]]) -> None:
        if rows:  # executemany on SQLite, binary COPY on PostgreSQL
            self.dialect.copy_in(self._dbapi, table, columns, pg_types, rows)


# -- reading --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """Which reports a list or export wants; None means any."""

    since: datetime | None = None  # the event may have happened at or after this instant
    until: datetime | None = None  # ... and before this one
    adm: str | None = None  # a P-code of any level
    violation: ViolationType | None = None
    actor: str | None = None  # actor code, as perpetrator or target
    party: str | None = None  # the reporting party
    # The incidents whose reports are wanted (a SELECT of incident ids, e.g. a Scope's of
    # one status: store/overview.py).
    incidents: Any = None

    def __post_init__(self) -> None:
        syria().require(self.adm)


def _filtered(query: Select[Any], f: ReportFilter) -> Select[Any]:
    conditions = when_and_where(ReportRow, f.since, f.until, f.adm)
    if f.violation is not None:
        conditions.append(ReportRow.violation == f.violation.value)
    if f.party is not None:
        conditions.append(ReportRow.party_id == select(PartyRow.id)
                          .where(PartyRow.code == f.party).scalar_subquery())
    if f.incidents is not None:
        conditions.append(ReportRow.id.in_(
            select(IncidentReportRow.report_id)
            .where(IncidentReportRow.incident_id.in_(f.incidents))))
    if f.actor is not None:
        conditions.append(ReportRow.id.in_(
            select(ReportActorRow.report_id).join(ActorRow).where(ActorRow.code == f.actor)))
    return query.where(and_(*conditions)) if conditions else query


def list_reports(session: Session, f: ReportFilter, *, limit: int,
                 after: tuple[datetime, str] | None = None) -> list[Report]:
    """Newest first by event time; ``after`` is the (earliest, id) of the last one seen."""
    query = _filtered(select(ReportRow), f)
    if after is not None:
        query = query.where(before(ReportRow, after))
    rows = session.scalars(query.order_by(ReportRow.earliest.desc(), ReportRow.uid.desc())
                           .limit(limit)).all()
    return _reports(session, rows)


def iter_reports(session: Session, f: ReportFilter = ReportFilter(), *,
                 chunk: int = 5000) -> Iterator[Report]:
    """Every matching report, oldest event first then by id: an order that depends only
    on the reports, so two databases holding the same record export the same file."""
    last: tuple[datetime, str] | None = None
    while True:
        query = _filtered(select(ReportRow), f)
        if last is not None:
            query = query.where(or_(ReportRow.earliest > last[0],
                                    and_(ReportRow.earliest == last[0], ReportRow.uid > last[1])))
        rows = session.scalars(query.order_by(ReportRow.earliest, ReportRow.uid)
                               .limit(chunk)).all()
        if not rows:
            return
        yield from _reports(session, rows)
        last = (rows[-1].earliest, rows[-1].uid)


def count_reports(session: Session, f: ReportFilter = ReportFilter()) -> int:
    return session.scalar(_filtered(select(func.count()).select_from(ReportRow), f)) or 0


def get_report(session: Session, *, uid: str) -> Report:
    row = required(session.scalar(select(ReportRow).where(ReportRow.uid == uid)),
                   f"no report with id {uid!r}", field="id", key=uid)
    return _reports(session, [row])[0]


def report_by_row_id(session: Session, row_id: int) -> Report:
    return _reports(session, [session.get_one(ReportRow, row_id)])[0]


def _reports(session: Session, rows: Sequence[ReportRow]) -> list[Report]:
    if not rows:
        return []
    parties = dict(session.execute(select(PartyRow.id, PartyRow.code)).all())
    actors: dict[tuple[int, str], list[str]] = {}
    links = session.execute(
        select(ReportActorRow.report_id, ReportActorRow.role, ActorRow.code)
        .join(ActorRow).where(ReportActorRow.report_id.in_([r.id for r in rows]))
        .order_by(ReportActorRow.report_id, ReportActorRow.role, ReportActorRow.position))
    for report_id, role, code in links:
        actors.setdefault((report_id, role), []).append(code)
    return [_report(r, parties[r.party_id], actors) for r in rows]


def _report(row: ReportRow, party: str, actors: dict[tuple[int, str], list[str]]) -> Report:
    point = Point(row.lon, row.lat) if row.lon is not None and row.lat is not None else None
    return Report(
        id=row.uid, submitted_by=party, received_at=row.received_at,
        when=When(row.earliest, row.latest, TimePrecision(row.time_precision)),
        place=Place(point, WherePrecision(row.where_precision),
                    AdminCodes(row.adm1, row.adm2, row.adm3), row.place_name),
        violation=ViolationType(row.violation),
        source=Source(row.source_name, row.source_key, row.source_reference,
                      row.source_published),
        perpetrators=tuple(actors.get((row.id, PERPETRATOR), ())),
        perpetrator_text=row.perpetrator_text,
        targets=tuple(actors.get((row.id, TARGET), ())), target_text=row.target_text,
        civilians_targeted=row.civilians_targeted,
        casualties=Casualties(row.killed_low, row.killed_best, row.killed_high,
                              row.killed_civilian, row.killed_combatant, row.killed_unknown,
                              row.injured),
        narrative=row.narrative,
        evidence=tuple(Evidence(*e) for e in row.evidence),
    )

