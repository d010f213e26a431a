"""How close a clustering is to the truth: pairwise and B-cubed precision, recall and F1.

Pairwise counts pairs of reports put together; B-cubed (Bagga & Baldwin 1998) averages,
per report, how much of its cluster is right (precision) and how much of its true event
its cluster holds (recall), so large incidents do not dominate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ceasefire.correlate.columns import Positions


@dataclass(frozen=True, slots=True)
class Quality:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _codes(labels: ArrayLike) -> NDArray[np.intp]:
    return np.unique(np.asarray(labels), return_inverse=True)[1].ravel()


def _contingency(truth: ArrayLike, predicted: ArrayLike,
                 ) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp],
                            NDArray[np.intp]]:
    """Sizes of each (true, predicted) cell per report, and of each report's true event and
    predicted cluster."""
    t, p = _codes(truth), _codes(predicted)
    cell = t.astype(np.int64) * (int(p.max()) + 1 if len(p) else 1) + p
    _, inverse, cell_size = np.unique(cell, return_inverse=True, return_counts=True)
    return (cell_size[inverse], np.bincount(t)[t], np.bincount(p)[p], cell_size)


def pairwise(truth: ArrayLike, predicted: ArrayLike) -> Quality:
    _, true_size, pred_size, cell_size = _contingency(truth, predicted)
    both = float(np.sum(cell_size * (cell_size - 1)))
    true_pairs = float(np.sum(np.bincount(_codes(truth)) ** 2 - np.bincount(_codes(truth))))
    pred_pairs = float(np.sum(np.bincount(_codes(predicted)) ** 2
                              - np.bincount(_codes(predicted))))
    return Quality(both / pred_pairs if pred_pairs else 1.0,
                   both / true_pairs if true_pairs else 1.0)


def bcubed(truth: ArrayLike, predicted: ArrayLike) -> Quality:
    cell, true_size, pred_size, _ = _contingency(truth, predicted)
    if not len(cell):
        return Quality(1.0, 1.0)
    return Quality(float(np.mean(cell / pred_size)), float(np.mean(cell / true_size)))


def pair_recall(truth: ArrayLike, i: Positions, j: Positions) -> float:
    """Share of the true pairs among the given pairs (e.g. the candidates)."""
    t = _codes(truth)
    sizes = np.bincount(t)
    true_pairs = int(np.sum(sizes * (sizes - 1) // 2))
    found = int(np.sum(t[i] == t[j]))
    return found / true_pairs if true_pairs else 1.0
