"""Correlation against the record: batch runs, each new report at once, explanations, and
analysts' splits and merges.

Both paths give the same incidents. A new report is scored against the stored reports its
time window can reach; its links are stored; then its whole component (everything linked
to it, directly or not) is clustered again with the same rules a batch run applies to all.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from operator import attrgetter, methodcaller
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from ceasefire.correlate.candidates import KM_PER_DEG, candidate_pairs, pairs_with
from ceasefire.correlate.cluster import Links, founders
from ceasefire.correlate.columns import (
    VIOLATIONS,
    ActorBits,
    ColumnBuilder,
    Facts,
    ReportColumns,
    columns_from,
)
from ceasefire.correlate.engine import Decisions, cluster_again, correlate, link
from ceasefire.correlate.hashes import names_table, tiebreaks
from ceasefire.correlate.scoring import score_pairs
from ceasefire.correlate.settings import CorrelationSettings
from ceasefire.domain import words
from ceasefire.domain.parties import Account
from ceasefire.domain.place import WherePrecision
from ceasefire.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.geo.admin import syria
from ceasefire.ledger.entries import Entry
from ceasefire.services import ledger, verification
from ceasefire.services.accounts import authenticate_in
from ceasefire.store import changes
from ceasefire.store import incidents as store
from ceasefire.store.db import Database
from ceasefire.store.incidents import IncidentFilter, Link, ReportFacts, Summary
from ceasefire.store.reference import reference

# Incident ids are derived from their founding report's id, so a batch run and the
# incremental path name the same incident alike, and an incident keeps its id as it grows.
INCIDENT_NAMESPACE = uuid.UUID("6f1c2a52-3b0e-5c8e-9a4f-0d6c1e7b2a90")
SETTINGS = CorrelationSettings()
NEW_FEW = 50  # new reports that are paired with their window directly, without the grid


def incident_uid(founder_uid: str) -> str:
    return str(uuid.uuid5(INCIDENT_NAMESPACE, founder_uid))


_HEX_AT = [k for k in range(36) if k not in (8, 13, 18, 23)]  # a UUID's digits, not dashes


def _incident_uids(founder_uids: Sequence[str]) -> list[str]:
    """`incident_uid` of each, without a UUID object each: uuid5 is the SHA-1 of the
    namespace and the name, its first 16 bytes with the version (5) and variant set."""
    prefix = INCIDENT_NAMESPACE.bytes
    digests = b"".join(map(methodcaller("digest"), map(hashlib.sha1, map(
        prefix.__add__, map(str.encode, founder_uids)))))
    raw = np.frombuffer(digests, np.uint8).reshape(-1, 20)[:, :16].copy()
    raw[:, 6] = raw[:, 6] & 0x0F | 0x50
    raw[:, 8] = raw[:, 8] & 0x3F | 0x80
    text = np.full((len(raw), 36), ord("-"), np.uint8)
    text[:, _HEX_AT] = np.frombuffer(raw.tobytes().hex().encode(), np.uint8).reshape(-1, 32)
    return list(text.view("S36").ravel().astype("U36").tolist())


def _bits(session: Session) -> ActorBits:
    return ActorBits.of((a.code, a.side) for a in reference(session).actors)


def _columns(session: Session, rows: Sequence[ReportFacts],
             settings: CorrelationSettings) -> ReportColumns:
    """The columns of a few reports, built one by one."""
    builder = ColumnBuilder(settings, syria(), _bits(session))
    party = {v: k for k, v in reference(session).party_ids.items()}
    for r in rows:
        builder.add(r.uid, lon=r.lon, lat=r.lat, precision=r.where_precision, adm1=r.adm1,
                    adm2=r.adm2, earliest=r.earliest, latest=r.latest,
                    time_precision=r.time_precision, violation=r.violation,
                    perpetrators=r.perpetrators, targets=r.targets, civilians=r.civilians,
                    killed=r.killed, source_name=r.source_name, source_key=r.source_key,
                    narrative=r.narrative, received=r.received_at, party=party[r.party_id])
    return builder.build()


def _all_columns(session: Session, settings: CorrelationSettings,
                 ) -> tuple[NDArray[np.int64], Facts, ReportColumns]:
    """The columns of every stored report, built a column at a time from the facts as
    read, with the reports' row ids (ascending) and those facts."""
    row_of, facts = store.fact_columns(session)
    return row_of, facts, columns_from(facts, settings, syria(), _bits(session))


