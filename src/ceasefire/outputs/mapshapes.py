"""The map's frame: which admin areas a view draws, where lon/lat fall on the drawing,
the areas' outlines as SVG path data, simplified once per view and kept; and what the
map names: the towns (seats of the admin areas, and the larger GeoNames towns) and the
outlines of an agreement's zones.

The projection is equirectangular with longitudes scaled by the cosine of the view's
middle latitude: at Syria's size (about 6° by 5°) shapes and distances are off by under
3%, and it needs no projection library. Outlines are simplified with shapely to about
half a pixel of the drawing, which keeps every district of Syria in a few thousand
points instead of the shipped boundaries' 76,000.
"""

from __future__ import annotations

import csv
import json
import math
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from ceasefire.domain.place import Point
from ceasefire.errors import InvalidInput
from ceasefire.geo.admin import COAST_SNAP_DEG, AdminArea, syria
from ceasefire.geo.names import place_key

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


# --- what the map names: towns, and the agreement's zones ----------------------------------

CAPITAL, GOVERNORATE_SEAT, DISTRICT_SEAT, TOWN, SUB_DISTRICT_SEAT = range(5)
SAME_TOWN_DEG = 0.05  # a GeoNames town this close to an OCHA seat is that seat (about 5 km)
SAME_SEAT_DEG = 0.005  # two OCHA seats this close are one town, the seat of two levels
# The spelling English-language reporting uses, where GeoNames' romanisation (diacritics
# folded) differs from it: "Hamah" is Hama, "Tadmur" is Palmyra.
ENGLISH = {
    "Ar Raqqah": "Raqqa", "Hamah": "Hama", "Al Hasakah": "Hasakah", "Al Qamishli": "Qamishli",
    "Dara": "Daraa", "As Salamiyah": "Salamiyah", "Al-Tabqa": "Tabqa", "Izaz": "Azaz",
    "As-Suwayda": "Suwayda", "Albu Kamal": "Abu Kamal", "Tadmur": "Palmyra",
    "Ayn al Arab": "Ayn al-Arab", "Al Qunaytirah": "Quneitra", "Al Mayadin": "Mayadin",
    "Ar Rastan": "Rastan", "Al Qusayr": "Qusayr", "Jisr ash Shughur": "Jisr al-Shughur",
    "al-Yarmuk": "Yarmouk", "Maarratmisrin": "Maarrat Misrin", "Tallbisah": "Talbiseh",
    "Tallkalakh": "Tall Kalakh", "Az Zabadani": "Zabadani", "Irbin": "Arbin", "Duma": "Douma",
    "At Tall": "Al-Tall", "Dail": "Dael", "An Nabk": "Nabk", "Al Bab": "Al-Bab",
    "Tall Rifat": "Tall Rifaat", "Shaykh Miskin": "Sheikh Miskin", "Baniyas": "Banyas",
}


@dataclass(frozen=True)
class Place:
    """A town the map may name: its English name (Arabic where the seat's area gives it),
    its point, and how much it matters (`rank`: the capital, a governorate's seat, a
    district's seat, another town, a sub-district's seat; then population)."""

    name: str
    name_ar: str
    lon: float
    lat: float
    rank: int
    population: int
    adm1: str | None


