"""Incidents, the links between reports, and analysts' split and merge decisions."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import (
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement

from ceasefire.correlate.columns import Facts
from ceasefire.geo.admin import syria
from ceasefire.store import changes, columnar, dialects
from ceasefire.store.records import Pair
from ceasefire.store.rows import before, required, when_and_where
from ceasefire.store.tables import (
    ActorRow,
    CorrelationDecisionRow,
    IncidentReportRow,
    IncidentRow,
    ReportActorRow,
    ReportApartRow,
    ReportLinkRow,
    ReportRow,
)

PERPETRATOR, TARGET = "perpetrator", "target"
_CHUNK = 5000  # ids per IN list: well under SQLite's limit on bound parameters


class ReportFacts(NamedTuple):
    """What correlation and incident summaries read of a stored report."""

    row_id: int
    uid: str
    lon: float | None
    lat: float | None
    where_precision: int
    adm1: str | None
    adm2: str | None
    adm3: str | None
    earliest: datetime
    latest: datetime
    time_precision: str
    violation: str
    civilians: bool
    killed: int
    source_name: str
    source_key: str | None
    narrative: str
    received_at: datetime
    party_id: int  # the party that submitted it: its source name and key are its own
    perpetrators: tuple[str, ...]
    targets: tuple[str, ...]


_FACT_COLUMNS = (ReportRow.id, ReportRow.uid, ReportRow.lon, ReportRow.lat,
                 ReportRow.where_precision, ReportRow.adm1, ReportRow.adm2, ReportRow.adm3,
                 ReportRow.earliest, ReportRow.latest, ReportRow.time_precision,
                 ReportRow.violation, ReportRow.civilians_targeted, ReportRow.killed_best,
                 ReportRow.source_name, ReportRow.source_key, ReportRow.narrative,
                 ReportRow.received_at, ReportRow.party_id)
# Built once, with the ids as an expanding parameter: a statement built per call costs more
# than its query on the live path (SQLAlchemy coerces each listed id).
_FACTS_OF = select(*_FACT_COLUMNS).where(ReportRow.id.in_(bindparam("ids", expanding=True)))
_ACTORS = (select(ReportActorRow.report_id, ReportActorRow.role, ActorRow.code)
           .join(ActorRow).order_by(ReportActorRow.report_id, ReportActorRow.role,
                                    ReportActorRow.position))
_ACTORS_OF = _ACTORS.where(ReportActorRow.report_id.in_(bindparam("ids", expanding=True)))


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def _with_actors(session: Session, rows: Sequence[Any], *, every: bool) -> list[ReportFacts]:
    actors: dict[tuple[int, str], list[str]] = {}
    batches = [(_ACTORS, {})] if every else [
        (_ACTORS_OF, {"ids": chunk}) for chunk in _chunks([r[0] for r in rows])]
    for query, ids in batches:
        for report_id, role, code in session.execute(query, ids):
            actors.setdefault((report_id, role), []).append(code)
    return [ReportFacts._make((*row, tuple(actors.get((row[0], PERPETRATOR), ())),
                               tuple(actors.get((row[0], TARGET), ())))) for row in rows]


def facts(session: Session, row_ids: Sequence[int]) -> list[ReportFacts]:
    rows = [row for chunk in _chunks(sorted(set(row_ids)))
            for row in session.execute(_FACTS_OF, {"ids": chunk})]
    return _with_actors(session, rows, every=False)


def facts_between(session: Session, start: datetime, end: datetime) -> list[ReportFacts]:
    """Reports whose span begins in [start, end]."""
    rows = session.execute(select(*_FACT_COLUMNS).where(
        ReportRow.earliest >= start, ReportRow.earliest <= end)).all()
    return _with_actors(session, rows, every=False)


class Window(NamedTuple):
    """Where stored reports that can meet a new one lie: their span begins in [start, end]
    and, for reports placed by a point or a town (precision at most ``fine``), the point
    lies in the box (west, south, east, north). Coarser reports are always included."""

    start: datetime
    end: datetime
    box: tuple[float, float, float, float]
    fine: int


def facts_within(session: Session, windows: Sequence[Window]) -> list[ReportFacts]:
    if not windows:
        return []
    conditions = [and_(ReportRow.earliest >= w.start, ReportRow.earliest <= w.end, or_(
        ReportRow.where_precision > w.fine, ReportRow.lon.is_(None),
        and_(ReportRow.lon.between(w.box[0], w.box[2]),
             ReportRow.lat.between(w.box[1], w.box[3])))) for w in windows]
    rows = session.execute(select(*_FACT_COLUMNS).where(or_(*conditions))).all()
    return _with_actors(session, rows, every=False)


def all_facts(session: Session) -> list[ReportFacts]:
    rows = session.execute(select(*_FACT_COLUMNS).order_by(ReportRow.id)).all()
    return _with_actors(session, rows, every=True)


class _utc_text(FunctionElement[str]):  # noqa: N801 - reads as the SQL function it is
    """A stored time as naive UTC text, 'YYYY-MM-DD HH:MM:SS.ffffff', on either backend:
    numpy reads a million of them in a few hundredths of a second."""

    type = String()
    inherit_cache = True


@compiles(_utc_text, "sqlite")
def _utc_text_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    # Stored so: SQLAlchemy's format for SQLite, which the bulk path writes too.
    return str(compiler.process(element.clauses, **kw))


@compiles(_utc_text, "postgresql")
def _utc_text_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    time = compiler.process(element.clauses, **kw)
    return f"to_char(({time}) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused: a million rows are a million new tuples, each of
    which would count towards a pass over every object the process holds (the area
    rasters, the gazetteer), several times over. Rows hold no cycles."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


# Each stored report as the batch run reads it: (column, its numpy type). Times are read
# as `_utc_text`; numpy parses them into microseconds as it builds the table.
_FACTS = (
    (ReportRow.id, "i8"), (ReportRow.uid, "O"), (ReportRow.lon, "f8"), (ReportRow.lat, "f8"),
    (ReportRow.where_precision, "i8"), (ReportRow.adm1, "O"), (ReportRow.adm2, "O"),
    (ReportRow.adm3, "O"), (_utc_text(ReportRow.earliest), "M8[us]"),
    (_utc_text(ReportRow.latest), "M8[us]"), (ReportRow.time_precision, "O"),
    (ReportRow.violation, "O"), (ReportRow.civilians_targeted, "?"),
    (ReportRow.killed_best, "i8"), (ReportRow.source_name, "O"), (ReportRow.source_key, "O"),
    (ReportRow.narrative, "O"), (_utc_text(ReportRow.received_at), "M8[us]"),
    (ReportRow.party_id, "i8"))
_NAMING_CHUNK = 1 << 22  # reports whose actors are read as one string (some 80 MB)


Reader = Literal["arrow", "rows"]


def fact_columns(session: Session, *, reader: Reader | None = None,
                 ) -> tuple[NDArray[np.int64], Facts]:
    """Every stored report's facts, a column each, in order of row id, and their row ids:
    what a batch run reads. Straight into Arrow arrays (store.columnar) where a connection
    of its own reads exactly what this session would, else through the session's driver
    (`reader` forces one way: the benchmark and the tests compare them)."""
    if (reader or ("arrow" if columnar.reads_as(session) else "rows")) == "arrow":
        return columnar.fact_columns(session)
    return _fact_rows(session)


def _fact_rows(session: Session) -> tuple[NDArray[np.int64], Facts]:
    """`fact_columns` through the session's own driver, which sees the transaction's
    uncommitted writes too. One query per table on the driver's own cursor; numpy turns
    its rows into a table of columns in one pass (NULL points into NaN, times into
    numbers), with no Python step per report but the driver's tuple per row."""
    connection = session.connection()
    dialect, dbapi = dialects.of(connection), connection.connection.driver_connection

    def table(columns: Sequence[tuple[Any, str]], order: Any) -> NDArray[np.void]:
        query = select(*(c for c, _ in columns)).order_by(order).compile(
            dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        with _collector_paused():
            rows = dialect.fetch(dbapi, str(query), [])
            found = np.array(rows, dtype=[(f"f{k}", t) for k, (_, t) in enumerate(columns)])
            del rows  # before the collector resumes, which would otherwise pass over them
        return found

    facts = table(_FACTS, ReportRow.id)

    def column(k: int) -> Any:
        values = np.ascontiguousarray(facts[f"f{k}"])
        return values.view(np.int64) if values.dtype.kind == "M" else values

    row_ids = column(0)
    (ids, lon, lat, precision, adm1, adm2, adm3, earliest, latest, time_precision, violation,
     civilians, killed, source_name, source_key, narrative, received, party) = (
        column(k) for k in range(1, len(_FACTS)))
    named_by, naming = _namings(session, row_ids)
    actors = {i: code for i, code in session.execute(select(ActorRow.id, ActorRow.code))}
    actor_ids = np.array(sorted(actors), np.int64)
    return row_ids, Facts(
        ids=ids, lon=lon, lat=lat, precision=precision, adm1=adm1, adm2=adm2, adm3=adm3,
        earliest=earliest, latest=latest, time_precision=time_precision, violation=violation,
        civilians=civilians, killed=killed, source_name=source_name, source_key=source_key,
        narrative=narrative, received=received, party=party,
        named_by=np.searchsorted(row_ids, named_by), named_target=naming % 2 == 1,
        named=np.searchsorted(actor_ids, naming // 2),
        actor_codes=tuple(actors[i] for i in actor_ids.tolist()))


def _namings(session: Session, row_ids: NDArray[np.int64],
             ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each naming of an actor by these reports: the report's row id, and the actor's id
    times 2, plus 1 for a target. Read as two strings of numbers per chunk of reports
    (numbers in the same order), which numpy parses: a third of the time of a row each."""
    link = ReportActorRow
    as_number = link.actor_id * 2 + case((link.role == TARGET, 1), else_=0)
    found: list[tuple[NDArray[np.int64], NDArray[np.int64]]] = []
    for low in range(int(row_ids.min(initial=0)), int(row_ids.max(initial=-1)) + 1,
                     _NAMING_CHUNK):
        by, what = session.execute(select(
            func.aggregate_strings(cast(link.report_id, String), ","),
            func.aggregate_strings(cast(as_number, String), ",")).where(
            link.report_id >= low, link.report_id < low + _NAMING_CHUNK)).one()
        found.append((np.fromstring(by or "", np.int64, sep=","),
                      np.fromstring(what or "", np.int64, sep=",")))
    return (np.concatenate([f[0] for f in found] or [np.zeros(0, np.int64)]),
            np.concatenate([f[1] for f in found] or [np.zeros(0, np.int64)]))


# --- links and decisions ----------------------------------------------------------------

class Link(NamedTuple):
    a: int  # report row ids, a < b
    b: int
    score: float | None
    forced: bool


_LINK_COLUMNS = (ReportLinkRow.report_a, ReportLinkRow.report_b, ReportLinkRow.score,
                 ReportLinkRow.forced)
_LINKS_OF = select(*_LINK_COLUMNS).where(or_(
    ReportLinkRow.report_a.in_(bindparam("ids", expanding=True)),
    ReportLinkRow.report_b.in_(bindparam("ids", expanding=True))))


def links_touching(session: Session, row_ids: Iterable[int]) -> list[Link]:
    found: list[Link] = []
    ids = sorted(set(row_ids))
    for chunk in _chunks(ids):
        found.extend(Link(*row) for row in session.execute(_LINKS_OF, {"ids": chunk}))
    return list(dict.fromkeys(found))


def component(session: Session, start: Iterable[int]) -> tuple[set[int], list[Link]]:
    """Every report linked to ``start``, directly or through others, and their links."""
    seen = set(start)
    frontier = set(seen)
    links: set[Link] = set()
    while frontier:
        found = links_touching(session, frontier)
        links.update(found)
        reached = {x for link in found for x in (link.a, link.b)}
        frontier = reached - seen
        seen |= reached
    return seen, sorted(links)


def add_links(session: Session, links: Sequence[Link]) -> None:
    if links:
        session.execute(insert(ReportLinkRow), [
            {"report_a": x.a, "report_b": x.b, "score": x.score, "forced": x.forced}
            for x in links])


def replace_scored_links(session: Session, a: NDArray[np.int64], b: NDArray[np.int64],
                         score: NDArray[np.float64]) -> None:
    """Batch runs: the engine's links (the k-th: row ids a[k] < b[k], and its score)
    replace all scored ones; forced links stay. Only what differs is written, on the
    driver's bulk path: a batch run over a record it already correlated writes nothing."""
    connection = session.connection()
    dialect, dbapi = dialects.of(connection), connection.connection.driver_connection
    link = ReportLinkRow
    query = select(link.report_a, link.report_b, link.score, link.forced).compile(
        dialect=connection.dialect)
    with _collector_paused():
        rows = dialect.fetch(dbapi, str(query), [])
        held = np.array(rows, dtype=[("a", "i8"), ("b", "i8"), ("score", "f8"), ("forced", "?")])
        del rows
    held_key = held["a"] << 32 | held["b"]  # row ids are 32-bit
    key = a << 32 | b
    kept = ~np.isin(key, held_key[held["forced"]])
    key, a, b, score = key[kept], a[kept], b[kept], score[kept]
    scored = ~held["forced"]
    old_key, old_score = held_key[scored], held["score"][scored]
    _, old, new = np.intersect1d(old_key, key, assume_unique=True, return_indices=True)
    same = old_score[old] == score[new]
    gone = np.setdiff1d(old_key, old_key[old[same]], assume_unique=True)
    fresh = np.ones(len(key), np.bool_)
    fresh[new[same]] = False
    if 2 * len(gone) > len(old_key):
        session.execute(delete(link).where(link.forced.is_(False)))
        fresh[:] = True
    else:
        pairs = list(zip((gone >> 32).tolist(), (gone & 0xFFFFFFFF).tolist(), strict=True))
        for start in range(0, len(pairs), _PAIRS):
            session.execute(delete(link).where(
                link.forced.is_(False),
                tuple_(link.report_a, link.report_b).in_(pairs[start:start + _PAIRS])))
    if fresh.any():
        no = dialect.boolean(False)
        dialect.copy_in(dbapi, link.__tablename__, ("report_a", "report_b", "score", "forced"),
                        ("int4", "int4", "float8", "bool"), list(zip(
                            a[fresh].tolist(), b[fresh].tolist(), score[fresh].tolist(),
                            [no] * int(fresh.sum()), strict=True)))


def scored_links(session: Session) -> dict[tuple[int, int], float | None]:
    """Every link the engine scored (not an analyst's), by pair of row ids."""
    return {(a, b): score for a, b, score in session.execute(
        select(ReportLinkRow.report_a, ReportLinkRow.report_b, ReportLinkRow.score)
        .where(ReportLinkRow.forced.is_(False)).execution_options(yield_per=50000))}


def forced_links(session: Session) -> list[Link]:
    return [Link(*row) for row in session.execute(
        select(*_LINK_COLUMNS).where(ReportLinkRow.forced.is_(True)))]


def apart_pairs(session: Session, row_ids: Iterable[int] | None = None) -> list[tuple[int, int]]:
    query = select(ReportApartRow.report_a, ReportApartRow.report_b)
    if row_ids is None:
        return [(a, b) for a, b in session.execute(query)]
    found: set[tuple[int, int]] = set()
    for chunk in _chunks(sorted(set(row_ids))):
        found.update((a, b) for a, b in session.execute(query.where(or_(
            ReportApartRow.report_a.in_(chunk), ReportApartRow.report_b.in_(chunk)))))
    return sorted(found)


@dataclass(frozen=True)
class DecisionRecord:
    kind: str
    incidents: list[str]
    reports: list[str]
    reason: str
    party_id: int
    account_id: int | None
    made_at: datetime


_PAIRS = 400  # (a, b) pairs per IN (...): 800 parameters, within every backend's limit


def record_decision(session: Session, decision: DecisionRecord, *,
                    together: Sequence[tuple[int, int]], apart: Sequence[tuple[int, int]],
                    cleared: Sequence[tuple[int, int]] = ()) -> int:
    """Store a split or merge and its effect: forced links for what it joins, apart pairs
    for what it separates. A later decision about the same pair replaces the earlier;
    ``cleared`` pairs lose what earlier decisions said of them (a forced link the engine
    had scored goes back to being a scored one). Every pair whose standing changes is a
    record the decision's entry writes ("apart", "joined")."""
    row = CorrelationDecisionRow(**decision.__dict__)
    session.add(row)
    session.flush()
    changes.touch(session, "decision", [row.id])
    pairs = sorted({(min(a, b), max(a, b)) for a, b in (*together, *apart, *cleared)})
    joined = sorted({(min(a, b), max(a, b)) for a, b in together})
    separated = sorted({(min(a, b), max(a, b)) for a, b in apart})
    linked: set[tuple[int, int]] = set()
    was_apart: set[tuple[int, int]] = set()
    was_joined: set[tuple[int, int]] = set()
    a_link = tuple_(ReportLinkRow.report_a, ReportLinkRow.report_b)
    a_pair = tuple_(ReportApartRow.report_a, ReportApartRow.report_b)
    # A merge of two large incidents names many pairs: a statement per chunk, not per pair.
    for start in range(0, len(pairs), _PAIRS):
        chunk = pairs[start:start + _PAIRS]
        was_apart.update((a, b) for a, b in session.execute(
            select(ReportApartRow.report_a, ReportApartRow.report_b).where(a_pair.in_(chunk))))
        was_joined.update((a, b) for a, b in session.execute(
            select(ReportLinkRow.report_a, ReportLinkRow.report_b)
            .where(a_link.in_(chunk), ReportLinkRow.forced.is_(True))))
        session.execute(delete(ReportApartRow).where(a_pair.in_(chunk)))
        session.execute(delete(ReportLinkRow).where(
            a_link.in_(chunk), ReportLinkRow.forced.is_(True), ReportLinkRow.score.is_(None)))
        session.execute(update(ReportLinkRow).where(a_link.in_(chunk))
                        .values(forced=False))
    for start in range(0, len(joined), _PAIRS):
        chunk = joined[start:start + _PAIRS]
        linked.update((a, b) for a, b in session.execute(
            select(ReportLinkRow.report_a, ReportLinkRow.report_b).where(a_link.in_(chunk))))
        session.execute(update(ReportLinkRow).where(a_link.in_(chunk)).values(forced=True))
    fresh = [p for p in joined if p not in linked]
    if fresh:
        session.execute(insert(ReportLinkRow), [
            {"report_a": a, "report_b": b, "score": None, "forced": True} for a, b in fresh])
    if separated:
        session.execute(insert(ReportApartRow), [
            {"report_a": a, "report_b": b, "decision_id": row.id} for a, b in separated])
    session.flush()
    keys = pair_keys(session, {*was_apart, *separated, *was_joined, *joined})
    changes.touch(session, "apart", [keys[p] for p in sorted(was_apart | set(separated))])
    changes.touch(session, "joined", [keys[p] for p in sorted(was_joined | set(joined))])
    return row.id


def pair_keys(session: Session, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Pair]:
    """Each pair of report row ids, as the ledger keys it: the reports' ids, in row order."""
    pairs = list(pairs)
    uids = report_uids(session, {x for p in pairs for x in p})
    return {(a, b): Pair(uids[a], uids[b]) for a, b in pairs}


def report_uids(session: Session, row_ids: Iterable[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in _chunks(sorted(set(row_ids))):
        found.update((i, u) for i, u in session.execute(
            select(ReportRow.id, ReportRow.uid).where(ReportRow.id.in_(chunk))))
    return found


class Decision(NamedTuple):
    """An analyst's split or merge, as made."""

    kind: str
    incidents: list[str]
    reports: list[str]
    reason: str
    made_at: datetime


def decisions_about(session: Session, incident_uids: Iterable[str]) -> list[Decision]:
    wanted = set(incident_uids)
    d = CorrelationDecisionRow
    rows = session.execute(select(d.kind, d.incidents, d.reports, d.reason, d.made_at)
                           .order_by(d.id))
    return [Decision(*r) for r in rows if wanted & set(r.incidents)]


# --- incidents ----------------------------------------------------------------------------

class Summary(NamedTuple):
    """An incident's derived columns."""

    uid: str
    founder_id: int
    report_count: int
    earliest: datetime
    latest: datetime
    lon: float | None
    lat: float | None
    where_precision: int
    adm1: str | None
    adm2: str | None
    adm3: str | None
    violation: str


def all_summaries(session: Session) -> dict[str, Summary]:
    """Every incident's derived columns, by incident id."""
    rows = session.execute(select(*(getattr(IncidentRow, f) for f in Summary._fields)))
    return {row[0]: Summary(*row) for row in rows}


def incident_of(session: Session, row_ids: Iterable[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for chunk in _chunks(sorted(set(row_ids))):
        found.update(session.execute(select(IncidentReportRow.report_id,
                                            IncidentReportRow.incident_id)
                                     .where(IncidentReportRow.report_id.in_(chunk))).all())
    return found


def apply_incidents(session: Session, members: Mapping[int, Sequence[int]],
                    summaries: Sequence[Summary], now: datetime) -> tuple[int, set[str]]:
    """Make these the incidents of these reports (``members``: founder row id → member row
    ids): update the incidents they found, add the new ones, move the reports, and delete
    the incidents left empty. Returns how many incidents changed, and the ids of those
    that were added or whose reports changed."""
    reports = [r for group in members.values() for r in group]
    before = incident_of(session, reports)
    by_founder: dict[int, tuple[int, Summary | None]] = {}  # None: added by this call
    for chunk in _chunks(sorted(members)):
        for row in session.execute(select(IncidentRow.id, IncidentRow.founder_id, *(
                getattr(IncidentRow, f) for f in Summary._fields if f != "founder_id"))
                .where(IncidentRow.founder_id.in_(chunk))):
            by_founder[row[1]] = (row[0], Summary(row[2], row[1], *row[3:]))
    fresh = [s for s in summaries if s.founder_id not in by_founder]
    stale = [(by_founder[s.founder_id][0], s) for s in summaries
             if s.founder_id in by_founder and by_founder[s.founder_id][1] != s]
    if fresh:
        session.execute(insert(IncidentRow), [{**s._asdict(), "updated_at": now}
                                              for s in fresh])
        for chunk in _chunks([s.founder_id for s in fresh]):
            for incident_id, founder in session.execute(
                    select(IncidentRow.id, IncidentRow.founder_id)
                    .where(IncidentRow.founder_id.in_(chunk))):
                by_founder[founder] = (incident_id, by_founder.get(founder, (0, None))[1])
    if stale:
        session.execute(update(IncidentRow), [
            {"id": incident_id, **s._asdict(), "updated_at": now} for incident_id, s in stale])
    after = {r: by_founder[f][0] for f, group in members.items() for r in group}
    moved = [r for r in reports if before.get(r) != after[r]]
    known = [r for r in moved if r in before]
    for chunk in _chunks(known):
        session.execute(delete(IncidentReportRow).where(IncidentReportRow.report_id.in_(chunk)))
    if moved:
        session.execute(insert(IncidentReportRow), [
            {"report_id": r, "incident_id": after[r]} for r in moved])
    emptied = set(before.values()) - set(after.values())
    for chunk in _chunks(sorted(emptied)):
        still = set(session.scalars(select(IncidentReportRow.incident_id)
                                    .where(IncidentReportRow.incident_id.in_(chunk))))
        gone = [i for i in chunk if i not in still]
        if gone:
            changes.touch(session, "incident", session.scalars(
                select(IncidentRow.uid).where(IncidentRow.id.in_(gone))))
            session.execute(delete(IncidentRow).where(IncidentRow.id.in_(gone)))
    regrouped = {by_founder[f][0] for f in members if any(
        before.get(r) != after[r] for r in members[f])}
    changed = {s.uid for s in [*fresh, *(s for _, s in stale)]} | {
        s.uid for s in summaries if by_founder[s.founder_id][0] in regrouped}
    changes.touch(session, "incident", sorted(changed))
    return len(fresh) + len(stale) + len(emptied), changed


class StoredIncident(NamedTuple):
    """An incident as stored: its row id, and its derived columns."""

    id: int
    summary: Summary


_STORED = (IncidentRow.id, *(getattr(IncidentRow, f) for f in Summary._fields))


def _stored(row: Sequence[Any]) -> StoredIncident:
    return StoredIncident(row[0], Summary(*row[1:]))


def incident(session: Session, uid: str) -> StoredIncident:
    found = session.execute(select(*_STORED).where(IncidentRow.uid == uid)).one_or_none()
    return _stored(required(found, f"no incident with id {uid!r}", field="id", key=uid))


def member_ids(session: Session, incident_ids: Iterable[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for chunk in _chunks(sorted(set(incident_ids))):
        for report_id, incident_id in session.execute(
                select(IncidentReportRow.report_id, IncidentReportRow.incident_id)
                .where(IncidentReportRow.incident_id.in_(chunk))
                .order_by(IncidentReportRow.report_id)):
            found.setdefault(incident_id, []).append(report_id)
    return found


def report_row_ids(session: Session, uids: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(uids))
    return dict(session.execute(select(ReportRow.uid, ReportRow.id)
                                .where(ReportRow.uid.in_(wanted))).all())


@dataclass(frozen=True)
class IncidentFilter:
    since: datetime | None = None
    until: datetime | None = None
    adm: str | None = None
    violation: str | None = None

    def __post_init__(self) -> None:
        syria().require(self.adm)


def list_incidents(session: Session, f: IncidentFilter, *, limit: int,
                   after: tuple[datetime, str] | None = None) -> list[Summary]:
    """Newest first by event time; ``after`` is the (earliest, uid) of the last one seen."""
    conditions = when_and_where(IncidentRow, f.since, f.until, f.adm)
    if f.violation is not None:
        conditions.append(IncidentRow.violation == f.violation)
    if after is not None:
        conditions.append(before(IncidentRow, after))
    return [_stored(row).summary for row in session.execute(
        select(*_STORED).where(*conditions)
        .order_by(IncidentRow.earliest.desc(), IncidentRow.uid.desc()).limit(limit))]


def report_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ReportRow)) or 0


def incident_uids(session: Session, row_ids: Iterable[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in _chunks(sorted(set(row_ids))):
        found.update(session.execute(_INCIDENT_UIDS_OF, {"ids": chunk}).all())
    return found


_INCIDENT_UIDS_OF = (select(IncidentReportRow.report_id, IncidentRow.uid).join(IncidentRow)
                     .where(IncidentReportRow.report_id.in_(bindparam("ids", expanding=True))))


def reached(session: Session, *, since: datetime, pcodes: Iterable[str] | None = None,
            actors: Iterable[str] | None = None) -> list[StoredIncident]:
    """The incidents whose span reaches ``since`` or later, placed in one of these admin
    areas (None: anywhere), naming one of these actors (codes; None: any): those a
    change of terms from ``since`` can judge differently."""
    conditions: list[Any] = [IncidentRow.latest >= since]
    if pcodes is not None:
        columns = {4: IncidentRow.adm1, 6: IncidentRow.adm2, 8: IncidentRow.adm3}
        conditions.append(or_(*(columns[len(code)] == code for code in pcodes)))
    if actors is not None:
        members = (select(IncidentReportRow.incident_id)
                   .join(ReportActorRow, ReportActorRow.report_id == IncidentReportRow.report_id)
                   .join(ActorRow).where(ActorRow.code.in_(sorted(set(actors)))))
        conditions.append(IncidentRow.id.in_(members))
    return [_stored(row) for row in session.execute(select(*_STORED).where(*conditions)
                                                    .order_by(IncidentRow.id))]