def _summary(founder: ReportFacts, members: Sequence[ReportFacts]) -> Summary:
    """An incident's when, where and what, from its reports: the span they share the most
    of, the most precise place, the type most of them give (the founder's on a tie)."""
    placed = min(members, key=lambda r: (r.where_precision, r is not founder, r.uid))
    kinds = Counter(r.violation for r in members)
    top = max(kinds.values())
    violation = founder.violation if kinds[founder.violation] == top else min(
        k for k, n in kinds.items() if n == top)
    return Summary(incident_uid(founder.uid), founder.row_id, len(members),
                   min(r.earliest for r in members), max(r.latest for r in members),
                   placed.lon, placed.lat, placed.where_precision, placed.adm1, placed.adm2,
                   placed.adm3, violation)


def _apply(session: Session, rows: Sequence[ReportFacts], founder: np.ndarray,
           now: datetime) -> int:
    members, summaries = _incidents(rows, founder)
    return _store_incidents(session, members, summaries, now,
                            lambda _: {r.row_id: r for r in rows})


def _incidents(rows: Sequence[ReportFacts], founder: np.ndarray,
               ) -> tuple[dict[int, list[int]], list[Summary]]:
    """The incidents of these reports (``founder``: each report's founder, as a position in
    ``rows``): each incident's members by row id, in the order of ``rows``, and its
    summary; incidents in order of their first report."""
    groups: dict[int, list[int]] = {}
    for k, f in enumerate(founder.tolist()):
        groups.setdefault(f, []).append(k)
    members = {rows[f].row_id: [rows[k].row_id for k in group] for f, group in groups.items()}
    summaries = [_summary(rows[f], [rows[k] for k in group]) for f, group in groups.items()]
    return members, summaries


def _store_incidents(session: Session, members: Mapping[int, list[int]],
                     summaries: Sequence[Summary], now: datetime,
                     facts: Callable[[list[int]], Mapping[int, ReportFacts]]) -> int:
    """Make these the incidents (founder's row id → members' row ids, and the summary of
    each, in the same order); ``facts`` reads the facts of reports by row id."""
    count, changed = store.apply_incidents(session, members, summaries, now)
    # An incident whose reports changed is assessed again under the agreements.
    again = [(s, group) for s, group in zip(summaries, members.values(), strict=True)
             if s.uid in changed]
    known = facts(sorted(r for _, group in again for r in group)) if again else {}
    verification.assess_incidents(session, {
        s.uid: verification.incident_facts([known[r] for r in group], s) for s, group in again},
        now=now)
    return count


