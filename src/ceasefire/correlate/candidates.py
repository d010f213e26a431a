"""Candidate pairs: every pair of reports whose places and times can be the same event.

A pair is a candidate when the distance between the two places' centres is at most the sum
of their radii plus ``slack_km``, and the gap between their time spans is at most
``slack_hours``. That rule alone decides; the grid below only finds the pairs fast.

Reports are grouped by how wide their place and time are, so a million exact reports are
bucketed in cells of a few km and hours, while the few reports known only to the district
or the week meet the others in cells as wide as they need. Each pair of groups is joined on
a grid whose cells are as wide as the pair's reach, looking at the 27 neighbouring cells.
"""

from __future__ import annotations

import numpy as np

from ceasefire.correlate.columns import ReportColumns
from ceasefire.correlate.settings import CorrelationSettings

KM_PER_DEG = 111.2
# Group edges: place radius (km) and time span (hours). Few groups keep the joins few.
_RADIUS_EDGES = (15.0,)
_SPAN_EDGES = (1.0, 25.0)
# All 27 neighbouring cells, and the 14 that visit each pair of cells once.
_OFFSETS = np.array([(a, b, c) for a in (-1, 0, 1) for b in (-1, 0, 1) for c in (-1, 0, 1)])
_FEW = 300  # below this many reports, testing every pair is quicker than the grid
_HALF = _OFFSETS[[tuple(o) >= (0, 0, 0) for o in _OFFSETS.tolist()]]


def distance_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray,
                lat2: np.ndarray) -> np.ndarray:
    """Equirectangular distance at the pair's mean latitude: within 0.5% of the great
    circle at the distances compared here (tens of km)."""
    dx = (lon1 - lon2) * np.cos(np.radians((lat1 + lat2) * 0.5))
    return np.hypot(dx, lat1 - lat2) * KM_PER_DEG


def is_candidate(cols: ReportColumns, i: np.ndarray, j: np.ndarray,
                 settings: CorrelationSettings) -> np.ndarray:
    """The rule itself, for given pairs."""
    return _meet(cols, i, j, settings) & cols.correlatable[i] & cols.correlatable[j]


def _meet(cols: ReportColumns, i: np.ndarray, j: np.ndarray,
          settings: CorrelationSettings) -> np.ndarray:
    """Whether the pairs' times and places can meet (the rule, for comparable reports)."""
    # The gap between the spans is at most the slack: neither begins more than the slack
    # after the other ends. The cheap time test first; distances only for what it keeps.
    slack = settings.slack_hours
    t0_i, t0_j = cols.t0_h[i], cols.t0_h[j]
    ok = t0_i - cols.t1_h[j] <= slack
    ok &= t0_j - cols.t1_h[i] <= slack
    ti, tj = i[ok], j[ok]
    ok[ok] = (distance_km(cols.lon[ti], cols.lat[ti], cols.lon[tj], cols.lat[tj])
              <= cols.radius_km[ti] + cols.radius_km[tj] + settings.slack_km)
    return ok


