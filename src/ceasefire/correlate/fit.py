"""Learning the points of each field's levels from pairs whose truth is known.

Supervised Fellegi–Sunter: for each level, log P(level | same event) - log P(level |
different events), over candidate pairs, with add-one-half smoothing so an unseen level
scores near 0, capped so that no single field decides alone.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ceasefire.correlate.columns import Positions, ReportColumns
from ceasefire.correlate.scoring import FIELDS, LEVELS, score_pairs
from ceasefire.correlate.settings import POINTS_CAP, POINTS_FIELDS, CorrelationSettings


def training_pairs(cols: ReportColumns, i: Positions, j: Positions, truth: NDArray[Any],
                   settings: CorrelationSettings,
                   ) -> tuple[dict[str, NDArray[np.int64]], NDArray[np.bool_]]:
    """Every field's level for each candidate pair, and whether the pair is one event.
    Pairs a curated dataset keeps apart are left out: the engine never scores them."""
    apart = (cols.dataset[i] >= 0) & (cols.dataset[i] == cols.dataset[j]) \
        & (cols.key[i] != cols.key[j])
    i, j = i[~apart], j[~apart]
    scores = score_pairs(cols, i, j, settings, all_fields=True)
    return scores.levels, truth[i] == truth[j]


def fit_points(levels: dict[str, NDArray[np.int64]], same: NDArray[np.bool_],
               settings: CorrelationSettings) -> CorrelationSettings:
    """``settings`` with points and prior learnt from these pairs."""
    if same.all() or not same.any():
        raise ValueError("need pairs of both kinds to learn from")
    learnt: dict[str, Any] = {}  # replace()'s keyword arguments, named by POINTS_FIELDS
    for field in FIELDS:
        size = len(LEVELS[field])
        match = np.bincount(levels[field][same], minlength=size) + 0.5
        other = np.bincount(levels[field][~same], minlength=size) + 0.5
        weight = np.log(match / match.sum()) - np.log(other / other.sum())
        learnt[POINTS_FIELDS[field]] = tuple(
            round(float(w), 2) for w in np.clip(weight, -POINTS_CAP, POINTS_CAP))
    prior = round(float(np.log(same.sum() / (~same).sum())), 2)
    return replace(settings, prior=prior, **learnt)