def _incidents_from(row_of: NDArray[np.int64], facts: Facts, cols: ReportColumns,
                    founder: NDArray[np.int64]) -> tuple[dict[int, list[int]], list[Summary]]:
    """`_incidents`, computed on the columns of these reports (``row_of``: their row ids),
    each incident's figures as a whole array and a Python object only per incident."""
    n = len(founder)
    if not n:
        return {}, []
    by_founder = np.argsort(founder, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(founder[by_founder]) != 0])
    number = np.empty(len(starts), np.int64)  # incidents in order of their first report
    number[np.argsort(by_founder[starts])] = np.arange(len(starts))
    incident_of = np.empty(n, np.int64)
    incident_of[by_founder] = np.repeat(number, np.diff(np.r_[starts, n]))
    order = np.lexsort((np.arange(n), incident_of))  # by incident, then as in the columns
    incident = incident_of[order]
    starts = np.flatnonzero(np.r_[True, np.diff(incident) != 0])
    head = founder[order[starts]]
    count = np.diff(np.r_[starts, n])
    # The most precise place; the founder's among equals, then the smallest report id.
    precision = facts.precision[order]
    best = precision == np.minimum.reduceat(precision, starts)[incident]
    is_founder = order == founder[order]
    founder_best = np.logical_or.reduceat(best & is_founder, starts)
    placed = head.copy()
    rest = np.flatnonzero(best & ~founder_best[incident])
    if len(rest):
        rest = rest[np.lexsort((facts.ids[order[rest]].astype(str), incident[rest]))]
        chosen = np.r_[True, np.diff(incident[rest]) != 0]
        placed[incident[rest[chosen]]] = order[rest[chosen]]
    # The type most reports give: the founder's on a tie, else the first by name.
    kind, kinds = cols.violation.astype(np.int64), [v.value for v in VIOLATIONS]
    counts = np.bincount(incident * len(kinds) + kind[order],
                         minlength=len(starts) * len(kinds)).reshape(-1, len(kinds))
    top = counts.max(axis=1)
    own = kind[head]
    by_name = np.argsort(np.argsort(np.array(kinds, dtype=str)))
    violation = np.where(counts[np.arange(len(starts)), own] == top, own, np.where(
        counts == top[:, None], by_name, len(kinds)).argmin(axis=1))
    lon, lat = facts.lon[placed], facts.lat[placed]
    rows = row_of[order].tolist()
    members = {f: rows[a:a + c] for f, a, c in zip(
        row_of[head].tolist(), starts.tolist(), count.tolist(), strict=True)}
    summaries = list(map(Summary._make, zip(
        _incident_uids(facts.ids[head].tolist()), row_of[head].tolist(), count.tolist(),
        _times(np.minimum.reduceat(facts.earliest[order], starts)),
        _times(np.maximum.reduceat(facts.latest[order], starts)),
        _or_none(lon), _or_none(lat),
        facts.precision[placed].tolist(), facts.adm1[placed].tolist(),
        facts.adm2[placed].tolist(), facts.adm3[placed].tolist(),
        np.array(kinds, dtype=object)[violation].tolist(), strict=True)))
    return members, summaries


def _or_none(values: NDArray[np.float64]) -> list[float | None]:
    """The values, None for NaN (a NULL as read)."""
    found = values.astype(object)
    found[np.isnan(values)] = None
    return list(found.tolist())


def _times(microseconds: NDArray[np.int64]) -> list[datetime]:
    return [t.replace(tzinfo=UTC) for t in microseconds.astype("datetime64[us]").tolist()]


