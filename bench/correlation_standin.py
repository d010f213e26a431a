"""Seeded stand-in reports for the correlation benchmark, made with numpy in seconds.

Events fall on Syria's bounding box (60% around 60 hot spots, 40% anywhere) at a constant
density: 500 reports a day, so 1,000,000 reports span 2,000 days and 100,000 span 200, and
the work per report stays the same across sizes. Each event has 1–4 reports, each from
a different source; a report lies within 1.5 km and 2 h of its event, or gives only the
day (15%), or only the district (10%: the district's centre, 36 km radius). Type, actors,
casualty figure and wording vary between reports of one event as they do between sources.

The reports come as the engine's ``ReportColumns``.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

import numpy as np

from ceasefire.correlate.columns import ReportColumns

SEED = 20170101
REPORTS_PER_DAY = 500
LON = (35.7, 42.4)
LAT = (32.3, 37.3)
HOT_SPOTS = 60
ADM2_DEGREES = 0.5  # stand-in districts: a 0.5° grid
DISTRICT_RADIUS_KM = 36.0  # half the diagonal of a 0.5° cell at 35° N
ACTORS = 40
DATASETS = 6
VOCABULARY = 4000
COMMON_WORDS = 300
START_H = (datetime(2017, 1, 1, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)
           ).total_seconds() / 3600.0
# Pairs of types sources confuse (indices into ViolationType's order).
_CONFUSED = np.array([1, 0, 0, 2, 0, 7, 5, 5, 7, 8, 9, 10, 12, 6])
_TYPE_WEIGHTS = np.array([22, 25, 8, 2, 1, 15, 6, 10, 5, 2, 1, 2, 1, 0.5])
_SYLLABLES = ("al", "ba", "dar", "el", "fa", "ha", "ja", "ka", "la", "ma", "na", "qa",
              "ra", "sa", "ta", "wa", "ya", "za", "kh", "sh")


def _words(rng: np.random.Generator) -> np.ndarray:
    s = np.array(_SYLLABLES, dtype=object)
    parts = rng.integers(0, len(s), size=(VOCABULARY, 3))
    words = s[parts[:, 0]] + s[parts[:, 1]] + s[parts[:, 2]]
    return np.array([f"{w}{i % 7 or ''}" for i, w in enumerate(words)], dtype=object)


def _event_sizes(rng: np.random.Generator, n: int) -> np.ndarray:
    sizes = rng.choice([1, 2, 3, 4], p=[0.35, 0.30, 0.20, 0.15], size=n)
    total = np.cumsum(sizes)
    m = int(np.searchsorted(total, n)) + 1
    sizes = sizes[:m].copy()
    sizes[-1] -= total[m - 1] - n
    return sizes


def _district_centre(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The centre of the stand-in district (a 0.5° grid cell) around each point."""
    ix = np.floor((np.clip(lon, *LON) - LON[0]) / ADM2_DEGREES)
    iy = np.floor((np.clip(lat, *LAT) - LAT[0]) / ADM2_DEGREES)
    return LON[0] + (ix + 0.5) * ADM2_DEGREES, LAT[0] + (iy + 0.5) * ADM2_DEGREES


