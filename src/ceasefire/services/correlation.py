"""Correlation against the record: batch runs, each new report at once, explanations, and
analysts' splits and merges.

Both paths give the same incidents. A new report is scored against the stored reports its
time window can reach; its links are stored; then its whole component (everything linked
to it, directly or not) is clustered again with the same rules a batch run applies to all.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from ceasefire.correlate.candidates import candidate_pairs
from ceasefire.correlate.cluster import Links, clusters, founders
from ceasefire.correlate.columns import ActorBits, ColumnBuilder, ReportColumns
from ceasefire.correlate.engine import Decisions, correlate, link
from ceasefire.correlate.settings import CorrelationSettings
from ceasefire.geo.admin import syria
from ceasefire.store import incidents as store
from ceasefire.store.incidents import Link, ReportFacts, Summary
from ceasefire.store.reference import reference

# Incident ids are derived from their founding report's id, so a batch run and the
# incremental path name the same incident alike, and an incident keeps its id as it grows.
INCIDENT_NAMESPACE = uuid.UUID("6f1c2a52-3b0e-5c8e-9a4f-0d6c1e7b2a90")
SETTINGS = CorrelationSettings()


def incident_uid(founder_uid: str) -> str:
    return str(uuid.uuid5(INCIDENT_NAMESPACE, founder_uid))


def _columns(session: Session, rows: Sequence[ReportFacts],
             settings: CorrelationSettings) -> ReportColumns:
    known = reference(session)
    builder = ColumnBuilder(settings, syria(), ActorBits.of(
        (a.code, a.side) for a in known.actors))
    for r in rows:
        builder.add(r.uid, lon=r.lon, lat=r.lat, precision=r.where_precision, adm1=r.adm1,
                    adm2=r.adm2, earliest=r.earliest, latest=r.latest,
                    time_precision=r.time_precision, violation=r.violation,
                    perpetrators=r.perpetrators, targets=r.targets, civilians=r.civilians,
                    killed=r.killed, source_name=r.source_name, source_key=r.source_key,
                    narrative=r.narrative, received=r.received_at)
    return builder.build()


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
    groups: dict[int, list[int]] = {}
    for k, f in enumerate(founder.tolist()):
        groups.setdefault(f, []).append(k)
    members = {rows[f].row_id: [rows[k].row_id for k in group] for f, group in groups.items()}
    summaries = [_summary(rows[f], [rows[k] for k in group]) for f, group in groups.items()]
    return store.apply_incidents(session, members, summaries, now)


def _index_pairs(index: dict[int, int], pairs: Sequence[tuple[int, int]],
                 ) -> tuple[np.ndarray, np.ndarray]:
    kept = [(index[a], index[b]) for a, b in pairs if a in index and b in index]
    if not kept:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    a, b = np.array(kept, np.int64).T
    return a, b


@dataclass(frozen=True)
class BatchResult:
    reports: int
    incidents: int
    links: int
    candidates: int
    changed: int


def correlate_all(session: Session, settings: CorrelationSettings = SETTINGS, *,
                  now: datetime | None = None) -> BatchResult:
    """Correlate every stored report from scratch, keeping analysts' decisions."""
    now = now or datetime.now(UTC)
    rows = store.all_facts(session)
    cols = _columns(session, rows, settings)
    index = {r.row_id: k for k, r in enumerate(rows)}
    forced = store.forced_links(session)
    decisions = Decisions(together=_index_pairs(index, [(x.a, x.b) for x in forced]),
                          apart=_index_pairs(index, store.apart_pairs(session)))
    result = correlate(cols, settings, decisions)
    scored = ~result.links.forced
    row_of = np.array([r.row_id for r in rows], np.int64)
    store.replace_scored_links(session, [
        Link(*pair, score, False) for *pair, score in zip(
            row_of[result.links.i[scored]].tolist(), row_of[result.links.j[scored]].tolist(),
            result.links.score[scored].tolist(), strict=True)])
    changed = _apply(session, rows, result.founder, now)
    return BatchResult(len(rows), len(np.unique(result.founder)), int(scored.sum()),
                       result.candidates, changed)


def correlate_new(session: Session, row_ids: Sequence[int],
                  settings: CorrelationSettings = SETTINGS, *,
                  now: datetime | None = None) -> None:
    """Give newly stored reports their incidents, as a batch run over everything would."""
    if not row_ids:
        return
    now = now or datetime.now(UTC)
    new = store.facts(session, row_ids)
    reach = timedelta(hours=settings.slack_hours, days=settings.longest_span_days)
    window = store.facts_between(session, min(r.earliest for r in new) - reach,
                                 max(r.latest for r in new) + reach)
    rows = list({r.row_id: r for r in (*window, *new)}.values())
    cols = _columns(session, rows, settings)
    fresh = np.isin([r.row_id for r in rows], list(row_ids))
    i, j = candidate_pairs(cols, settings)
    touching = fresh[i] | fresh[j]
    found = link(cols, i[touching], j[touching], settings)
    row_of = np.array([r.row_id for r in rows], np.int64)
    a, b = row_of[found.i], row_of[found.j]
    store.add_links(session, [Link(int(x), int(y), float(s), False) for x, y, s in zip(
        np.minimum(a, b), np.maximum(a, b), found.score, strict=True)])
    recluster(session, row_ids, settings, now=now)


def recluster(session: Session, row_ids: Sequence[int],
              settings: CorrelationSettings = SETTINGS, *, now: datetime) -> None:
    """Cluster again the components holding these reports, from their stored links."""
    members, links = store.component(session, row_ids)
    rows = store.facts(session, sorted(members))
    cols = _columns(session, rows, settings)
    index = {r.row_id: k for k, r in enumerate(rows)}
    local = Links(np.array([index[x.a] for x in links], np.int64),
                  np.array([index[x.b] for x in links], np.int64),
                  np.array([np.inf if x.score is None else x.score for x in links]),
                  np.array([x.forced for x in links], bool))
    label = clusters(cols, local, _index_pairs(index, store.apart_pairs(session, members)))
    _apply(session, rows, founders(cols, label), now)


def correlate_added(session: Session, row_ids: Sequence[int],
                    settings: CorrelationSettings = SETTINGS) -> int:
    """Correlate reports just stored; returns how many incidents hold them. When they are
    most of the record (a first import), one batch run is the faster way to the same
    incidents."""
    if not row_ids:
        return 0
    if len(row_ids) >= 1000 and 2 * len(row_ids) >= store.report_count(session):
        correlate_all(session, settings)
    else:
        correlate_new(session, row_ids, settings)
    return len(set(store.incident_of(session, row_ids).values()))


def incident_uids(session: Session, row_ids: Sequence[int]) -> dict[int, str]:
    """The incident id of each of these reports (by row id)."""
    return store.incident_uids(session, row_ids)


def incidents_of_reports(session: Session, report_uids: Sequence[str]) -> dict[str, str]:
    """The incident id of each of these reports (by report id)."""
    rows = store.report_row_ids(session, report_uids)
    incidents = store.incident_uids(session, rows.values())
    return {uid: incidents[row] for uid, row in rows.items() if row in incidents}
