"""The map's counts against an independent count of the record in SQL and in Python, on
both backends: every incident with coordinates is in exactly one cluster of its grid
cell, areas count every incident, and clusters stay within the grid's bound however the
incidents lie."""

from __future__ import annotations

import csv
import math
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from ceasefire.domain.agreement import Position
from ceasefire.errors import InvalidInput
from ceasefire.intake.report_in import ReportIn
from ceasefire.services import verification
from ceasefire.services.imports import import_file
from ceasefire.services.map_counts import MapCache, map_counts
from ceasefire.services.overview import Selection
from ceasefire.services.reports import submit_report
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import overview
from ceasefire.store.map_counts import SOUTH, WEST
from tests.intake.test_import import UCDP

NOW = datetime(2017, 6, 1, tzinfo=UTC)
EVERY = 12  # every 12th row of the UCDP extract (~290, over its whole period): quick to import


@pytest.fixture
def record(database, syria_scenario, tmp_path):
    load_scenario(database, syria_scenario)
    import_file(database, ucdp_part(tmp_path, EVERY), format="ucdp", party="SEC")
    submit_report(database, ReportIn.model_validate({
        "when": {"date": "2017-01-20"}, "place": {"name": "Douma"}, "violation": "shelling",
        "perpetrators": ["syrian-government"]}), party="TR")
    covered = _sql(database, "SELECT i.uid FROM incidents i JOIN assessments a "
                             "ON a.incident_uid = i.uid WHERE a.covered ORDER BY i.uid")
    for who in ("ru-officer", "tr-officer", "ir-officer"):
        _cast(database, covered[0][0], who, Position.CONFIRM)
    _cast(database, covered[1][0], "ru-officer", Position.CONFIRM)
    _cast(database, covered[1][0], "tr-officer", Position.REJECT)
    # An incident known only by its area: counted per area, drawn as no circle.
    _sql(database, "UPDATE incidents SET lon = NULL, lat = NULL WHERE uid = :u",
         u=covered[2][0])
    with database.session(write=True) as session:  # the pages read the overview
        overview.refresh(session, [covered[2][0]])
    return database


def ucdp_part(folder: Path, every: int) -> Path:
    """Every n-th record of the UCDP extract, as a file of its own (records may hold
    line breaks inside quotes: read and written as CSV)."""
    with UCDP.open(encoding="utf-8", newline="") as f:
        header, *records = list(csv.reader(f))
    path = folder / "ucdp.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *records[::every]])
    return path


def _cast(db, incident, who, position):
    version = verification.read(db, incident)[0].version
    verification.cast(db, None, incident, username=who, position=position,
                      seen_version=version)


def _sql(db, sql, **args):
    with db.engine.begin() as c:
        result = c.execute(text(sql), args)
        return result.all() if result.returns_rows else None


def _map(db, selection: Selection | None = None, **kw):
    with db.session() as session:
        return map_counts(session, selection or Selection(), now=NOW, **kw)


def _cells(db, size: float, where: str = "", **args) -> dict[tuple[int, int], int]:
    """Each incident with coordinates in its grid cell, computed here in Python."""
    found: dict[tuple[int, int], int] = {}
    for lon, lat in _sql(db, f"SELECT lon, lat FROM incidents WHERE lon IS NOT NULL "
                             f"AND lat IS NOT NULL {where}", **args):
        key = (math.floor((lon - WEST) / size), math.floor((lat - SOUTH) / size))
        found[key] = found.get(key, 0) + 1
    return found


def _clusters_by_cell(m) -> dict[tuple[int, int], int]:
    size = m.view.cell
    return {(math.floor((c.lon - WEST) / size), math.floor((c.lat - SOUTH) / size)):
            c.incidents for c in m.clusters}