def stand_in(n: int, *, seed: int = SEED) -> tuple[ReportColumns, np.ndarray]:
    """n reports and, per report, the index of its true event."""
    rng = np.random.default_rng(seed)
    sizes = _event_sizes(rng, n)
    m = len(sizes)
    km_lon = 111.32 * np.cos(np.radians(sum(LAT) / 2))

    # Events: where, when, what, who.
    spots_lon = rng.uniform(*LON, HOT_SPOTS)
    spots_lat = rng.uniform(*LAT, HOT_SPOTS)
    spots_km = rng.uniform(3.0, 25.0, HOT_SPOTS)
    spot = rng.integers(0, HOT_SPOTS, m)
    hot = rng.random(m) < 0.6
    e_lon = np.where(hot, spots_lon[spot] + rng.normal(0, 1, m) * spots_km[spot] / km_lon,
                     rng.uniform(*LON, m))
    e_lat = np.where(hot, spots_lat[spot] + rng.normal(0, 1, m) * spots_km[spot] / 110.574,
                     rng.uniform(*LAT, m))
    e_lon, e_lat = np.clip(e_lon, *LON), np.clip(e_lat, *LAT)
    e_t = START_H + rng.uniform(0, max(30.0, n / REPORTS_PER_DAY) * 24.0, m)
    e_type = rng.choice(len(_TYPE_WEIGHTS), p=_TYPE_WEIGHTS / _TYPE_WEIGHTS.sum(), size=m)
    popularity = 1.0 / np.arange(1, ACTORS + 1)
    popularity /= popularity.sum()
    e_perp = np.uint64(1) << rng.choice(ACTORS, p=popularity, size=m).astype(np.uint64)
    second = rng.random(m) < 0.25
    e_perp[second] |= np.uint64(1) << rng.choice(ACTORS, p=popularity,
                                                 size=int(second.sum())).astype(np.uint64)
    civilians = rng.random(m) < 0.4
    e_targ = np.where(civilians, np.uint64(1 << 63),
                      np.uint64(1) << rng.choice(ACTORS, p=popularity, size=m).astype(np.uint64))
    e_killed = np.where(rng.random(m) < 0.4, 0, rng.geometric(0.15, m))
    vocabulary = _words(rng)
    e_words = rng.integers(COMMON_WORDS + 200, VOCABULARY, size=(m, 1))
    e_sources = np.argsort(rng.random((m, DATASETS)), axis=1)  # distinct per event

    # Reports: each a noisy account of its event.
    event = np.repeat(np.arange(m), sizes)
    rank = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    r = 1.5 * np.sqrt(rng.random(n))
    a = rng.uniform(0, 2 * np.pi, n)
    lon = e_lon[event] + r * np.cos(a) / km_lon
    lat = e_lat[event] + r * np.sin(a) / 110.574
    radius = rng.uniform(0.5, 2.0, n)
    c_lon, c_lat = _district_centre(lon, lat)
    district_only = rng.random(n) < 0.10
    lon = np.where(district_only, c_lon, lon)
    lat = np.where(district_only, c_lat, lat)
    radius = np.where(district_only, DISTRICT_RADIUS_KM, radius)
    t = e_t[event] + rng.uniform(-2.0, 2.0, n)
    day_only = rng.random(n) < 0.15
    t0 = np.where(day_only, np.floor(t / 24.0) * 24.0, t)
    t1 = np.where(day_only, t0 + 24.0, t)

    roll = rng.random(n)
    violation = np.where(roll < 0.85, e_type[event],
                         np.where(roll < 0.95, _CONFUSED[e_type[event]],
                                  rng.integers(0, len(_TYPE_WEIGHTS), n))).astype(np.int8)
    roll = rng.random(n)
    perpetrators = np.where(roll < 0.15, np.uint64(0), e_perp[event])
    swap = roll > 0.92
    perpetrators[swap] = np.uint64(1) << rng.integers(0, ACTORS, int(swap.sum())).astype(
        np.uint64)
    targets = np.where(rng.random(n) < 0.2, np.uint64(0), e_targ[event])
    side_of = rng.integers(0, 4, ACTORS)
    sides = np.zeros(n, dtype=np.uint64)
    for bit in range(ACTORS):
        named = ((perpetrators | targets) >> np.uint64(bit)) & np.uint64(1) == 1
        sides[named] |= np.uint64(1 << int(side_of[bit]))
    killed = e_killed[event] + np.where(rng.random(n) < 0.2, rng.integers(-2, 3, n), 0)
    killed = np.where(rng.random(n) < 0.3, -1, np.maximum(killed, 0)).astype(np.int32)
    source = e_sources[event, rank].astype(np.int32)
    dataset = np.where(rng.random(n) < 0.2, -1, source).astype(np.int32)  # 20% unkeyed
    key = np.where(dataset >= 0, np.arange(n), -1).astype(np.int64)
    received = t1 + rng.exponential(24.0, n)

    # Wording: two words of the type's register, the name of the place (a 5 km grid
    # cell, so neighbouring events share it) in 60% of reports, an event's own detail in
    # 30%, and three common words.
    place_name = ((np.floor(e_lon * km_lon / 5.0) * 7919 + np.floor(e_lat * 110.574 / 5.0))
                  % VOCABULARY).astype(np.int64)[event]
    register = violation[:, None].astype(np.int64) * 10 + rng.integers(0, 10, (n, 2))
    detail = e_words[event, 0]
    common = rng.integers(0, COMMON_WORDS, (n, 3))
    words = np.concatenate([vocabulary[register], vocabulary[common + 200]], axis=1)
    words = np.concatenate([words, np.where(rng.random(n) < 0.6, vocabulary[place_name], ""
                                            )[:, None],
                            np.where(rng.random(n) < 0.3, vocabulary[detail], "")[:, None]],
                           axis=1)
    narrative = np.array([" ".join(w for w in row if w) for row in words.tolist()],
                         dtype=object)

    order = rng.permutation(n)  # reports arrive mixed, not grouped by event
    values = {
        "ids": np.array([f"r{i:07d}" for i in range(n)], dtype=object), "lon": lon,
        "lat": lat, "radius_km": radius, "t0_h": t0, "t1_h": t1,
        "correlatable": np.ones(n, dtype=bool), "violation": violation,
        "perpetrators": perpetrators, "targets": targets, "sides": sides, "killed": killed,
        "dataset": dataset, "key": key, "received_h": received, "narrative": narrative,
        "source": source}
    columns = ReportColumns(**{f.name: values[f.name][order] if f.name != "ids"
                               else values["ids"] for f in fields(ReportColumns)})
    return columns, event[order]