def _index_pairs(row_of: NDArray[np.int64], pairs: Sequence[tuple[int, int]],
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of row ids as pairs of positions in ``row_of``, leaving out the pairs with a
    report not in it."""
    if not pairs or not len(row_of):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    a, b = np.array(pairs, np.int64).reshape(-1, 2).T
    ascending = np.argsort(row_of)
    i = np.minimum(np.searchsorted(row_of, a, sorter=ascending), len(row_of) - 1)
    j = np.minimum(np.searchsorted(row_of, b, sorter=ascending), len(row_of) - 1)
    i, j = ascending[i], ascending[j]
    kept = (row_of[i] == a) & (row_of[j] == b)
    return i[kept], j[kept]


@dataclass(frozen=True)
class BatchResult:
    reports: int
    incidents: int
    links: int
    candidates: int
    changed: int


def warm_up(settings: CorrelationSettings = SETTINGS) -> None:
    """Run the engine once on two made-up reports, so that its compiled loops are loaded
    before the first write: loading them takes a second or more, and inside a write
    transaction that would hold every other process's writers back (`serve --workers`)."""
    builder = ColumnBuilder(settings, syria(), ActorBits.of([]))
    at = datetime(2017, 1, 1, tzinfo=UTC)
    for uid in ("warm-up-1", "warm-up-2"):
        builder.add(uid, lon=36.2, lat=37.2, precision=int(WherePrecision.EXACT), adm1=None,
                    adm2=None, earliest=at, latest=at, time_precision="day",
                    violation=VIOLATIONS[0].value, perpetrators=(), targets=(), civilians=False,
                    killed=1, source_name="warm-up", source_key=None, narrative="Warm 1",
                    received=at, party="warm-up")
    cols = builder.build()
    found = link(cols, *pairs_with(cols, np.arange(1), settings), settings)[0]
    cluster_again(cols, found, (np.zeros(0, np.int64), np.zeros(0, np.int64)), settings)
    founders(cols, correlate(cols, settings).label)
    tiebreaks(list(cols.ids))  # the batch path's compiled hashes
    names_table(list(cols.narrative))


def correlate_all(session: Session, settings: CorrelationSettings = SETTINGS, *,
                  now: datetime | None = None) -> BatchResult:
    """Correlate every stored report from scratch, keeping analysts' decisions."""
    for kind in ("apart", "joined"):  # the analysts' decisions, as the ledger has them
        ledger.kind_holds(session, kind)
    now = now or datetime.now(UTC)
    row_of, facts, cols = _all_columns(session, settings)
    forced = store.forced_links(session)
    decisions = Decisions(together=_index_pairs(row_of, [(x.a, x.b) for x in forced]),
                          apart=_index_pairs(row_of, store.apart_pairs(session)))
    result = correlate(cols, settings, decisions)
    scored = ~result.links.forced
    store.replace_scored_links(session, row_of[result.links.i[scored]],
                               row_of[result.links.j[scored]], result.links.score[scored])
    members, summaries = _incidents_from(row_of, facts, cols, result.founder)
    changed = _store_incidents(session, members, summaries, now, lambda row_ids: {
        r.row_id: r for r in (store.facts(session, row_ids) if 2 * len(row_ids) < len(row_of)
                              else store.all_facts(session))})
    return BatchResult(len(row_of), len(np.unique(result.founder)), int(scored.sum()),
                       result.candidates, changed)


def links_again(session: Session, settings: CorrelationSettings = SETTINGS,
                ) -> dict[tuple[int, int], float]:
    """The links the engine scores among every stored report, by pair of row ids (the
    smaller first), leaving out pairs an analyst joined: what `report_links` must hold
    besides those, whichever path (batch or one report at a time) stored them."""
    row_of, _, cols = _all_columns(session, settings)
    if not len(row_of):
        return {}
    i, j = candidate_pairs(cols, settings)
    found = link(cols, i, j, settings)[0]
    a, b = row_of[found.i], row_of[found.j]
    forced = {(x.a, x.b) for x in store.forced_links(session)}
    return {pair: score for pair, score in zip(
        zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist(), strict=True),
        found.score.tolist(), strict=True) if pair not in forced}


def correlate_new(session: Session, row_ids: Sequence[int],
                  settings: CorrelationSettings = SETTINGS, *,
                  now: datetime | None = None) -> None:
    """Give newly stored reports their incidents, as a batch run over everything would."""
    if not row_ids:
        return
    now = now or datetime.now(UTC)
    new = store.facts(session, row_ids)
    reach = timedelta(hours=settings.slack_hours, days=settings.longest_span_days)
    if len(new) <= NEW_FEW:
        window = store.facts_within(session, _windows(session, new, settings))
    else:
        window = store.facts_between(session, min(r.earliest for r in new) - reach,
                                     max(r.latest for r in new) + reach)
    rows = list({r.row_id: r for r in (*window, *new)}.values())
    cols = _columns(session, rows, settings)
    fresh = np.isin([r.row_id for r in rows], list(row_ids))
    if fresh.sum() <= NEW_FEW:
        i, j = pairs_with(cols, np.flatnonzero(fresh), settings)
    else:
        i, j = candidate_pairs(cols, settings)
        touching = fresh[i] | fresh[j]
        i, j = i[touching], j[touching]
    found = link(cols, i, j, settings)[0]
    row_of = np.array([r.row_id for r in rows], np.int64)
    a, b = row_of[found.i], row_of[found.j]
    store.add_links(session, [Link(int(x), int(y), float(s), False) for x, y, s in zip(
        np.minimum(a, b), np.maximum(a, b), found.score, strict=True)])
    recluster(session, row_ids, settings, now=now, read=rows)


