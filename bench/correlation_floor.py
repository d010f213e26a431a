"""The floor for correlation: link every pair of reports within 5 km and 24 h, then take
connected components. Plain numpy and scipy, no per-point Python loop.

Points go through one equirectangular projection (reference latitude: the middle of the
data's latitude range) into kilometres; cells are 5 km × 5 km × 24 h, so every linked pair
lies in the same or a neighbouring cell. Points sorted by cell key (time, x, y) put the
three y-neighbours of a cell next to each other, so each point's candidates are five
contiguous runs of the sorted order: its own cell and the next y cell after it (later
points only), and the y-runs of (x+1, same t), and (x-1, x, x+1) at t+1. That covers the
13 forward neighbour cells of the 26, so each pair is seen once.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

KM = 5.0
HOURS = 24.0
KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON = 111.320


def project(lon: np.ndarray, lat: np.ndarray, *, lat0: float | None = None
            ) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection to km around `lat0` (default: middle of the range)."""
    if lat0 is None:
        lat0 = float(np.nanmin(lat) + np.nanmax(lat)) / 2.0 if len(lat) else 0.0
    x = lon * (KM_PER_DEGREE_LON * np.cos(np.radians(lat0)))
    y = lat * KM_PER_DEGREE_LAT
    return x, y


def _runs(n: int, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with lo[i] <= j < hi[i], as two int64 arrays."""
    length = np.maximum(hi - lo, 0)
    total = int(length.sum())
    i = np.repeat(np.arange(n, dtype=np.int64), length)
    start = np.cumsum(length) - length
    j = np.arange(total, dtype=np.int64) - np.repeat(start - lo, length)
    return i, j


def floor_pairs(lon: np.ndarray, lat: np.ndarray, t: np.ndarray, *, km: float = KM,
                hours: float = HOURS) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (i, j), i < j, within `km` (projected) and `hours`; NaN places link nothing."""
    keep = np.flatnonzero(~(np.isnan(lon) | np.isnan(lat) | np.isnan(t)))
    x, y = project(lon[keep], lat[keep])
    tt = t[keep]
    if len(keep) < 2:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    cx = np.floor(x / km).astype(np.int64)
    cy = np.floor(y / km).astype(np.int64)
    ct = np.floor(tt / hours).astype(np.int64)
    cx -= cx.min() - 1  # margins of one cell, so neighbour keys never wrap
    cy -= cy.min() - 1
    ct -= ct.min() - 1
    ny = int(cy.max()) + 2
    nx = int(cx.max()) + 2
    key = (ct * nx + cx) * ny + cy
    order = np.argsort(key, kind="stable")
    key = key[order]
    xs, ys, ts = x[order], y[order], tt[order]

    # Sorted positions [lo, hi) of the points whose key lies in [key + a, key + b].
    def run(a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        return (np.searchsorted(key, key + a, side="left"),
                np.searchsorted(key, key + b, side="right"))

    m = len(key)
    own_hi = run(0, 1)[1]
    runs = [(np.arange(1, m + 1, dtype=np.int64), own_hi),  # same cell (later points), y+1
            run(ny - 1, ny + 1)]  # x+1, same t
    for dx in (-1, 0, 1):
        runs.append(run(nx * ny + dx * ny - 1, nx * ny + dx * ny + 1))  # t+1
    r2 = km * km
    found_i, found_j = [], []
    for lo, hi in runs:
        i, j = _runs(m, lo, hi)
        dx, dy = xs[i] - xs[j], ys[i] - ys[j]
        near = (dx * dx + dy * dy <= r2) & (np.abs(ts[i] - ts[j]) <= hours)
        found_i.append(i[near])
        found_j.append(j[near])
    i = order[np.concatenate(found_i)]
    j = order[np.concatenate(found_j)]
    return keep[np.minimum(i, j)], keep[np.maximum(i, j)]


def floor_labels(lon: np.ndarray, lat: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Connected components of the 5 km / 24 h pairs: one int label per point."""
    n = len(lon)
    i, j = floor_pairs(lon, lat, t)
    graph = coo_array((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=False)
    return labels