def pairs_with(cols: ReportColumns, these: np.ndarray, settings: CorrelationSettings,
               ) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (i < j) that hold at least one of ``these`` reports: what a new
    report needs, without pairing up all the others."""
    others = np.arange(len(cols))
    i = np.repeat(these, len(others))
    j = np.tile(others, len(these))
    fresh = np.zeros(len(cols), bool)
    fresh[these] = True
    # Each pair once: a pair of two new reports is kept from the smaller index's side.
    keep = (i != j) & (~fresh[j] | (i < j))
    i, j = i[keep], j[keep]
    keep = is_candidate(cols, i, j, settings)
    return np.minimum(i[keep], j[keep]), np.maximum(i[keep], j[keep])


def candidate_pairs(cols: ReportColumns, settings: CorrelationSettings,
                    ) -> tuple[np.ndarray, np.ndarray]:
    """All candidate pairs (i < j), as two index arrays."""
    usable = np.flatnonzero(cols.correlatable)
    if len(usable) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if len(usable) <= _FEW:
        a, b = np.triu_indices(len(usable), 1)
        i, j = usable[a], usable[b]
        keep = is_candidate(cols, i, j, settings)
        return i[keep], j[keep]
    span = cols.t1_h[usable] - cols.t0_h[usable]
    group = (np.searchsorted(_RADIUS_EDGES, cols.radius_km[usable]) * (len(_SPAN_EDGES) + 1)
             + np.searchsorted(_SPAN_EDGES, span))
    members = {int(g): usable[group == g] for g in np.unique(group)}
    # Longitude degrees shrink towards the poles: size cells for the highest latitude.
    lat_max = float(np.max(np.abs(cols.lat[usable])))
    lon_km = KM_PER_DEG * max(np.cos(np.radians(min(lat_max + 1.0, 89.0))), 1e-3)
    found_i, found_j = [], []
    keys = sorted(members)
    for a_pos, a in enumerate(keys):
        for b in keys[a_pos:]:
            ia, ib = members[a], members[b]
            reach_km = (cols.radius_km[ia].max() + cols.radius_km[ib].max()
                        + settings.slack_km)
            reach_h = (max(np.max(cols.t1_h[ia] - cols.t0_h[ia]),
                           np.max(cols.t1_h[ib] - cols.t0_h[ib])) + settings.slack_hours)
            cell = (reach_km / lon_km, reach_km / KM_PER_DEG, reach_h)
            i, j = _grid_join(cols, ia, ib, cell, same=a == b)
            keep = _meet(cols, i, j, settings)  # both comparable: the groups hold no other
            found_i.append(i[keep])
            found_j.append(j[keep])
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    return np.minimum(i, j), np.maximum(i, j)


def _cells(cols: ReportColumns, idx: np.ndarray, cell: tuple[float, float, float],
           ) -> np.ndarray:
    cx = np.floor(cols.lon[idx] / cell[0]).astype(np.int64)
    cy = np.floor(cols.lat[idx] / cell[1]).astype(np.int64)
    ct = np.floor(cols.t0_h[idx] / cell[2]).astype(np.int64)
    return np.stack([ct, cy, cx], axis=1)


def _pack(cells: np.ndarray) -> np.ndarray:
    # 21 bits per axis, offset to be non-negative: room for 2 million cells each way. The
    # packing is linear, so a neighbour's key is the key plus a constant.
    shifted = cells + (1 << 20)
    return (shifted[:, 0] << 42) + (shifted[:, 1] << 21) + shifted[:, 2]


def _sorted_cells(cols: ReportColumns, idx: np.ndarray, cell: tuple[float, float, float],
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Reports ordered by cell, and each occupied cell's key, first position and size."""
    keys = _pack(_cells(cols, idx, cell))
    order = np.argsort(keys, kind="stable")
    unique, start, count = np.unique(keys[order], return_index=True, return_counts=True)
    return idx[order], unique, start, count


def _grid_join(cols: ReportColumns, ia: np.ndarray, ib: np.ndarray,
               cell: tuple[float, float, float], *, same: bool,
               ) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (one of ia, one of ib) lying in neighbouring cells."""
    b, b_cells, b_start, b_count = _sorted_cells(cols, ib, cell)
    a, a_cells, a_start, a_count = ((b, b_cells, b_start, b_count) if same
                                    else _sorted_cells(cols, ia, cell))
    out_i, out_j = [], []
    for offset in (_HALF if same else _OFFSETS):
        wanted = a_cells + int(_pack(offset[None, :])[0] - _pack(np.zeros((1, 3), np.int64))[0])
        pos = np.minimum(np.searchsorted(b_cells, wanted), len(b_cells) - 1)
        hit = np.flatnonzero(b_cells[pos] == wanted)
        if not hit.size:
            continue
        na, nb = a_count[hit], b_count[pos[hit]]
        sizes = na * nb
        total = int(sizes.sum())
        pair = np.repeat(np.arange(len(hit)), sizes)
        within = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        i = a[a_start[hit][pair] + within // nb[pair]]
        j = b[b_start[pos[hit]][pair] + within % nb[pair]]
        if same and not offset.any():
            keep = i < j  # the same cell: each pair once, never a report with itself
            i, j = i[keep], j[keep]
        out_i.append(i)
        out_j.append(j)
    if not out_i:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(out_i), np.concatenate(out_j)