def _windows(session: Session, new: Sequence[ReportFacts],
             settings: CorrelationSettings) -> list[store.Window]:
    """Per new report, where the stored reports it can meet lie: its time span widened by
    the longest span and the slack; around its place, as far as its radius, the slack and
    the radius of a place given by name reach. Reports placed more coarsely than by name
    are always read: their own radius may reach far."""
    cols = _columns(session, new, settings)
    reach = timedelta(hours=settings.slack_hours, days=settings.longest_span_days)
    windows = []
    for k, r in enumerate(new):
        if not cols.correlatable[k]:
            continue
        km = cols.radius_km[k] + settings.slack_km + settings.near_radius_km
        lat, lon = float(cols.lat[k]), float(cols.lon[k])
        dlat = km / KM_PER_DEG
        dlon = km / (KM_PER_DEG * max(np.cos(np.radians(min(abs(lat) + dlat, 89.0))), 1e-3))
        windows.append(store.Window(r.earliest - reach, r.latest + reach,
                                    (lon - dlon, lat - dlat, lon + dlon, lat + dlat),
                                    int(WherePrecision.NEAR)))
    return windows


def recluster(session: Session, row_ids: Sequence[int],
              settings: CorrelationSettings = SETTINGS, *, now: datetime,
              read: Sequence[ReportFacts] = ()) -> None:
    """Cluster again the components holding these reports, from their stored links.
    `read`: reports' facts already read in this transaction (a report's facts never
    change), so that only the rest of the components is read again."""
    members, links = store.component(session, row_ids)
    have = {r.row_id: r for r in read if r.row_id in members}
    rows = sorted([*have.values(), *store.facts(session, sorted(members - have.keys()))],
                  key=attrgetter("row_id"))
    cols = _columns(session, rows, settings)
    index = {r.row_id: k for k, r in enumerate(rows)}
    local = Links(np.array([index[x.a] for x in links], np.int64),
                  np.array([index[x.b] for x in links], np.int64),
                  np.array([np.inf if x.score is None else x.score for x in links]),
                  np.array([x.forced for x in links], bool))
    label = cluster_again(cols, local, _index_pairs(
        np.array(list(index), np.int64), store.apart_pairs(session, members)), settings)
    _apply(session, rows, founders(cols, label), now)


def correlate_added(session: Session, row_ids: Sequence[int],
                    settings: CorrelationSettings = SETTINGS) -> dict[int, str]:
    """Correlate reports just stored; returns the incident id of each (by row id). When
    they are most of the record (a first import), one batch run is the faster way to the
    same incidents."""
    if not row_ids:
        return {}
    if len(row_ids) >= 1000 and 2 * len(row_ids) >= store.report_count(session):
        correlate_all(session, settings)
    else:
        correlate_new(session, row_ids, settings)
    return store.incident_uids(session, row_ids)


def incident_uids(session: Session, row_ids: Sequence[int]) -> dict[int, str]:
    """The incident id of each of these reports (by row id)."""
    return store.incident_uids(session, row_ids)


def incidents_of_reports(session: Session, report_uids: Sequence[str]) -> dict[str, str]:
    """The incident id of each of these reports (by report id)."""
    rows = store.report_row_ids(session, report_uids)
    incidents = store.incident_uids(session, rows.values())
    return {uid: incidents[row] for uid, row in rows.items() if row in incidents}


# --- explanations and analysts' decisions ---------------------------------------------------

EXPLAINED_PAIRS_MAX = 2000  # beyond this, only the linked pairs of an incident are shown


@dataclass(frozen=True)
class PairExplanation:
    """Why two reports of an incident are (or are not) linked."""

    a: str
    b: str
    levels: dict[str, str]  # per field, the level the pair falls in
    points: dict[str, float]  # per field, what the field added to the score
    score: float  # the prior plus the points
    linked: bool  # the engine linked them (score at the threshold, no cannot-link rule)
    vetoed: bool  # scored at or below the veto: never joined through other reports
    forced: bool  # an analyst joined them
    apart: bool  # an analyst separated them


@dataclass(frozen=True)
class IncidentView:
    uid: str
    summary: Summary
    reports: list[str]  # report ids, founder first
    pairs: list[PairExplanation]
    threshold: float
    veto: float
    prior: float
    decisions: list[dict[str, Any]]  # kind, incidents, reports, reason, made_at


