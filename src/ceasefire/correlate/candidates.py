"""Candidate pairs: every pair of reports whose places and times can be the same event.

A pair is a candidate when the distance between the two places' centres is at most the sum
of their radii plus ``slack_km``, and the gap between their time spans is at most
``slack_hours``. That rule alone decides; the grid below only finds the pairs fast.

Reports are grouped by how wide their place is, so points and named places are bucketed
in cells of tens of km, while the few reports known only to the district or governorate
meet the others in cells as wide as they need. Each pair of groups is joined on a grid
whose cells are as wide as the pair's reach in place and time, looking at the 27
neighbouring cells; the rule is then tested, compiled, on the pairs found there.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ceasefire.correlate.columns import ReportColumns
from ceasefire.correlate.settings import CorrelationSettings

KM_PER_DEG = 111.2
# Group edges by place radius (km) and time span (h). Points and named places form one
# group, areas the other; a finer split by span measured slower (each join sorts again).
_RADIUS_EDGES = (15.0,)
_SPAN_EDGES: tuple[float, ...] = ()
# All 27 neighbouring cells, and the 14 that visit each pair of cells once.
_OFFSETS = np.array([(a, b, c) for a in (-1, 0, 1) for b in (-1, 0, 1) for c in (-1, 0, 1)])
_FEW = 300  # below this many reports, testing every pair is quicker than the grid
_HALF = _OFFSETS[[tuple(o) >= (0, 0, 0) for o in _OFFSETS.tolist()]]


def is_candidate(cols: ReportColumns, i: np.ndarray, j: np.ndarray,
                 settings: CorrelationSettings) -> np.ndarray:
    """The rule itself, for given pairs."""
    return _meet(cols, i, j, settings) & cols.correlatable[i] & cols.correlatable[j]


def _meet(cols: ReportColumns, i: np.ndarray, j: np.ndarray,
          settings: CorrelationSettings) -> np.ndarray:
    """Whether the pairs' times and places can meet (the rule, for comparable reports)."""
    return _meet_pairs(i.astype(np.int64), j.astype(np.int64), *_rule_inputs(cols, settings))


def _rule_inputs(cols: ReportColumns, settings: CorrelationSettings) -> tuple:
    return (cols.t0_h, cols.t1_h, cols.lon, cols.lat, cols.radius_km,
            float(settings.slack_hours), float(settings.slack_km))


# One compiled test serves every path (grid, all pairs, a new report's window), so a pair
# on the edge of the rule gets the same answer in a batch run and one report at a time.
@njit(cache=True)
def _meets(x: int, y: int, t0: np.ndarray, t1: np.ndarray, lon: np.ndarray,
           lat: np.ndarray, radius: np.ndarray, slack_h: float,
           slack_km: float) -> bool:  # pragma: no cover (compiled)
    # The gap between the spans is at most the slack: neither begins more than the slack
    # after the other ends. The cheap time test first.
    if t0[x] - t1[y] > slack_h or t0[y] - t1[x] > slack_h:
        return False
    # Equirectangular distance at the pair's mean latitude: within 0.5% of the great
    # circle at the tens of km compared here.
    dx = (lon[x] - lon[y]) * math.cos(math.radians((lat[x] + lat[y]) * 0.5))
    return math.hypot(dx, lat[x] - lat[y]) * KM_PER_DEG <= radius[x] + radius[y] + slack_km


@njit(cache=True)
def _meet_pairs(i: np.ndarray, j: np.ndarray, t0: np.ndarray, t1: np.ndarray,
                lon: np.ndarray, lat: np.ndarray, radius: np.ndarray, slack_h: float,
                slack_km: float) -> np.ndarray:  # pragma: no cover (compiled)
    ok = np.empty(len(i), np.bool_)
    for k in range(len(i)):
        ok[k] = _meets(i[k], j[k], t0, t1, lon, lat, radius, slack_h, slack_km)
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
            i, j = _grid_join(cols, ia, ib, cell, same=a == b,
                              rule=_rule_inputs(cols, settings))
            found_i.append(i)
            found_j.append(j)
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
               cell: tuple[float, float, float], *, same: bool, rule: tuple,
               ) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (one of ia, one of ib) lying in neighbouring cells that meet the rule."""
    b, b_cells, b_start, b_count = _sorted_cells(cols, ib, cell)
    a, a_cells, a_start, a_count = ((b, b_cells, b_start, b_count) if same
                                    else _sorted_cells(cols, ia, cell))
    origin = _pack(np.zeros((1, 3), np.int64))[0]
    deltas = _pack(_HALF if same else _OFFSETS) - origin
    t0, t1, lon, lat, radius, slack_h, slack_km = rule
    # Each side's values in cell order: the inner loop then reads memory in sequence.
    side_a = np.stack([t0[a], t1[a], lon[a], lat[a], radius[a]])
    side_b = side_a if same else np.stack([t0[b], t1[b], lon[b], lat[b], radius[b]])
    return _join(a.astype(np.int64), a_cells, a_start, a_count, side_a, b.astype(np.int64),
                 b_cells, b_start, b_count, side_b, deltas, same, slack_h, slack_km)


@njit(cache=True)
def _join(a: np.ndarray, a_cells: np.ndarray, a_start: np.ndarray, a_count: np.ndarray,
          side_a: np.ndarray, b: np.ndarray, b_cells: np.ndarray, b_start: np.ndarray,
          b_count: np.ndarray, side_b: np.ndarray, deltas: np.ndarray, same: bool,
          slack_h: float, slack_km: float,
          ) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover (compiled)
    out_i = np.empty(max(16, 4 * len(a)), np.int64)
    out_j = np.empty_like(out_i)
    found = 0
    at0, at1, alon, alat, arad = side_a[0], side_a[1], side_a[2], side_a[3], side_a[4]
    bt0, bt1, blon, blat, brad = side_b[0], side_b[1], side_b[2], side_b[3], side_b[4]
    for p in range(len(a_cells)):
        for delta in deltas:
            wanted = a_cells[p] + delta
            q = np.searchsorted(b_cells, wanted)
            if q == len(b_cells) or b_cells[q] != wanted:
                continue
            for u in range(a_start[p], a_start[p] + a_count[p]):
                for v in range(b_start[q], b_start[q] + b_count[q]):
                    if same and delta == 0 and not a[u] < b[v]:
                        continue  # the same cell: each pair once, never a report with itself
                    # The rule, as _meets has it, on the values in cell order.
                    if at0[u] - bt1[v] > slack_h or bt0[v] - at1[u] > slack_h:
                        continue
                    dx = (alon[u] - blon[v]) * math.cos(math.radians((alat[u] + blat[v]) * 0.5))
                    if math.hypot(dx, alat[u] - blat[v]) * KM_PER_DEG > arad[u] + brad[v] \
                            + slack_km:
                        continue
                    if found == len(out_i):  # full: double the room
                        out_i = np.concatenate((out_i, np.empty_like(out_i)))
                        out_j = np.concatenate((out_j, np.empty_like(out_j)))
                    out_i[found] = a[u]
                    out_j[found] = b[v]
                    found += 1
    return out_i[:found], out_j[:found]
