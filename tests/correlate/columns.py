"""Hand-made report columns for engine tests: a few fields set, the rest neutral."""

from __future__ import annotations

import numpy as np

from ceasefire.correlate.columns import ReportColumns
from ceasefire.correlate.hashes import NAMES, tiebreak


def columns(n: int, **given: np.ndarray) -> ReportColumns:
    ids = given.pop("ids", np.array([f"r{k:06d}" for k in range(n)], dtype=object))
    defaults = dict(
        ids=ids, tiebreak=np.fromiter(map(tiebreak, ids), np.uint64, n),
        lon=np.full(n, 37.0), lat=np.full(n, 36.0), radius_km=np.full(n, 2.0),
        t0_h=np.zeros(n) + 412_000.0, t1_h=np.zeros(n) + 412_000.0,
        correlatable=np.ones(n, bool), violation=np.zeros(n, np.int8),
        perpetrators=np.zeros(n, np.uint64), targets=np.zeros(n, np.uint64),
        sides=np.zeros(n, np.uint64), killed=np.full(n, -1, np.int32),
        dataset=np.full(n, -1, np.int32), key=np.full(n, -1, np.int64),
        received_h=np.arange(n, dtype=np.float64),
        narrative=np.array([""] * n, dtype=object), names=np.zeros((n, NAMES), np.int64),
        source=np.arange(n, dtype=np.int32), area=np.full(n, -1, np.int32))
    defaults.update(given)
    return ReportColumns(**defaults)


def mixed(n: int, seed: int) -> ReportColumns:
    """Reports of every precision the engine compares, packed into a small area and week,
    so that every kind of pair occurs: exact points and times, places by name, districts
    and governorates; days and weeks; and some too vague to compare."""
    rng = np.random.default_rng(seed)
    radius = rng.choice([2.0, 10.0, 30.0, 120.0], n, p=[0.5, 0.3, 0.15, 0.05])
    span = rng.choice([0.0, 24.0 - 1e-6, 7 * 24.0 - 1e-6, 30 * 24.0], n,
                      p=[0.45, 0.4, 0.1, 0.05])
    t0 = 412_000.0 + rng.uniform(0, 10 * 24, n)
    t0 = np.where(span > 0, np.floor(t0 / 24) * 24, t0)
    return columns(
        n, lon=rng.uniform(36.0, 37.5, n), lat=rng.uniform(35.0, 36.2, n), radius_km=radius,
        t0_h=t0, t1_h=t0 + span, correlatable=span <= 7 * 24.0,
        violation=rng.integers(0, 3, n).astype(np.int8),
        perpetrators=(np.uint64(1) << rng.integers(0, 4, n).astype(np.uint64)),
        killed=rng.integers(-1, 6, n).astype(np.int32))


def simulated(seed: int, events: int = 300, days: int = 15):
    """Columns of simulated reports (dense: many near misses), and their true events."""
    from datetime import date
    from importlib import resources

    from ceasefire.correlate.columns import ActorBits, columns_of
    from ceasefire.correlate.settings import CorrelationSettings
    from ceasefire.geo.admin import syria
    from ceasefire.geo.gazetteer import syria_gazetteer
    from ceasefire.intake.scenario import parse
    from ceasefire.simulate import simulate

    text = resources.files("ceasefire.scenarios").joinpath("syria-2016.toml").read_text()
    actors = parse(text, source="syria-2016.toml").actors
    sim = simulate(seed, events=events, start=date(2017, 1, 1), days=days, admin=syria(),
                   gazetteer=syria_gazetteer(), actors=actors)
    cols = columns_of(sim.reports, CorrelationSettings(), syria(),
                      ActorBits.of((a.code, a.side) for a in actors))
    return cols, np.array([sim.truth[r.id] for r in sim.reports])


def with_areas(n: int, seed: int) -> ReportColumns:
    """Reports over northern Syria, a third of them known only to a district or a
    governorate (the shipped boundaries), the rest points and named places."""
    from ceasefire.geo.admin import syria

    admin = syria()
    grid = admin.area_grid()
    rng = np.random.default_rng(seed)
    cols = mixed(n, seed)
    lon, lat = rng.uniform(36.0, 38.5, n), rng.uniform(35.0, 36.8, n)
    radius = rng.choice([2.0, 10.0], n)
    area = np.full(n, -1, np.int32)
    north = [k for k, c in enumerate(grid.codes)
             if 35.0 < admin.extent(c)[0].lat < 37.0 and admin.extent(c)[0].lon < 38.5]
    coarse = rng.random(n) < 0.3
    area[coarse] = rng.choice(north, int(coarse.sum()))
    for k in np.flatnonzero(coarse):
        centre, radius[k] = admin.extent(grid.codes[area[k]])
        lon[k], lat[k] = centre.lon, centre.lat
    span = cols.t1_h - cols.t0_h
    t0 = 412_000.0 + rng.uniform(0, 40 * 24, n)
    t0 = np.where(span > 0, np.floor(t0 / 24) * 24, t0)
    return columns(n, lon=lon, lat=lat, radius_km=radius, area=area, areas=grid,
                   t0_h=t0, t1_h=t0 + span, correlatable=cols.correlatable,
                   violation=cols.violation, perpetrators=cols.perpetrators,
                   killed=cols.killed)
