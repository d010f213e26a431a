"""Scores of candidate pairs: how strongly each field says two reports are one event.

Each field sorts the pair into one level (places 1–2 km apart; the same perpetrator; death
tolls within 25%...). Each level carries points: the log of how much likelier that level
is for two reports of one event than for two reports of different events that are still
candidates (a Fellegi–Sunter match weight). The points are learnt from the simulator's
ground truth (bench/correlation_quality.py) and live in the settings. A pair's score is the
prior log-odds plus its fields' points; it is linked when the score reaches the threshold.
Narratives are compared only for pairs whose link decision they could change, which gives
the same links as comparing them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
from numba import njit
from numpy.typing import NDArray

from ceasefire.correlate.candidates import KM_PER_DEG
from ceasefire.correlate.columns import VIOLATIONS, Positions, ReportColumns
from ceasefire.correlate.settings import CorrelationSettings
from ceasefire.correlate.threads import run_all, threads
from ceasefire.domain.taxonomy import type_similarity

FIELDS = ("place", "time", "type", "actors", "casualties", "source", "narrative")

_FINE_KM = (0.25, 1.0, 2.0, 3.5, 6.0, 10.0, 15.0)
_FINE_KM2 = tuple(km * km for km in _FINE_KM)
TWO_PLACES = 12  # the place level of two exact places further apart than their radii allow
# A record coded to a town's centre (ACLED geo_precision 1) stands for the whole town: an
# event at its edge lies a little beyond the exact radius (tests/api/test_source_keys.py).
_APART_MARGIN_KM = 0.5
_EXACT_H = (0.25, 0.5, 1.0, 2.0, 3.0, 4.5)
_TYPE_STEPS = (-1.0, 0.0, 0.3, 0.5, 0.6, 1.0)
_JACCARD = (0.1, 0.2, 0.35, 0.5, 0.7)

LEVELS: dict[str, tuple[str, ...]] = {
    "place": ("under 0.25 km apart", "0.25-1 km apart", "1-2 km apart", "2-3.5 km apart",
              "3.5-6 km apart", "6-10 km apart", "10-15 km apart", "over 15 km apart",
              "one is an area, the other near its centre", "one is an area, the other at its edge",
              "both areas, centres close", "both areas, centres far apart",
              "both exact, further apart than their radii allow"),
    "time": ("under 15 min apart", "15-30 min apart", "30-60 min apart", "1-2 h apart",
             "2-3 h apart", "3-4.5 h apart", "over 4.5 h apart",
             "a time within the other's day", "a time outside the other's day",
             "the same day", "neighbouring days",
             "one gives the week, overlapping", "one gives the week, not overlapping"),
    "type": ("different kinds", "fighting and remote violence", "related types",
             "one is of unknown kind", "often confused types", "the same type"),
    "actors": ("one names nobody", "nobody in common", "only the same side",
               "someone in common", "blame reversed", "the same perpetrator",
               "the same perpetrator and target"),
    "casualties": ("one gives no toll", "tolls far apart", "tolls within 50%",
                   "tolls within 25%", "the same toll"),
    "source": ("different sources", "the same source"),
    "narrative": ("one gives no names or figures", "names and figures: under 10% shared",
                  "10-20% shared", "20-35% shared", "35-50% shared", "50-70% shared",
                  "over 70% shared"),
}

_TYPE_TABLE = np.array([[type_similarity(a, b) for b in VIOLATIONS] for a in VIOLATIONS])


@dataclass(frozen=True, slots=True)
class PairScores:
    """Per-field levels, and the total, one entry per pair."""

    i: Positions
    j: Positions
    levels: dict[str, NDArray[np.int64]]
    total: NDArray[np.float64]

    def points(self, settings: CorrelationSettings) -> dict[str, NDArray[np.float64]]:
        """What each field added to each pair's score."""
        table = settings.points()
        return {f: table[f][self.levels[f]] for f in FIELDS}

    def vetoed(self, settings: CorrelationSettings) -> NDArray[np.bool_]:
        """Pairs that must not end in one incident (see judge_pairs)."""
        narrative = settings.points()["narrative"][self.levels["narrative"]]
        same_source = (self.levels["source"] == 1) & (self.total < settings.threshold)
        vetoed: NDArray[np.bool_] = ((self.total - narrative <= settings.veto) | same_source
                                     | (self.levels["place"] == TWO_PLACES))
        return vetoed


def score_pairs(cols: ReportColumns, i: Positions, j: Positions, s: CorrelationSettings, *,
                all_fields: bool = False) -> PairScores:
    """Scores of the pairs (i, j), field by field. Narratives are compared only where they
    can change the link or veto decision, unless ``all_fields`` (for explanations);
    elsewhere their level is 0."""
    levels, total, _ = _score(i.astype(np.int64), j.astype(np.int64), _inputs(cols, s),
                              cols.names, *_decision_inputs(s), bool(all_fields), True,
                              cols.dataset.astype(np.int64), cols.key)
    return PairScores(i, j, {f: levels[k] for k, f in enumerate(FIELDS)}, total)