def explain_incident(session: Session, uid: str,
                     settings: CorrelationSettings = SETTINGS) -> IncidentView:
    """An incident, its reports, and the scores of each pair of them, field by field."""
    from ceasefire.correlate.scoring import FIELDS, LEVELS

    row = store.incident(session, uid)
    member_rows = store.member_ids(session, [row.id]).get(row.id, [])
    rows = sorted(store.facts(session, member_rows),
                  key=lambda r: (r.row_id != row.summary.founder_id, r.received_at, r.uid))
    cols = _columns(session, rows, settings)
    n = len(rows)
    links = {(x.a, x.b): x for x in store.links_touching(session, member_rows)}
    apart = set(store.apart_pairs(session, member_rows))
    if n * (n - 1) // 2 <= EXPLAINED_PAIRS_MAX:
        i, j = np.triu_indices(n, 1)
    else:
        index = {r.row_id: k for k, r in enumerate(rows)}
        pairs = sorted((index[a], index[b]) for a, b in links if a in index and b in index)
        i, j = (np.array(x, np.int64) for x in zip(*pairs, strict=True))
    scores = score_pairs(cols, i, j, settings, all_fields=True)
    points = scores.points(settings)
    vetoed = scores.vetoed(settings)
    explained = []
    for k, (x, y) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
        low, high = sorted((rows[x].row_id, rows[y].row_id))
        key = (low, high)
        found = links.get(key)
        total = float(scores.total[k])
        explained.append(PairExplanation(
            rows[x].uid, rows[y].uid,
            {f: LEVELS[f][int(scores.levels[f][k])] for f in FIELDS},
            {f: round(float(points[f][k]), 2) for f in FIELDS}, round(total, 2),
            found is not None and found.score is not None, bool(vetoed[k]),
            found is not None and found.forced, key in apart))
    decisions = [{"kind": d.kind, "incidents": d.incidents, "reports": d.reports,
                  "reason": d.reason, "made_at": d.made_at}
                 for d in store.decisions_about(session, [uid])]
    return IncidentView(uid, row.summary, [r.uid for r in rows], explained,
                        settings.threshold, settings.veto, settings.prior, decisions)


@dataclass(frozen=True)
class DecidedBy:
    """Who makes a decision: a party, and its account when acting through the API."""

    party_id: int
    account_id: int | None = None


@dataclass(frozen=True)
class Decided:
    """What a split or merge did, and the ledger entry that records it."""

    incidents: list[str]  # the incidents that now hold the reports (a merge: the one)
    entry: Entry


def _as_read(session: Session, uid: str, members: Sequence[int],
             seen: Sequence[str] | None) -> None:
    """Refuse a decision about an incident whose reports are no longer those the caller
    read (``seen``; None: not checked): it would be made on a record that moved on."""
    if seen is None:
        return
    read = store.report_row_ids(session, seen)
    if len(read) != len(set(seen)) or set(read.values()) != set(members):
        raise Conflict(f"incident {uid} changed since you read it: it now holds "
                       f"{words.count(len(members), 'report')}", field="seen", id=uid)


def split_incident(session: Session, uid: str, reports: Sequence[str], *, reason: str,
                   by: DecidedBy, seen: Sequence[str] | None = None,
                   now: datetime | None = None) -> Decided:
    """Move ``reports`` out of incident ``uid`` into an incident of their own; a later
    batch run keeps them apart. ``seen``: the incident's reports as the caller read them."""
    now = now or datetime.now(UTC)
    row = store.incident(session, uid)
    members = store.member_ids(session, [row.id]).get(row.id, [])
    _as_read(session, uid, members, seen)
    moving_ids = store.report_row_ids(session, reports)
    for report in reports:
        if moving_ids.get(report) not in members:
            raise InvalidInput(f"report {report} is not in incident {uid}", field="reports",
                               id=report)
    moving = sorted(set(moving_ids.values()))
    staying = [m for m in members if m not in set(moving)]
    if not moving or not staying:
        raise InvalidInput("name some but not all of the incident's reports to split off",
                           field="reports")
    together = [*pairwise(moving), *pairwise(staying)]
    apart = [(a, b) for a in moving for b in staying]
    store.record_decision(session, store.DecisionRecord(
        "split", [uid], sorted(reports), reason, by.party_id, by.account_id, now),
        together=together, apart=apart)
    recluster(session, members, now=now)
    found = sorted(set(store.incident_uids(session, members).values()))
    entry = ledger.append(session, _signer(session, by), "incident.split", {
        "incident": uid, "reports": sorted(reports), "reason": reason, "incidents": found})
    return Decided(found, entry)


