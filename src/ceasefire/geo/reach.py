"""Rasters of distance to each admin area, for the correlation engine's candidate rule.

Each area is drawn on one raster covering the country and a margin: a cell is inside when
its centre lies in the area or the area's boundary passes through it, so that every point
of the area lies in an inside cell. A Euclidean distance transform in km then gives every
cell's distance to the nearest inside cell; taking off one cell diagonal makes it a lower
bound of the distance from anywhere in the cell to the area itself.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import shapely
from scipy.ndimage import distance_transform_edt
from shapely.geometry.base import BaseGeometry

from ceasefire.geo.areas import AreaGrid, no_areas

KM_PER_DEG = 111.2
STEP_DEG = 0.02  # about 2 km: a tenth of the smallest slack-and-radius the rule uses
MARGIN_DEG = 0.5  # beyond this (about 45 km) from every area, places fall back to circles


def area_grid(geometries: Mapping[str, BaseGeometry], *, step: float = STEP_DEG,
              margin: float = MARGIN_DEG) -> AreaGrid:
    if not geometries:
        return no_areas()
    codes = tuple(sorted(geometries))
    geoms = [geometries[c] for c in codes]
    west, south, east, north = shapely.total_bounds(geoms)
    lon0, lat0 = west - margin, south - margin
    nx = int(np.ceil((east + margin - lon0) / step))
    ny = int(np.ceil((north + margin - lat0) / step))
    # Cell sizes in km, the east-west one at the northern edge where it is smallest:
    # distances come out short, never long.
    dy_km = step * KM_PER_DEG
    dx_km = step * KM_PER_DEG * np.cos(np.radians(north + margin))
    diagonal = float(np.hypot(dx_km, dy_km))
    # Each area is drawn within its bounds and a margin only; further out, the margin
    # itself is the (lower bound of the) distance.
    pad = int(np.ceil(margin / step))
    beyond = max(pad * min(dx_km, dy_km) - diagonal, 0.0)
    distance = np.full((len(codes), ny, nx), beyond, np.float32)
    inside: list[tuple[np.ndarray, np.ndarray]] = []
    bounds = np.array([shapely.bounds(g) for g in geoms], np.float64)
    for k, geom in enumerate(geoms):
        c0, r0 = int((bounds[k, 0] - lon0) / step) - pad, int((bounds[k, 1] - lat0) / step) - pad
        c1, r1 = int((bounds[k, 2] - lon0) / step) + pad, int((bounds[k, 3] - lat0) / step) + pad
        c0, r0, c1, r1 = max(c0, 0), max(r0, 0), min(c1 + 1, nx), min(r1 + 1, ny)
        gx, gy = np.meshgrid(lon0 + (np.arange(c0, c1) + 0.5) * step,
                             lat0 + (np.arange(r0, r1) + 0.5) * step)
        shapely.prepare(geom)
        window = shapely.contains_xy(geom, gx, gy)
        # And every cell the boundary passes through, so that a coast's islets and thin
        # strips, which hold no cell centre, still count.
        edge = shapely.get_coordinates(shapely.segmentize(geom.boundary, step / 2))
        window[((edge[:, 1] - lat0) / step).astype(int) - r0,
               ((edge[:, 0] - lon0) / step).astype(int) - c0] = True
        distance[k, r0:r1, c0:c1] = np.maximum(
            distance_transform_edt(~window, sampling=(dy_km, dx_km)) - diagonal, 0.0)
        rows, cols = np.nonzero(window)
        inside.append((rows + r0, cols + c0))
    # Two areas: the least distance from one to the cells of the other (every point of
    # an area lies in one of its cells), the smaller of the two ways.
    gap = np.stack([distance[:, rows, cols].min(axis=1) for rows, cols in inside], axis=1)
    gap = np.minimum(gap, gap.T)
    return AreaGrid(codes, distance, float(lon0), float(lat0), step, step,
                    gap.astype(np.float32), bounds)
