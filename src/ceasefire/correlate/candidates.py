"""Candidate pairs: every pair of reports whose places and times can be the same event.

A pair is a candidate when the gap between their time spans is at most ``slack_hours`` and
their places can meet:

- two points or named places: the distance between them is at most the sum of their
  radii plus ``slack_km``;
- a report known only to an admin area and a point: the point comes within its radius
  plus the slack of the area itself (areas.AreaGrid: a raster of distances, so an
  elongated governorate meets what lies along it, not what lies in a circle about it);
- two areas: they come within the slack of each other.

That rule alone decides (`_meet_pairs`: all pairs, a new report's window, the pairs of a
component); the joins below only find its pairs fast. Their walk writes the rule's place
part out again, as a call per pair costs several times as much there; the tests hold the
joins to the rule over every pair.

The joins bucket points and named places in cells as wide as their reach and a year
long, and walk each pair of neighbouring cells in order of start time: a report is paired
with the reports of the other cell that start after it and before its end plus the slack.
Each pair is met once, from the report that starts first, and a report known only to its
week walks a week of the other cell without widening anyone else's search. An area's
reports are walked against the cells about the area, and against the reports of the
areas close to it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeAlias

import numpy as np
from numba import njit
from numpy.typing import NDArray

from ceasefire.correlate.columns import Pairs, Positions, ReportColumns
from ceasefire.correlate.settings import CorrelationSettings
from ceasefire.correlate.threads import run_all, threads

KM_PER_DEG = 111.2
_POINT_KM = 15.0  # places up to this radius (points, named places) share the point cells
_FEW = 300  # below this many reports, testing every pair is quicker than the joins
_MANY = 20_000  # from this many reports on, the joins are worth slicing over threads
# Neighbouring cells as (row, column) offsets: each unordered pair of cells once.
_FORWARD = np.array([(0, 0), (0, 1), (1, -1), (1, 0), (1, 1)], np.int64)
_BITS = 21  # per axis in a packed cell key

Floats: TypeAlias = NDArray[np.float64]
Ints: TypeAlias = NDArray[np.int64]
Rule: TypeAlias = tuple[Floats, Floats, Floats, Floats, Floats, Ints, Floats, Ints,
                        NDArray[np.float32], NDArray[np.float32], float, float]
"""The rule's inputs: per report its start and end (hours), longitude, latitude, radius,
admin area, cosine of latitude and raster cell; the areas' distance raster and gaps; the
slack in hours and in km."""


def is_candidate(cols: ReportColumns, i: Positions, j: Positions,
                 settings: CorrelationSettings) -> NDArray[np.bool_]:
    """The rule itself, for given pairs."""
    return (_meet_pairs(i.astype(np.int64), j.astype(np.int64), _rule_inputs(cols, settings))
            & cols.correlatable[i] & cols.correlatable[j])


def _rule_inputs(cols: ReportColumns, settings: CorrelationSettings) -> Rule:
    g = cols.areas
    rows, columns = g.distance_km.shape[1:]
    # Each place's raster cell; off the raster, the nearest cell on its edge, which is no
    # further from any area than the place is (the raster is a box about the areas).
    row = np.clip(np.floor((cols.lat - g.lat0) / g.step_lat), 0, rows - 1)
    col = np.clip(np.floor((cols.lon - g.lon0) / g.step_lon), 0, columns - 1)
    cell = np.where(np.isnan(row) | np.isnan(col), 0, row * columns + col).astype(np.int64)
    return (cols.t0_h, cols.t1_h, cols.lon, cols.lat, cols.radius_km,
            cols.area.astype(np.int64), np.cos(np.radians(cols.lat)), cell,
            g.distance_km.reshape(len(g), rows * columns), g.gap_km,
            float(settings.slack_hours), float(settings.slack_km))


def _in_order(rule: Rule, perm: Positions) -> Rule:
    """The rule with its columns, one value per report, in the order of ``perm``."""
    t0, t1, lon, lat, radius, area, cos_lat, cell, distance, gap, slack_h, slack_km = rule
    return (t0[perm], t1[perm], lon[perm], lat[perm], radius[perm], area[perm], cos_lat[perm],
            cell[perm], distance, gap, slack_h, slack_km)


@njit(cache=True)
def _meet_pairs(i: Positions, j: Positions, rule: Rule,
                ) -> NDArray[np.bool_]:  # pragma: no cover (compiled)
    """The rule, for each pair (i[k], j[k]). The joins' walk writes its place part out
    again (a function called per pair costs several times as much there); the tests hold
    the walk to this."""
    t0, t1, lon, lat, radius, area, cos_lat, cell, distance, gap, slack_h, slack_km = rule
    ok = np.empty(len(i), np.bool_)
    for k in range(len(i)):
        x, y = i[k], j[k]
        ax, ay = area[x], area[y]
        # The gap between the spans is at most the slack: neither begins more than the
        # slack after the other ends.
        if t0[x] - t1[y] > slack_h or t0[y] - t1[x] > slack_h:
            meets = False
        elif ax >= 0 and ay >= 0:
            meets = gap[ax, ay] <= slack_km
        elif ax >= 0:
            meets = distance[ax, cell[y]] <= radius[y] + slack_km
        elif ay >= 0:
            meets = distance[ay, cell[x]] <= radius[x] + slack_km
        else:
            # Equirectangular distance, longitude scaled by the two places' mean cosine
            # of latitude: within 0.5% of the great circle at the tens of km compared
            # here. Squared, and the cosines computed once per report.
            dx = (lon[x] - lon[y]) * (cos_lat[x] + cos_lat[y]) * 0.5
            dy = lat[x] - lat[y]
            reach = (radius[x] + radius[y] + slack_km) / KM_PER_DEG
            meets = dx * dx + dy * dy <= reach * reach
        ok[k] = meets
    return ok


def pairs_with(cols: ReportColumns, these: Positions, settings: CorrelationSettings,
               ) -> Pairs:
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


def candidate_pairs(cols: ReportColumns, settings: CorrelationSettings) -> Pairs:
    """All candidate pairs (i < j), as two index arrays."""
    usable = np.flatnonzero(cols.correlatable)
    if len(usable) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    rule = _rule_inputs(cols, settings)
    if len(usable) <= _FEW:
        a, b = np.triu_indices(len(usable), 1)
        i, j = usable[a], usable[b]
        keep = _meet_pairs(i, j, rule)
        return i[keep], j[keep]
    area = cols.area[usable] >= 0
    point = ~area & (cols.radius_km[usable] <= _POINT_KM)
    points, areas, wide = usable[point], usable[area], usable[~area & ~point]
    span = float(np.max(cols.t1_h[usable] - cols.t0_h[usable]))
    block_h = max(_BLOCK_H, span + settings.slack_hours)
    found: list[Pairs] = []
    if len(points) or len(areas):
        cells = _Cells(cols, points, areas, block_h, settings)
        # The joins work on the reports in cell order (points) and area order (areas),
        # positions in one array, so that they read memory in sequence.
        perm = np.concatenate([cells.points, cells.areas])
        local = _in_order(rule, perm)
        off = len(cells.points)
        t0, t1 = local[0], local[1]
        tasks: list[Callable[[], Pairs]] = []
        # The cells in as many slices as there are cores, each joined on its own thread
        # (the joins hold no lock): one slice's pairs never depend on another's.
        count = threads() if len(points) + len(areas) >= _MANY else 1
        edges = np.searchsorted(cells.start, np.linspace(0, off, count + 1)[1:-1])
        edges = np.r_[0, edges, len(cells.keys)]
        for first, stop in zip(edges[:-1], edges[1:], strict=True):
            room = 4 * (cells.start[stop] - cells.start[first])
            if len(points):
                tasks.append(partial(_join_points, cells.keys, cells.start, t0, t1, _DELTAS,
                                     span, local, first, stop, *_room(room)))
            if len(points) and len(areas):
                tasks.append(partial(_join_areas_points, cells.keys, cells.start,
                                     cells.area_keys, cells.area_start, cells.near_start,
                                     cells.near, cells.row0, cells.col0, cells.cols, off, t0,
                                     t1, span, local, first, stop, *_room(room)))
        if len(areas):
            near = np.argwhere(cols.areas.gap_km <= settings.slack_km)
            tasks.append(partial(_join_areas, cells.by_area, off,
                                 near[near[:, 0] <= near[:, 1]], t0, t1, span, local,
                                 *_room(len(areas))))
        found = run_all(lambda task: task(), tasks, count)
        found = [(perm[i], perm[j]) for i, j in found]
    if len(wide):
        # Circles wider than a named place's, for areas the raster does not know: rare, so
        # each is walked against every report by start time.
        by_start = usable[np.argsort(cols.t0_h[usable], kind="stable")].astype(np.int64)
        is_wide = np.zeros(len(cols), bool)
        is_wide[wide] = True
        found.append(_join_wide(wide.astype(np.int64), by_start, cols.t0_h[by_start],
                                is_wide, span, rule, *_room(4 * len(wide))))
    i, j = (np.concatenate([f[k] for f in found]) for k in (0, 1))
    return np.minimum(i, j), np.maximum(i, j)


# Time blocks: cells are (block, row, column), so that a join works through the record a
# few months at a time and the reports it compares sit close in memory. A block is at least
# the longest span and the slack, so a report meets nothing beyond the next block.
_BLOCK_H = 365 * 24.0
_STEP = 1 << _BITS
# Neighbouring cells as key steps: in the same block each unordered pair of cells once
# (_FORWARD), in the next block all nine.
_DELTAS = np.array([*(r * _STEP + c for r, c in _FORWARD.tolist()),
                    *(_STEP * _STEP + r * _STEP + c for r in (-1, 0, 1) for c in (-1, 0, 1))],
                   np.int64)


class _Cells:
    """Points bucketed in (time block, row, column) cells of the reach, each cell's
    reports in start order; area reports ordered by area, block and start; and for each
    place cell, the areas whose reports may meet points there."""

    def __init__(self, cols: ReportColumns, points: Positions, areas: Positions,
                 block_h: float, settings: CorrelationSettings) -> None:
        usable = np.concatenate([points, areas])
        radius = cols.radius_km[points].max() if len(points) else 0.0
        reach_km = 2 * radius + settings.slack_km
        lat_max = float(np.max(np.abs(cols.lat[usable])))
        # Longitude degrees shrink towards the poles: size cells for the highest latitude.
        self.lon_deg = reach_km / (KM_PER_DEG * max(np.cos(np.radians(min(lat_max + 1.0,
                                                                           89.0))), 1e-3))
        self.lat_deg = reach_km / KM_PER_DEG
        self.block_h = block_h
        row, col = self.cell(cols.lon[points], cols.lat[points])
        keys = _pack(self.block(cols.t0_h[points]), row, col)
        order = np.lexsort((cols.t0_h[points], keys))
        self.points = points[order].astype(np.int64)
        self.keys, first = np.unique(keys[order], return_index=True)
        self.start = np.append(first, len(order)).astype(np.int64)
        # Area reports: by area, then block, then start.
        a_area = cols.area[areas].astype(np.int64)
        a_block = self.block(cols.t0_h[areas])
        order = np.lexsort((cols.t0_h[areas], a_block, a_area))
        self.areas = areas[order].astype(np.int64)
        a_keys = a_area[order] * _STEP + a_block[order]
        self.area_keys, first = np.unique(a_keys, return_index=True)
        self.area_start = np.append(first, len(order)).astype(np.int64)
        self.by_area = np.searchsorted(a_area[order], np.arange(len(cols.areas) + 1))
        self._near_areas(cols, row, col, radius + settings.slack_km)

    def block(self, t0: Floats) -> Ints:
        return np.floor(t0 / self.block_h).astype(np.int64)

    def cell(self, lon: Floats, lat: Floats) -> tuple[Ints, Ints]:
        return (np.floor(lat / self.lat_deg).astype(np.int64),
                np.floor(lon / self.lon_deg).astype(np.int64))

    def _near_areas(self, cols: ReportColumns, row: Ints, col: Ints,
                    reach_km: float) -> None:
        """For each place cell of the points (row - row0, column - col0 in a table of
        `cols` columns), the areas whose bounds, widened by the reach and two raster
        cell diagonals (which the raster's distances may fall short by), touch it."""
        grid = cols.areas
        self.row0 = int(row.min()) if len(row) else 0
        self.col0 = int(col.min()) if len(col) else 0
        rows = int(row.max()) - self.row0 + 1 if len(row) else 1
        self.cols = int(col.max()) - self.col0 + 1 if len(col) else 1
        pad_km = reach_km + 2 * float(np.hypot(grid.step_lon, grid.step_lat)) * KM_PER_DEG
        pad_lat = pad_km / KM_PER_DEG
        pad_lon = self.lon_deg * pad_km / (self.lat_deg * KM_PER_DEG)
        b = grid.bounds
        r0, c0 = self.cell(b[:, 0] - pad_lon, b[:, 1] - pad_lat)
        r1, c1 = self.cell(b[:, 2] + pad_lon, b[:, 3] + pad_lat)
        cells: list[Ints] = []
        areas: list[Ints] = []
        for k in range(len(grid)):
            rr = np.arange(max(r0[k], self.row0), min(r1[k], self.row0 + rows - 1) + 1)
            cc = np.arange(max(c0[k], self.col0), min(c1[k], self.col0 + self.cols - 1) + 1)
            at = ((rr[:, None] - self.row0) * self.cols + (cc[None, :] - self.col0)).ravel()
            cells.append(at)
            areas.append(np.full(len(at), k))
        cell_of = np.concatenate([np.zeros(0, np.int64), *cells])
        area_of = np.concatenate([np.zeros(0, np.int64), *areas])
        order = np.argsort(cell_of, kind="stable")
        self.near = area_of[order].astype(np.int64)
        self.near_start = np.searchsorted(cell_of[order], np.arange(rows * self.cols + 1))


def _pack(block: Ints, row: Ints, col: Ints) -> Ints:
    # Offset to be non-negative; the packing is linear, so a neighbour's key is the key
    # plus a constant.
    half = 1 << (_BITS - 1)
    return ((block + half) * _STEP + (row + half)) * _STEP + (col + half)


@njit(cache=True)
def _walk(t0: Floats, t1: Floats, a_lo: int, a_hi: int, b_lo: int, b_hi: int,
          same: bool, longest: float, rule: Rule, out_i: Ints, out_j: Ints,
          found: int) -> int:  # pragma: no cover (compiled)
    """Pairs of positions in [a_lo, a_hi) and [b_lo, b_hi), two runs in order of start
    time, that meet the rule: each report with those of the other run starting from it
    to its end plus the slack. Each pair is seen once, from the report that starts first
    (within one run: from the earlier one). Writes them from `found` on and returns the
    new count, or -1 when the room ran out (the caller grows it and walks again)."""
    _, _, lon, lat, radius, area, cos_lat, cell, distance, gap, slack_h, slack_km = rule
    if not same and a_lo < a_hi and b_lo < b_hi:
        # Runs of neighbouring time blocks overlap only near the blocks' edge: skip the
        # reports of each that end before the other's first start, and those that start
        # after the other's last end (a span is at most `longest`).
        reach = longest + slack_h
        a_lo += np.searchsorted(t0[a_lo:a_hi], t0[b_lo] - reach)
        b_lo += np.searchsorted(t0[b_lo:b_hi], t0[a_lo] - reach) if a_lo < a_hi else 0
        a_hi = a_lo + np.searchsorted(t0[a_lo:a_hi], t0[b_hi - 1] + reach, "right")
        b_hi = b_lo + np.searchsorted(t0[b_lo:b_hi], t0[a_hi - 1] + reach, "right") if (
            a_lo < a_hi) else b_lo
    p, q = a_lo, b_lo
    while True:
        if same:
            if p == a_hi:
                return found
            x, lo, hi = p, p + 1, a_hi
            p += 1
        elif p == a_hi or q == b_hi:
            return found
        elif t0[p] <= t0[q]:
            x, lo, hi = p, q, b_hi
            p += 1
        else:
            x, lo, hi = q, p, a_hi
            q += 1
        end = t1[x] + slack_h
        for y in range(lo, hi):
            if t0[y] > end:
                break
            # x starts first and y before x's end and the slack: their times meet. The
            # place part of the rule follows, as _meet_pairs has it.
            ax, ay = area[x], area[y]
            if ax >= 0 and ay >= 0:
                meets = gap[ax, ay] <= slack_km
            elif ax >= 0:
                meets = distance[ax, cell[y]] <= radius[y] + slack_km
            elif ay >= 0:
                meets = distance[ay, cell[x]] <= radius[x] + slack_km
            else:
                dx = (lon[x] - lon[y]) * (cos_lat[x] + cos_lat[y]) * 0.5
                dy = lat[x] - lat[y]
                reach = (radius[x] + radius[y] + slack_km) / KM_PER_DEG
                meets = dx * dx + dy * dy <= reach * reach
            if meets:
                if found == len(out_i):
                    return -1
                out_i[found], out_j[found] = x, y
                found += 1


@njit(cache=True)
def _walk_into(t0: Floats, t1: Floats, a_lo: int, a_hi: int, b_lo: int, b_hi: int,
               same: bool, longest: float, rule: Rule, out_i: Ints, out_j: Ints,
               found: int) -> tuple[Ints, Ints, int]:  # pragma: no cover (compiled)
    """_walk, with the room doubled as often as it needs."""
    while True:
        got = _walk(t0, t1, a_lo, a_hi, b_lo, b_hi, same, longest, rule, out_i, out_j,
                    found)
        if got >= 0:
            return out_i, out_j, got
        out_i = np.concatenate((out_i, np.empty_like(out_i)))
        out_j = np.concatenate((out_j, np.empty_like(out_j)))


def _room(n: int) -> tuple[Ints, Ints]:
    return np.empty(max(16, n), np.int64), np.empty(max(16, n), np.int64)


@njit(cache=True, nogil=True)
def _join_points(keys: Ints, start: Ints, t0: Floats, t1: Floats, deltas: Ints,
                 longest: float, rule: Rule, first: int, stop: int, out_i: Ints,
                 out_j: Ints) -> Pairs:  # pragma: no cover (compiled)
    """The pairs of points from the cells first..stop-1 with their neighbours."""
    found = 0
    for p in range(first, stop):
        for delta in deltas:
            q = p
            if delta != 0:
                q = np.searchsorted(keys, keys[p] + delta)
                if q == len(keys) or keys[q] != keys[p] + delta:
                    continue
            out_i, out_j, found = _walk_into(t0, t1, start[p], start[p + 1], start[q],
                                             start[q + 1], delta == 0, longest, rule,
                                             out_i, out_j, found)
    return out_i[:found], out_j[:found]


@njit(cache=True, nogil=True)
def _join_areas_points(keys: Ints, start: Ints, area_keys: Ints, area_start: Ints,
                       near_start: Positions, near: Ints, row0: int, col0: int, width: int,
                       off: int, t0: Floats, t1: Floats, longest: float, rule: Rule,
                       first: int, stop: int, out_i: Ints,
                       out_j: Ints) -> Pairs:  # pragma: no cover (compiled)
    """Each cell of points first..stop-1 with the reports of the areas near it, in the
    same block and the blocks either side."""
    found = 0
    half = 1 << (_BITS - 1)
    for p in range(first, stop):
        block = keys[p] // (_STEP * _STEP) - half
        row = (keys[p] // _STEP) % _STEP - half
        col = keys[p] % _STEP - half
        at = (row - row0) * width + (col - col0)
        for k in range(near_start[at], near_start[at + 1]):
            for b in range(block - 1, block + 2):
                key = near[k] * _STEP + b
                q = np.searchsorted(area_keys, key)
                if q == len(area_keys) or area_keys[q] != key:
                    continue
                out_i, out_j, found = _walk_into(
                    t0, t1, off + area_start[q], off + area_start[q + 1], start[p],
                    start[p + 1], False, longest, rule, out_i, out_j, found)
    return out_i[:found], out_j[:found]


@njit(cache=True, nogil=True)
def _join_areas(by_area: Positions, off: int, near: Positions, t0: Floats, t1: Floats,
                longest: float, rule: Rule, out_i: Ints,
                out_j: Ints) -> Pairs:  # pragma: no cover (compiled)
    """The reports of each two areas close enough to meet, walked whole."""
    found = 0
    for k in range(len(near)):
        x, y = near[k, 0], near[k, 1]
        if by_area[x] == by_area[x + 1] or by_area[y] == by_area[y + 1]:
            continue
        out_i, out_j, found = _walk_into(t0, t1, off + by_area[x], off + by_area[x + 1],
                                         off + by_area[y], off + by_area[y + 1], x == y,
                                         longest, rule, out_i, out_j, found)
    return out_i[:found], out_j[:found]


@njit(cache=True)
def _join_wide(wide: Ints, by_start: Ints, starts: Floats, is_wide: NDArray[np.bool_],
               longest: float, rule: Rule, out_i: Ints,
               out_j: Ints) -> Pairs:  # pragma: no cover (compiled)
    """Each wide report with every report whose span can meet its own, found by start
    time (two wide reports: once, from the smaller index); then the rule."""
    found = 0
    slack_h = rule[10]
    t0, t1 = rule[0], rule[1]
    for w in wide:
        first = np.searchsorted(starts, t0[w] - slack_h - longest)
        for r in range(first, len(by_start)):
            if starts[r] > t1[w] + slack_h:
                break
            v = by_start[r]
            if v == w or (is_wide[v] and v < w):
                continue
            if found == len(out_i):
                out_i = np.concatenate((out_i, np.empty_like(out_i)))
                out_j = np.concatenate((out_j, np.empty_like(out_j)))
            out_i[found], out_j[found] = w, v
            found += 1
    keep = _meet_pairs(out_i[:found], out_j[:found], rule)
    return out_i[:found][keep], out_j[:found][keep]