def _english(name: str) -> str:
    """A GeoNames name as English text: diacritics and the ʿayn marks dropped."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", name)
                     if not unicodedata.combining(c)).replace("\u2018", "").replace("\u2019", "")
    return ENGLISH.get(folded, folded)


@cache
def places() -> tuple[Place, ...]:
    """The OCHA admin capitals (seats of the governorates, districts and sub-districts),
    each named as the GeoNames town at it is, and the other GeoNames towns with a known
    population: read once from the shipped data (geo/data/syria/SOURCE.md)."""
    areas = syria()
    data = resources.files("ceasefire.geo.data.syria")
    capitals = json.loads(data.joinpath("syr_admincapitals.geojson").read_text("utf-8"))
    towns = [(row["name"], float(row["lon"]), float(row["lat"]), int(row["population"]))
             for row in csv.DictReader(data.joinpath("geonames_sy.csv").read_text("utf-8")
                                       .splitlines()) if row["population"]]
    taken: set[int] = set()
    found: list[tuple[str, str, float, float, int, int]] = []
    rank_of = {0: CAPITAL, 1: GOVERNORATE_SEAT, 2: DISTRICT_SEAT, 3: SUB_DISTRICT_SEAT}
    # Coarse to fine: a seat of several levels (Aleppo: its governorate's, district's and
    # sub-district's) is named once, at its highest rank.
    for feature in sorted(capitals["features"], key=lambda f: f["properties"]["adm_p_lvl"]):
        props = feature["properties"]
        level = props["adm_p_lvl"]
        lon, lat = feature["geometry"]["coordinates"]
        if any(math.hypot(x - lon, y - lat) < SAME_SEAT_DEG for _, _, x, y, _, _ in found):
            continue
        # The GeoNames town at the seat names it (Jebel Saman's seat is Aleppo): one of
        # the same name if there is one, else the nearest.
        near = [(place_key(towns[i][0]) != place_key(props["name"]),
                 math.hypot(x - lon, y - lat), i) for i, (_, x, y, _) in enumerate(towns)
                if i not in taken and math.hypot(x - lon, y - lat) <= SAME_TOWN_DEG]
        name, population = props["name"], 0
        if near:
            *_, i = min(near)
            taken.add(i)
            name, population = _english(towns[i][0]), towns[i][3]
        seat = props[f"adm{level}_pcode"] if level else "SY01"
        name_ar = areas.area(seat).name_ar if level in (0, 1) and seat in areas else ""
        rank = TOWN if level == 3 and population else rank_of[level]  # a town all the same
        found.append((name, name_ar, lon, lat, rank, population))
    found += [(_english(name), "", lon, lat, TOWN, pop)
              for i, (name, lon, lat, pop) in enumerate(towns) if i not in taken]
    codes = areas.locate_many([Point(lon, lat) for _, _, lon, lat, _, _ in found],
                              snap_deg=COAST_SNAP_DEG)
    return tuple(Place(name, ar, lon, lat, rank, pop, c.adm1 if c else None)
                 for (name, ar, lon, lat, rank, pop), c in zip(found, codes, strict=True))


def view_places(view: View) -> list[Place]:
    """The places of a view, most important first: the whole country names its seats
    and larger towns; a governorate also its sub-districts' seats. Places outside the
    view's areas are left out (a zoomed view draws its governorate only)."""
    west, south, east, north = view.bounds
    most = SUB_DISTRICT_SEAT if view.within else TOWN
    shown = [p for p in places() if p.rank <= most and west <= p.lon <= east
             and south <= p.lat <= north and p.adm1 is not None
             and (view.within is None or p.adm1 == view.within)]
    once: dict[str, Place] = {}  # a name twice (two seats of one name) is named once
    for place in sorted(shown, key=lambda p: (p.rank, -p.population, p.name)):
        once.setdefault(place.name, place)
    return list(once.values())


@dataclass(frozen=True)
class ZoneShape:
    """A zone's outline as drawn: path data, and where its number may stand, best first
    (the point deepest inside it, then points along its border, then around it)."""

    path: str
    spots: tuple[tuple[float, float], ...]


SPOT_EVERY_PX = 24  # spacing of the points along a zone's border that may hold its number


@cache
def zone_shape(view: View, pcodes: tuple[str, ...], polygons: str = "",
               width: float = WIDTH) -> ZoneShape | None:
    """The outline of a zone made of admin areas (`pcodes`, any level) and GeoJSON
    polygons (`polygons`, a JSON list), as one shape: the union of its parts, clipped to
    the view and simplified like the areas. None when no part of it is in the view."""
    areas = syria()
    parts = [areas.geometry(code) for code in pcodes if code in areas]
    parts += [shape(g) for g in json.loads(polygons or "[]")]
    if not parts:
        return None
    p = Projection.of(view, width)
    tolerance = float(f"{SIMPLIFY_PX / p.scale:.1g}")
    west, south, east, north = view.bounds
    whole = shapely.union_all(parts).intersection(shapely.box(west, south, east, north))
    whole = whole.simplify(tolerance, preserve_topology=True)
    polygons_in = [g for g in getattr(whole, "geoms", [whole]) if g.geom_type == "Polygon"
                   and not g.is_empty]
    if not polygons_in:
        return None
    largest = max(polygons_in, key=lambda g: g.area)
    inside = polylabel(largest, tolerance=tolerance)
    step = SPOT_EVERY_PX / p.scale
    along = []
    for px in (0, 16, 32):  # its border, and rings around it this many px off
        ring = (largest if not px else largest.buffer(px / p.scale)).exterior
        along += [ring.interpolate(d) for d in np.arange(0.0, ring.length, step)]
    spots = [(round(p.x(q.x), 1), round(p.y(q.y), 1)) for q in [inside, *along]]
    return ZoneShape(_path(MultiPolygon(polygons_in), p), tuple(spots))