def test_every_incident_is_counted_once_per_area_and_drawn_once(record):
    m = _map(record)  # one agreement in the scenario: every incident has one assessment
    [(total,)] = _sql(record, "SELECT count(*) FROM incidents")
    [(placed,)] = _sql(record, "SELECT count(*) FROM incidents WHERE lon IS NOT NULL")
    by_adm1 = dict(_sql(record, "SELECT adm1, count(*) FROM incidents GROUP BY adm1"))
    assert m.incidents == total and m.drawn == placed == total - 1
    assert {p: sum(s.values()) for p, s in m.by_area.items()} == {
        p: n for p, n in by_adm1.items() if p is not None}
    assert m.unplaced == by_adm1.get(None, 0)
    assert _clusters_by_cell(m) == _cells(record, m.view.cell)
    assert len(m.clusters) <= m.view.most_clusters
    statuses = {s for c in m.clusters for s in c.by_status}
    assert {"confirmed", "disputed"} <= statuses


def test_a_governorate_shows_its_districts_and_finer_cells(record):
    national, aleppo = _map(record), _map(record, Selection(adm="SY02"))
    assert aleppo.view.level == 2 and aleppo.view.within == "SY02"
    assert aleppo.view.cell < national.view.cell
    by_adm2 = dict(_sql(record, "SELECT adm2, count(*) FROM incidents WHERE adm1 = 'SY02' "
                                "GROUP BY adm2"))
    assert {p: sum(s.values()) for p, s in aleppo.by_area.items()} == {
        p: n for p, n in by_adm2.items() if p is not None}
    assert _clusters_by_cell(aleppo) == _cells(record, aleppo.view.cell, "AND adm1 = 'SY02'")


def test_the_status_filter_holds_for_clusters_too(record):
    m = _map(record, Selection(statuses=("confirmed", "disputed")))
    assert sorted(s for c in m.clusters for s in c.by_status) == ["confirmed", "disputed"]
    assert m.incidents == 2


def test_clusters_stay_within_the_bound_however_the_incidents_lie(record):
    """Incidents moved all over the view, half of them onto its edges and corners, where
    an error of one in the cell arithmetic would open a cell too many."""
    view = _map(record).view
    west, south, east, north = view.bounds
    rng = random.Random(7)
    ids = [i for (i,) in _sql(record, "SELECT id FROM incidents WHERE lon IS NOT NULL")]
    edges = [(rng.choice((west, east)), rng.uniform(south, north)) for _ in range(40)] + [
        (rng.uniform(west, east), rng.choice((south, north))) for _ in range(40)] + [
        (x, y) for x in (west, east) for y in (south, north)]
    spots = edges + [(rng.uniform(west, east), rng.uniform(south, north))
                     for _ in range(len(ids) - len(edges))]
    with record.engine.begin() as c:
        c.execute(text("UPDATE incidents SET lon = :x, lat = :y WHERE id = :i"),
                  [{"i": i, "x": x, "y": y} for i, (x, y) in zip(ids, spots, strict=True)])
    with record.session(write=True) as session:
        overview.rebuild(session)
    m = _map(record)
    assert m.drawn == len(ids)
    assert len(m.clusters) <= view.most_clusters
    assert _clusters_by_cell(m) == _cells(record, view.cell)


def test_an_unknown_area_is_refused_by_name(record):
    with pytest.raises(InvalidInput) as caught:
        _map(record, Selection(adm="SY99"))
    assert caught.value.field == "adm"


def test_the_cache_counts_again_only_when_the_record_or_the_minute_changes(record):
    cache, at = MapCache(), datetime(2017, 6, 1, 12, 0, 5, tzinfo=UTC)
    with record.session() as session:
        first = cache.counts(session, Selection(), now=at)
        assert cache.counts(session, Selection(), now=at.replace(second=50)) is first
        assert cache.counts(session, Selection(adm="SY02"), now=at) is not first
    submit_report(record, ReportIn.model_validate({
        "when": {"date": "2017-03-02"}, "place": {"name": "Douma"}, "violation": "shelling",
        "perpetrators": ["syrian-government"]}), party="TR")
    with record.session() as session:
        again = cache.counts(session, Selection(), now=at)
        assert again.incidents == first.incidents + 1
        assert cache.counts(session, Selection(), now=at.replace(minute=1)) is not again