NEITHER, LINK, VETO = 0, 1, 2


def judge_pairs(cols: ReportColumns, i: Positions, j: Positions, s: CorrelationSettings,
                ) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """Each pair's total, and whether it is a LINK, a VETO or NEITHER: what the engine
    needs, without keeping every field's level. A pair at the threshold that joins two
    records of one curated dataset with different keys is not a link.

    A pair is vetoed when its fields other than the narrative score at or below the veto:
    hashed names and figures can tip a close link, but only facts (place, time, type,
    actors, tolls) keep reports apart, and most pairs are then decided without reading
    their narratives. Two reports of one source that do not link are vetoed too: a
    source reports an event once, or twice in words close enough to link, so two of its
    reports joined only through others' are two events (16 simulated events a day, seed
    2: pairwise precision 0.918 → 0.932, recall 0.965 → 0.959). Two reports placed
    exactly, further apart than their two radii (and a half km) allow, are vetoed whatever
    their score: each lies within its radius of the event, so they are two places, however
    alike the rest (docs/decisions.md)."""
    i64, j64 = i.astype(np.int64), j.astype(np.int64)
    shared = (_inputs(cols, s), cols.names, *_decision_inputs(s), False, False,
              cols.dataset.astype(np.int64), cols.key)
    count = threads() if len(i64) >= _MANY else 1
    edges = np.linspace(0, len(i64), count + 1).astype(int)
    parts = run_all(lambda k: _score(i64[edges[k]:edges[k + 1]], j64[edges[k]:edges[k + 1]],
                                     *shared)[1:], range(count), count)
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))


_MANY = 100_000  # pairs worth splitting over threads


Floats: TypeAlias = NDArray[np.float64]
Ints: TypeAlias = NDArray[np.int64]
Masks: TypeAlias = NDArray[np.uint64]
Inputs: TypeAlias = tuple[Floats, Floats, Floats, Floats, Floats, Floats, Ints, Masks, Masks,
                          Masks, Ints, Ints, Floats, float, float]
"""The columns and tables the compiled scoring reads, in its order (_inputs)."""
Decision: TypeAlias = tuple[Floats, float, float, float, float, float]
"""Points per field and level, the prior, threshold and veto, and the bounds of the
scores whose narratives are read (_decision_inputs)."""


def _inputs(cols: ReportColumns, s: CorrelationSettings) -> Inputs:
    """The columns and tables the compiled scoring reads, in its order."""
    return (cols.lon, cols.lat, np.cos(np.radians(cols.lat)), cols.radius_km, cols.t0_h,
            cols.t1_h, cols.violation.astype(np.int64), cols.perpetrators, cols.targets,
            cols.sides,
            cols.killed.astype(np.int64), cols.source.astype(np.int64), _TYPE_TABLE,
            float(s.near_radius_km), float(s.slack_km))


def _decision_inputs(s: CorrelationSettings) -> Decision:
    table = s.points()
    narrative = table["narrative"]
    # A pair whose other fields score below `low` stays short of the threshold with the
    # best narrative; one from `high` on reaches it with the worst. Only in between are
    # the narratives read.
    return (np.stack([_padded(table[f]) for f in FIELDS]), float(s.prior),
            float(s.threshold), float(s.veto), float(s.threshold - narrative.max() - 1e-9),
            float(s.threshold - narrative.min() + 1e-9))


def _padded(points: Floats) -> Floats:
    out = np.zeros(_MOST_LEVELS)
    out[:len(points)] = points
    return out


_MOST_LEVELS = max(len(v) for v in LEVELS.values())
_PLACE, _TIME, _TYPE, _ACTORS, _CASUALTIES, _SOURCE, _NARRATIVE = range(len(FIELDS))


@njit(cache=True)
def _band(value: float, edges: tuple[float, ...]) -> int:  # pragma: no cover (compiled)
    """How many of the edges are at or below the value (numpy's digitize)."""
    n = 0
    for edge in edges:
        if edge <= value:
            n += 1
    return n


