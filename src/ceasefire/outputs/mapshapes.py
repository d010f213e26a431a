"""The map's frame: which admin areas a view draws, where lon/lat fall on the drawing,
and the areas' outlines as SVG path data, simplified once per view and kept.

The projection is equirectangular with longitudes scaled by the cosine of the view's
middle latitude: at Syria's size (about 6° by 5°) shapes and distances are off by under
3%, and it needs no projection library. Outlines are simplified with shapely to about
half a pixel of the drawing, which keeps every district of Syria in a few thousand
points instead of the shipped boundaries' 76,000.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ceasefire.errors import InvalidInput
from ceasefire.geo.admin import AdminArea, syria

WIDTH = 960  # the drawing's width in SVG units (px at 100%)
PAD = 0.02  # of the view's extent, on each side
CELLS = 24  # grid cells across the view's longer side: at most some 25 x 20 clusters
SIMPLIFY_PX = 0.5  # outline tolerance, in px of the drawing


@dataclass(frozen=True)
class View:
    """What one map shows: the areas of `level` (all of them, or those of the governorate
    `within`), the extent (west, south, east, north) and the grid's cell size in degrees."""

    level: int
    within: str | None
    bounds: tuple[float, float, float, float]
    cell: float

    @property
    def areas(self) -> list[AdminArea]:
        return [a for a in syria().level(self.level)
                if self.within is None or a.parent == self.within]

    @property
    def most_clusters(self) -> int:
        """The most cells of the grid the extent can touch: clusters never exceed it for
        incidents inside the view."""
        west, south, east, north = self.bounds
        return (math.ceil((east - west) / self.cell) + 1) * \
            (math.ceil((north - south) / self.cell) + 1)


def view_for(adm: str | None, *, districts: bool = False) -> View:
    """The whole country (governorates, or all districts with ``districts``), or the
    districts of the governorate that holds ``adm``."""
    areas = syria()
    if adm is None:
        level, within = (2 if districts else 1), None
    else:
        if adm not in areas:
            raise InvalidInput(f"no admin area {adm!r}", field="adm", id=adm)
        level, within = 2, areas.codes_for(adm).adm1
    shown = [a.pcode for a in areas.level(level) if within is None or a.parent == within]
    west, south, east, north = _bounds(tuple(shown))
    pad = PAD * max(east - west, north - south)
    bounds = (west - pad, south - pad, east + pad, north + pad)
    return View(level, within, bounds, _cell(bounds))


@cache
def _bounds(pcodes: tuple[str, ...]) -> tuple[float, float, float, float]:
    areas = syria()
    west, south, east, north = shapely.total_bounds([areas.geometry(p) for p in pcodes])
    return float(west), float(south), float(east), float(north)


def _cell(bounds: tuple[float, float, float, float]) -> float:
    """The cell size giving CELLS cells across the longer side, rounded up to two
    significant digits, so the grid of a view is the same at every request."""
    west, south, east, north = bounds
    least = max(east - west, north - south) / CELLS
    unit = 10.0 ** (math.floor(math.log10(least)) - 1)
    return round(math.ceil(least / unit) * unit, 12)


@dataclass(frozen=True)
class Projection:
    """lon/lat to the drawing's x/y (y down), for one view."""

    west: float
    north: float
    scale: float  # px per degree of latitude
    shrink: float  # cos(middle latitude): px per degree of longitude / scale
    width: float
    height: float

    @classmethod
    def of(cls, view: View, width: float = WIDTH) -> Projection:
        west, south, east, north = view.bounds
        shrink = math.cos(math.radians((south + north) / 2))
        scale = width / ((east - west) * shrink)
        return cls(west, north, scale, shrink, width, round((north - south) * scale, 1))

    def x(self, lon: float) -> float:
        return (lon - self.west) * self.shrink * self.scale

    def y(self, lat: float) -> float:
        return (self.north - lat) * self.scale


@cache
def simplified(level: int, tolerance: float) -> dict[str, BaseGeometry]:
    """Every area of a level, simplified to ``tolerance`` degrees (topology kept)."""
    areas = syria()
    return {a.pcode: areas.geometry(a.pcode).simplify(tolerance, preserve_topology=True)
            for a in areas.level(level)}


@cache
def outlines(view: View, width: float = WIDTH) -> dict[str, str]:
    """SVG path data of each area the view draws, by P-code, largest area first: a small
    area drawn after its neighbours keeps its whole border, and its focus ring, visible."""
    p = Projection.of(view, width)
    # Tolerance in degrees of about half a pixel, rounded so that nearby views share it.
    tolerance = float(f"{SIMPLIFY_PX / p.scale:.1g}")
    shapes = simplified(view.level, tolerance)
    order = sorted(view.areas, key=lambda a: (-shapes[a.pcode].area, a.pcode))
    return {a.pcode: _path(shapes[a.pcode], p) for a in order}


def _path(geometry: BaseGeometry, p: Projection) -> str:
    """Each ring as a move to its first point and then relative lines, in tenths of a
    pixel: about half the characters of absolute coordinates. The steps are differences
    of the rounded points, so rounding never accumulates along a ring; steps that round
    to nothing are dropped."""
    parts: list[str] = []
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        for ring in [polygon.exterior, *polygon.interiors]:
            xy = shapely.get_coordinates(ring)[:-1]  # the closing point: Z closes it
            tenths = np.rint(np.column_stack([p.x(xy[:, 0]), p.y(xy[:, 1])]) * 10)
            steps = np.diff(tenths.astype(np.int64), axis=0)
            steps = steps[(steps != 0).any(axis=1)]
            start = f"M{_px(int(tenths[0, 0]))},{_px(int(tenths[0, 1]))}"
            lines = " ".join(f"{_px(dx)},{_px(dy)}" for dx, dy in steps.tolist())
            parts.append(f"{start}l{lines}Z" if lines else f"{start}Z")
    return "".join(parts)


def _px(tenths: int) -> str:
    """Tenths of a pixel as the shortest decimal: 12 -> "1.2", -5 -> "-.5", 30 -> "3"."""
    whole, tenth = divmod(abs(tenths), 10)
    sign = "-" if tenths < 0 else ""
    if not tenth:
        return f"{sign}{whole}"
    return f"{sign}{whole if whole else ''}.{tenth}"
