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

import numpy as np

from ceasefire.correlate.candidates import distance_km
from ceasefire.correlate.columns import VIOLATIONS, ReportColumns
from ceasefire.correlate.settings import CorrelationSettings
from ceasefire.domain.taxonomy import type_similarity

FIELDS = ("place", "time", "type", "actors", "casualties", "source", "narrative")

_FINE_KM = (0.25, 1.0, 2.0, 3.5, 6.0, 10.0, 15.0)
_EXACT_H = (0.25, 0.5, 1.0, 2.0, 3.0, 4.5)
_TYPE_STEPS = (-1.0, 0.0, 0.3, 0.5, 0.6, 1.0)
_JACCARD = (0.1, 0.2, 0.35, 0.5, 0.7)

LEVELS: dict[str, tuple[str, ...]] = {
    "place": ("under 0.25 km apart", "0.25-1 km apart", "1-2 km apart", "2-3.5 km apart",
              "3.5-6 km apart", "6-10 km apart", "10-15 km apart", "over 15 km apart",
              "one is an area, the other near its centre", "one is an area, the other at its edge",
              "both areas, centres close", "both areas, centres far apart"),
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
_CHUNK = 250_000  # pairs per step of the narrative comparison: bounds its memory


def _first(conditions: list[np.ndarray], choices: list[int], default: int) -> np.ndarray:
    """The choice of the first true condition, element by element."""
    out = np.full(len(conditions[0]) if conditions else 0, default, np.int64)
    for condition, choice in zip(reversed(conditions), reversed(choices), strict=True):
        out = np.where(condition, choice, out)
    return out


@dataclass(frozen=True, slots=True)
class PairScores:
    """Per-field levels and points, and the total, one entry per pair."""

    i: np.ndarray
    j: np.ndarray
    levels: dict[str, np.ndarray]
    points: dict[str, np.ndarray]
    total: np.ndarray


def place_level(cols: ReportColumns, i: np.ndarray, j: np.ndarray,
                s: CorrelationSettings) -> np.ndarray:
    """Distance bands for two points or named places; for an admin area, whether the other
    lies near its centre or towards its edge."""
    d = distance_km(cols.lon[i], cols.lat[i], cols.lon[j], cols.lat[j])
    coarse = (cols.radius_km[i] > s.near_radius_km).astype(np.int8) \
        + (cols.radius_km[j] > s.near_radius_km)
    edge = d > 0.5 * (cols.radius_km[i] + cols.radius_km[j] + s.slack_km)
    return np.where(coarse == 0, np.digitize(d, _FINE_KM), 6 + 2 * coarse + edge)


def time_level(cols: ReportColumns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    span_i, span_j = cols.t1_h[i] - cols.t0_h[i], cols.t1_h[j] - cols.t0_h[j]
    exact_i, exact_j = span_i < 1.0, span_j < 1.0
    apart = np.abs((cols.t0_h[i] + cols.t1_h[i]) - (cols.t0_h[j] + cols.t1_h[j])) * 0.5
    gap = np.maximum(0.0, np.maximum(cols.t0_h[i] - cols.t1_h[j], cols.t0_h[j] - cols.t1_h[i]))
    week = (span_i > 25.0) | (span_j > 25.0)
    by_kind = np.where(week, 11 + (gap > 0), np.where(
        exact_i & exact_j, np.digitize(apart, _EXACT_H), np.where(
            exact_i ^ exact_j, 7 + (gap > 0), 9 + (apart > 12.0))))
    return by_kind.astype(np.int64)


def type_level(cols: ReportColumns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    return np.searchsorted(_TYPE_STEPS, _TYPE_TABLE[cols.violation[i], cols.violation[j]])


def actor_level(cols: ReportColumns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    pi, ti, pj, tj = cols.perpetrators[i], cols.targets[i], cols.perpetrators[j], cols.targets[j]
    zero = np.uint64(0)
    named = ((pi | ti) != zero) & ((pj | tj) != zero)
    same_perpetrator = (pi & pj) != zero
    return _first(
        [~named, same_perpetrator & ((ti & tj) != zero), same_perpetrator,
         ((pi & tj) != zero) | ((ti & pj) != zero), ((pi | ti) & (pj | tj)) != zero,
         (cols.sides[i] & cols.sides[j]) != zero],
        [0, 6, 5, 4, 3, 2], 1)


def casualty_level(cols: ReportColumns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    ki, kj = cols.killed[i], cols.killed[j]
    ratio = (np.maximum(np.minimum(ki, kj), 0) + 1.0) / (np.maximum(np.maximum(ki, kj), 0) + 1.0)
    return np.where((ki < 0) | (kj < 0), 0, 1 + np.digitize(ratio, (0.5, 0.75, 0.999)))


def narrative_level(cols: ReportColumns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """How many of the names and figures the two narratives give are shared (Jaccard)."""
    out = np.zeros(len(i), np.int64)
    for start in range(0, len(i), _CHUNK):
        a = cols.names[i[start:start + _CHUNK]]
        b = cols.names[j[start:start + _CHUNK]]
        shared = ((a[:, :, None] == b[:, None, :]) & (a[:, :, None] != 0)).sum(axis=(1, 2))
        given_a, given_b = (a != 0).sum(axis=1), (b != 0).sum(axis=1)
        union = np.maximum(given_a + given_b - shared, 1)
        level = 1 + np.searchsorted(_JACCARD, shared / union, "right")
        out[start:start + _CHUNK] = np.where((given_a > 0) & (given_b > 0), level, 0)
    return out


def score_pairs(cols: ReportColumns, i: np.ndarray, j: np.ndarray, s: CorrelationSettings, *,
                all_fields: bool = False) -> PairScores:
    """Scores of the pairs (i, j). Narratives are compared only where they can change the
    link decision, unless ``all_fields`` (for explanations); elsewhere their level is 0."""
    levels = {"place": place_level(cols, i, j, s), "time": time_level(cols, i, j),
              "type": type_level(cols, i, j), "actors": actor_level(cols, i, j),
              "casualties": casualty_level(cols, i, j),
              "source": (cols.source[i] == cols.source[j]).astype(np.int64)}
    table = s.points()
    points = {f: table[f][levels[f]] for f in levels}
    total = s.prior + sum(points.values())
    narrative = np.zeros(len(i), np.int64)
    swing = np.abs(table["narrative"] - table["narrative"][0]).max()
    open_ = (np.ones(len(i), bool) if all_fields
             else np.abs(total + table["narrative"][0] - s.threshold) <= swing)
    if open_.any():
        narrative[open_] = narrative_level(cols, i[open_], j[open_])
    levels["narrative"] = narrative
    points["narrative"] = table["narrative"][narrative]
    return PairScores(i, j, levels, points, total + points["narrative"])