@njit(cache=True, nogil=True)
def _score(i: Ints, j: Ints, inputs: Inputs, names: Ints, points: Floats, prior: float,
           threshold: float, veto: float, low: float, high: float, all_fields: bool,
           keep_levels: bool, dataset: Ints, key: Ints,
           ) -> tuple[Ints, Floats, NDArray[np.int8]]:  # pragma: no cover (compiled)
    """Each pair's total, its outcome (LINK, VETO or NEITHER) and, if `keep_levels`, every
    field's level (scoring.LEVELS). The fields are written out in this one loop: as a
    function called per pair they cost twice as much."""
    (lon, lat, cos_lat, radius, t0, t1, violation, perpetrators, targets, sides, killed,
     source, type_table, near_km, slack_km) = inputs
    levels = np.zeros((7, len(i) if keep_levels else 0), np.int64)
    total = np.empty(len(i))
    outcome = np.zeros(len(i), np.int8)
    zero = np.uint64(0)
    for k in range(len(i)):
        x, y = i[k], j[k]
        # Place: distance bands between points and named places; for an area, whether
        # the other lies near its centre or towards its edge.
        # (Squared distances in km², longitude scaled by the mean cosine of latitude, as
        # the candidate rule has them.)
        dx = (lon[x] - lon[y]) * (cos_lat[x] + cos_lat[y]) * 0.5 * KM_PER_DEG
        dy = (lat[x] - lat[y]) * KM_PER_DEG
        d2 = dx * dx + dy * dy
        coarse = (radius[x] > near_km) + (radius[y] > near_km)
        both_exact = radius[x] < near_km and radius[y] < near_km
        if both_exact and d2 > (radius[x] + radius[y] + _APART_MARGIN_KM) ** 2:
            # Each exact place lies within its radius of the event: two that far apart
            # are two places (towns 4.5-9 km apart), whatever the rest says.
            place = TWO_PLACES
        elif coarse == 0:
            place = _band(d2, _FINE_KM2)
        else:
            half = 0.5 * (radius[x] + radius[y] + slack_km)
            place = 6 + 2 * coarse + (d2 > half * half)
        # Time: exact times by how far apart; a time and a day; two days; any week.
        span_x, span_y = t1[x] - t0[x], t1[y] - t0[y]
        apart = abs((t0[x] + t1[x]) - (t0[y] + t1[y])) * 0.5
        gap = max(0.0, max(t0[x] - t1[y], t0[y] - t1[x]))
        if span_x > 25.0 or span_y > 25.0:
            time = 11 + (gap > 0)
        elif span_x < 1.0 and span_y < 1.0:
            time = _band(apart, _EXACT_H)
        elif span_x < 1.0 or span_y < 1.0:
            time = 7 + (gap > 0)
        else:
            time = 9 + (apart > 12.0)
        # Type: the similarity steps -1, 0, 0.3, 0.5, 0.6, 1 are the levels 0..5.
        kind = 0
        for step in _TYPE_STEPS:
            if step < type_table[violation[x], violation[y]]:
                kind += 1
        # Actors.
        px, tx, py, ty = perpetrators[x], targets[x], perpetrators[y], targets[y]
        if (px | tx) == zero or (py | ty) == zero:
            actors = 0
        elif (px & py) != zero:
            actors = 6 if (tx & ty) != zero else 5
        elif (px & ty) != zero or (tx & py) != zero:
            actors = 4
        elif ((px | tx) & (py | ty)) != zero:
            actors = 3
        elif (sides[x] & sides[y]) != zero:
            actors = 2
        else:
            actors = 1
        # Casualties.
        if killed[x] < 0 or killed[y] < 0:
            casualties = 0
        else:
            ratio = (max(min(killed[x], killed[y]), 0) + 1.0) / (
                max(max(killed[x], killed[y]), 0) + 1.0)
            casualties = 1 + _band(ratio, (0.5, 0.75, 0.999))
        same_source = 1 if source[x] == source[y] else 0
        base = (prior + points[_PLACE, place] + points[_TIME, time] + points[_TYPE, kind]
                + points[_ACTORS, actors] + points[_CASUALTIES, casualties]
                + points[_SOURCE, same_source])
        # The narrative is read only where it could still move the pair across the
        # threshold (or when every field is asked for).
        narrative = 0
        if all_fields or low <= base < high:
            narrative = _narrative(names[x], names[y])
        t = base + points[_NARRATIVE, narrative]
        total[k] = t
        if base <= veto or place == TWO_PLACES or (same_source == 1 and t < threshold):
            outcome[k] = VETO
        elif t >= threshold and not (dataset[x] >= 0 and dataset[x] == dataset[y]
                                     and key[x] != key[y]):
            outcome[k] = LINK
        if keep_levels:
            levels[_PLACE, k], levels[_TIME, k], levels[_TYPE, k] = place, time, kind
            levels[_ACTORS, k], levels[_CASUALTIES, k] = actors, casualties
            levels[_SOURCE, k], levels[_NARRATIVE, k] = same_source, narrative
    return levels, total, outcome


@njit(cache=True)
def _narrative(a: Ints, b: Ints) -> int:  # pragma: no cover (compiled)
    """How many of the names and figures the two narratives give are shared (Jaccard).
    Each row holds its hashes in ascending order, zeros after: one merge counts them."""
    u, v, shared = 0, 0, 0
    while u < len(a) and v < len(b) and a[u] != 0 and b[v] != 0:
        if a[u] == b[v]:
            shared += 1
            u += 1
            v += 1
        elif a[u] < b[v]:
            u += 1
        else:
            v += 1
    given_a = given_b = 0
    while given_a < len(a) and a[given_a] != 0:
        given_a += 1
    while given_b < len(b) and b[given_b] != 0:
        given_b += 1
    if given_a == 0 or given_b == 0:
        return 0
    return 1 + _band(shared / (given_a + given_b - shared), _JACCARD)
