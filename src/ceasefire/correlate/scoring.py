"""Scores of candidate pairs: how much each field says the two reports are one event.

Each field gives a similarity in -1..1 (0: the field says nothing, e.g. one report names
no actor); the pair's score is their weighted sum, and the pair is linked when it reaches
the threshold. Place and time weigh less the vaguer the two reports are: two reports of
"somewhere in the district, that week" agree cheaply. Narratives are compared only for
pairs whose decision they could change, which gives the same links as comparing all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ceasefire.correlate.candidates import distance_km
from ceasefire.correlate.columns import VIOLATIONS, ReportColumns
from ceasefire.correlate.settings import CorrelationSettings
from ceasefire.domain.taxonomy import type_similarity

FIELDS = ("place", "time", "type", "actors", "casualties", "narrative")

_TYPE_TABLE = np.array([[type_similarity(a, b) for b in VIOLATIONS] for a in VIOLATIONS])
# Names and figures carry what tells two events apart ("Kafr Laha", "4 killed"); the
# template words every report shares ("positions", "reported") do not.
_SALIENT = re.compile(r"\b(?:[A-Z\u0600-\u06FF][\w'-]+|\d+)")
_COMMON = frozenset({
    "The", "A", "An", "In", "On", "At", "Near", "There", "No", "Local", "Details",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday"})


@dataclass(frozen=True, slots=True)
class PairScores:
    """Per-field similarities and the weighted total, one entry per pair."""

    i: np.ndarray
    j: np.ndarray
    fields: dict[str, np.ndarray]
    total: np.ndarray


def _vagueness_factor(spread: np.ndarray, scale: float) -> np.ndarray:
    return scale / np.maximum(scale, spread)


def place_similarity(cols: ReportColumns, i: np.ndarray, j: np.ndarray,
                     s: CorrelationSettings) -> np.ndarray:
    """Closeness within reach, weighed by how specific the two places are. A place named
    by its town is as specific as a point: two reports naming one village agree strongly,
    though either event may lie anywhere near it."""
    d = distance_km(cols.lon[i], cols.lat[i], cols.lon[j], cols.lat[j])
    reach = cols.radius_km[i] + cols.radius_km[j] + s.slack_km
    spread = _area_radius(cols.radius_km[i], s) + _area_radius(cols.radius_km[j], s)
    return _vagueness_factor(spread, s.place_scale_km) * (1.0 - 2.0 * d / reach)


def _area_radius(radius: np.ndarray, s: CorrelationSettings) -> np.ndarray:
    return np.where(radius <= s.near_radius_km, s.exact_radius_km, radius)


def time_similarity(cols: ReportColumns, i: np.ndarray, j: np.ndarray,
                    s: CorrelationSettings) -> np.ndarray:
    span = (cols.t1_h[i] - cols.t0_h[i]) + (cols.t1_h[j] - cols.t0_h[j])
    apart = np.abs((cols.t0_h[i] + cols.t1_h[i]) - (cols.t0_h[j] + cols.t1_h[j])) * 0.5
    similarity = 1.0 - 2.0 * apart / (span * 0.5 + s.slack_hours)
    return _vagueness_factor(span, s.time_scale_hours) * np.maximum(similarity, -1.0)


def type_sim(cols: ReportColumns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    return _TYPE_TABLE[cols.violation[i], cols.violation[j]]


def actor_similarity(cols: ReportColumns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Same perpetrator 1; blame reversed or someone named by both 0.5; only the same side
    0.25; nobody in common -1; 0 when either names nobody."""
    pi, ti, pj, tj = cols.perpetrators[i], cols.targets[i], cols.perpetrators[j], cols.targets[j]
    zero = np.uint64(0)
    named = ((pi | ti) != zero) & ((pj | tj) != zero)
    shared = ((pi | ti) & (pj | tj)) != zero
    out = np.where(named, -1.0, 0.0)
    out = np.where(named & ((cols.sides[i] & cols.sides[j]) != zero), 0.25, out)
    out = np.where(named & shared, 0.5, out)
    return np.where((pi & pj) != zero, 1.0, out)


def casualty_similarity(cols: ReportColumns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Close death tolls agree; 0 when either source gives none."""
    ki, kj = cols.killed[i], cols.killed[j]
    ratio = (np.maximum(np.minimum(ki, kj), 0) + 1.0) / (np.maximum(np.maximum(ki, kj), 0) + 1.0)
    return np.where((ki >= 0) & (kj >= 0), 2.0 * ratio - 1.0, 0.0)


@lru_cache(maxsize=1 << 16)
def _salient(text: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in _SALIENT.findall(text) if w not in _COMMON)


def narrative_similarity(cols: ReportColumns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Overlap (Jaccard) of the names and figures the two narratives give, in -1..1."""
    out = np.zeros(len(i))
    for k, (a, b) in enumerate(zip(cols.narrative[i].tolist(), cols.narrative[j].tolist(),
                                   strict=True)):
        wa, wb = _salient(a), _salient(b)
        if wa and wb:
            out[k] = 2.0 * len(wa & wb) / len(wa | wb) - 1.0
    return out


def score_pairs(cols: ReportColumns, i: np.ndarray, j: np.ndarray, s: CorrelationSettings, *,
                all_fields: bool = False) -> PairScores:
    """Scores of the pairs (i, j). Narratives are compared only where they can change the
    link decision, unless ``all_fields`` (for explanations)."""
    fields = {"place": place_similarity(cols, i, j, s), "time": time_similarity(cols, i, j, s),
              "type": type_sim(cols, i, j), "actors": actor_similarity(cols, i, j),
              "casualties": casualty_similarity(cols, i, j)}
    total = (s.place_weight * fields["place"] + s.time_weight * fields["time"]
             + s.type_weight * fields["type"] + s.actor_weight * fields["actors"]
             + s.casualty_weight * fields["casualties"])
    narrative = np.zeros(len(i))
    open_ = (np.ones(len(i), bool) if all_fields
             else np.abs(total - s.threshold) <= s.narrative_weight)
    if s.narrative_weight > 0 and open_.any():
        narrative[open_] = narrative_similarity(cols, i[open_], j[open_])
        total = total + s.narrative_weight * narrative
    fields["narrative"] = narrative
    return PairScores(i, j, fields, total)
