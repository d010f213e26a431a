"""Admin areas (OCHA P-codes) and which of them a point lies in.

Points are resolved against the finest level (sub-districts) through an STR-tree; the
coarser codes come from the sub-district's own parents, so the three codes always nest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from ceasefire.domain.place import AdminCodes, Point
from ceasefire.errors import InvalidInput, NotFound
from ceasefire.geo.areas import AreaGrid
from ceasefire.geo.names import DISTRICT, GOVERNORATE, SUB_DISTRICT, parse_query, place_key
from ceasefire.geo.reach import area_grid
from ceasefire.geo.spelling import nearest_spelling

# About 1 km in degrees of latitude: what a caller may allow for a coastal point that the
# rounded boundary data misses. Never the default: near a land border it would put a
# point in the neighbouring country into Syria (Nusaybin, Turkey, lies that close).
COAST_SNAP_DEG = 0.01
KM_PER_DEG_LAT = 111.2  # the mean; the error within one country is below 1%
_LEVELS = {GOVERNORATE: 1, DISTRICT: 2, SUB_DISTRICT: 3}


@dataclass(frozen=True, slots=True)
class AdminArea:
    pcode: str
    level: int
    name: str
    name_ar: str
    parent: str | None


class AdminIndex:
    """Admin areas of one country with a spatial index over the finest level."""

    def __init__(self, areas: Iterable[AdminArea], finest: dict[str, BaseGeometry],
                 geometries: dict[str, BaseGeometry]) -> None:
        self._areas = {a.pcode: a for a in areas}
        self._geometries = geometries
        self._extents: dict[str, tuple[Point, float]] = {}
        self._grid: AreaGrid | None = None
        self._keys: dict[str, list[AdminArea]] | None = None  # by place_key of each name
        self._finest_codes = sorted(finest)
        self._finest_geoms = [finest[c] for c in self._finest_codes]
        shapely.prepare(self._finest_geoms)
        self._tree = shapely.STRtree(self._finest_geoms)
        self._finest_admin = [self.codes_for(c) for c in self._finest_codes]

    def __contains__(self, pcode: object) -> bool:
        return pcode in self._areas

    def __iter__(self) -> Iterator[AdminArea]:
        return iter(self._areas.values())

    def area(self, pcode: str) -> AdminArea:
        try:
            return self._areas[pcode]
        except KeyError:
            raise NotFound(f"no admin area with P-code {pcode!r}", field="pcode",
                           id=pcode) from None

    def require(self, pcode: str | None, *, field: str = "adm") -> None:
        """Refuse a P-code no area has, naming the field: a selection of "SY99" must say
        so rather than count nothing."""
        if pcode is not None and pcode not in self._areas:
            raise InvalidInput(f"{pcode!r} is not the P-code of an admin area (governorates "
                               f"are SY01 to SY14; a district adds two digits, e.g. SY0200, "
                               f"a sub-district two more)", field=field, id=pcode)

    def geometry(self, pcode: str) -> BaseGeometry:
        self.area(pcode)
        return self._geometries[pcode]

    def extent(self, pcode: str) -> tuple[Point, float]:
        """An area's centre and the radius in km of a circle about it that holds the area:
        where a report placed only "in this district" can be."""
        if (found := self._extents.get(pcode)) is None:
            geometry = self.geometry(pcode)
            centre = geometry.centroid
            vertices = shapely.get_coordinates(geometry)
            km = np.array([KM_PER_DEG_LAT * np.cos(np.radians(centre.y)), KM_PER_DEG_LAT])
            radius = float(np.max(np.hypot(*((vertices - [centre.x, centre.y]) * km).T)))
            found = self._extents[pcode] = (Point(centre.x, centre.y), radius)
        return found

    def area_grid(self) -> AreaGrid:
        """Distance rasters of the governorates and districts: the places of reports
        known only to such an area (built once, in about a tenth of a second)."""
        if self._grid is None:
            self._grid = area_grid({a.pcode: self._geometries[a.pcode]
                                    for a in self._areas.values() if a.level <= 2})
        return self._grid

    def level(self, level: int) -> list[AdminArea]:
        return sorted((a for a in self._areas.values() if a.level == level),
                      key=lambda a: a.pcode)

    def named(self, text: str) -> list[AdminArea]:
        """The areas `text` names, in English or Arabic, however the name is transliterated
        (Idlib is Idleb), nearest spelling first (Raqqa is Ar-Raqqa, not Ariqa); "Duma
        district" only the district. Largest first; none when it names no area."""
        if self._keys is None:
            self._keys = {}
            for a in self._areas.values():
                for name in {place_key(a.name), place_key(a.name_ar)} - {""}:
                    self._keys.setdefault(name, []).append(a)
        found = self._keys.get(place_key(text), [])  # the whole text: "Rural Damascus"
        if not found:
            query = parse_query(text)
            levels = {_LEVELS[k] for k in query.kinds or _LEVELS if k in _LEVELS}
            found = [a for a in self._keys.get(place_key(query.name), [])
                     if a.level in levels]
        if not found:
            return []
        apart = {a.pcode: nearest_spelling(text, (a.name, a.name_ar))[1] for a in found}
        return sorted((a for a in found if apart[a.pcode] == min(apart.values())),
                      key=lambda a: (a.level, a.pcode))

    def codes_for(self, pcode: str) -> AdminCodes:
        """The nested codes of an admin area and its parents."""
        chain: list[str] = []
        area: AdminArea | None = self.area(pcode)
        while area is not None:
            chain.insert(0, area.pcode)
            area = self._areas.get(area.parent) if area.parent else None
        return AdminCodes(*chain)

    def locate(self, point: Point, *, snap_deg: float = 0.0) -> AdminCodes | None:
        """The admin codes of the area holding ``point``; None if it lies outside them all.

        A point on a shared boundary goes to the lowest P-code, so answers are stable. With
        ``snap_deg``, a point outside every area takes the nearest one within that distance.
        """
        return self.locate_many([point], snap_deg=snap_deg)[0]

    def areas_at(self, point: Point, *, snap_deg: float = 0.0) -> list[AdminArea]:
        """The admin areas holding ``point``, coarsest first; empty outside them all."""
        codes = self.locate(point, snap_deg=snap_deg)
        return [self._areas[c] for c in codes.codes()] if codes else []

    def locate_many(self, points: Sequence[Point], *,
                    snap_deg: float = 0.0) -> list[AdminCodes | None]:
        """``locate`` for many points at once, with one vectorised query (bulk imports)."""
        if not points:
            return []
        geoms = shapely.points([(p.lon, p.lat) for p in points])
        none = len(self._finest_codes)  # past the last area: "no area found"
        found = np.full(len(points), none)
        # A point on a shared boundary hits several areas: keep the lowest P-code (the
        # smallest index, as codes are sorted), so answers do not depend on tree order.
        hits = self._tree.query(geoms, predicate="intersects")
        np.minimum.at(found, hits[0], hits[1])
        missing = np.flatnonzero(found == none)
        if len(missing) and snap_deg > 0:
            near = self._tree.query_nearest(geoms[missing], max_distance=snap_deg)
            np.minimum.at(found, missing[near[0]], near[1])
        return [self._finest_admin[i] if i < none else None for i in found.tolist()]


def _read_features(package: str, name: str) -> list[dict[str, Any]]:
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)["features"]


def load_ocha(package: str, prefix: str, levels: int = 3) -> AdminIndex:
    """Build an index from OCHA COD-AB GeoJSON files ``{prefix}_admin{1..levels}.geojson``."""
    areas: list[AdminArea] = []
    geometries: dict[str, BaseGeometry] = {}
    for level in range(1, levels + 1):
        for feature in _read_features(package, f"{prefix}_admin{level}.geojson"):
            props = feature["properties"]
            code = props[f"adm{level}_pcode"]
            parent = props.get(f"adm{level - 1}_pcode") if level > 1 else None
            areas.append(AdminArea(code, level, props[f"adm{level}_name"],
                                   props.get(f"adm{level}_name1") or "", parent))
            geometries[code] = shape(feature["geometry"])
    finest = {a.pcode: geometries[a.pcode] for a in areas if a.level == levels}
    return AdminIndex(areas, finest, geometries)


@cache
def syria() -> AdminIndex:
    """The OCHA admin areas of Syria shipped with the package (see data/syria/SOURCE.md)."""
    return load_ocha("ceasefire.geo.data.syria", "syr")