def merge_incidents(session: Session, uids: Sequence[str], *, reason: str, by: DecidedBy,
                    seen: Sequence[str] | None = None, now: datetime | None = None,
                    ) -> Decided:
    """Join incidents an analyst knows are one event; a later batch run keeps them joined.
    ``seen``: the first incident's reports as the caller read them."""
    now = now or datetime.now(UTC)
    if len(set(uids)) < 2:
        raise InvalidInput("name at least two different incidents", field="incidents")
    rows = [store.incident(session, u) for u in dict.fromkeys(uids)]
    founders = [r.summary.founder_id for r in rows]
    members = store.member_ids(session, [r.id for r in rows])
    groups = [members.get(r.id, []) for r in rows]
    _as_read(session, rows[0].summary.uid, groups[0], seen)
    # Every report is tied in, not only the founders: the rule that keeps reports too far
    # apart in one incident gives way to the analyst's word.
    together = list(pairwise(sorted({m for g in groups for m in g})))
    # Earlier splits between these incidents' reports give way to this decision.
    undo_apart = [(a, b) for k, g in enumerate(groups) for h in groups[k + 1:]
                  for a in g for b in h]
    store.record_decision(session, store.DecisionRecord(
        "merge", list(dict.fromkeys(uids)), [], reason, by.party_id, by.account_id, now),
        together=together, apart=[], cleared=undo_apart)
    recluster(session, founders, now=now)
    merged = store.incident_uids(session, [founders[0]])[founders[0]]
    entry = ledger.append(session, _signer(session, by), "incident.merged", {
        "incidents": list(dict.fromkeys(uids)), "reason": reason, "into": merged})
    return Decided([merged], entry)


def _signer(session: Session, by: DecidedBy) -> ledger.Signer:
    known = reference(session)
    party = next(c for c, i in known.party_ids.items() if i == by.party_id)
    account = next((u for u, i in known.account_ids.items() if i == by.account_id), None)
    return ledger.acting(session, party=party, account=account)


# --- entry points for the CLI and the API: one transaction each ---------------------------

def run_batch(db: Database, settings: CorrelationSettings = SETTINGS) -> BatchResult:
    with db.session(write=True) as session:
        result = correlate_all(session, settings)
        if changes.pending(session):  # a run that changes nothing leaves no entry
            ledger.append(session, ledger.mechanism(session), "incidents.correlated",
                          {"after": "batch"})
        return result


def decided_by(session: Session, account: Account) -> DecidedBy:
    """The account deciding, if its role may split and merge incidents."""
    if not account.role.may_curate_incidents:
        raise Forbidden(f"{words.an_account(account.role)} cannot split or merge incidents")
    known = reference(session)
    return DecidedBy(known.party_ids[account.party], known.account_ids[account.username])


def _decider(session: Session, *, party: str | None, token: str | None) -> DecidedBy:
    if token is not None:
        return decided_by(session, authenticate_in(session, token=token))
    known = reference(session)
    if party not in known.party_ids:
        raise NotFound(f"no party with code {party!r}", field="party", id=str(party))
    return DecidedBy(known.party_ids[party])


def split(db: Database, uid: str, reports: Sequence[str], *, reason: str,
          party: str | None = None, token: str | None = None) -> list[str]:
    with db.session(write=True) as session:
        by = _decider(session, party=party, token=token)
        return split_incident(session, uid, reports, reason=reason, by=by).incidents


def merge(db: Database, uids: Sequence[str], *, reason: str, party: str | None = None,
          token: str | None = None) -> str:
    with db.session(write=True) as session:
        by = _decider(session, party=party, token=token)
        return merge_incidents(session, uids, reason=reason, by=by).incidents[0]


def explain(db: Database, uid: str) -> IncidentView:
    with db.session() as session:
        return explain_incident(session, uid)


def list_incidents(session: Session, f: IncidentFilter, *, limit: int,
                   after: tuple[datetime, str] | None = None) -> list[Summary]:
    """A page of incidents, newest event first, after a keyset cursor."""
    return store.list_incidents(session, f, limit=limit, after=after)
