"""Distances on the ground, and the named place nearest a point, for arrays of points."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ceasefire.domain.place import AdminCodes, Point
from ceasefire.geo.admin import AdminIndex
from ceasefire.geo.gazetteer import Gazetteer, GazetteerEntry

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)
KM_PER_DEG = EARTH_RADIUS_KM * np.pi / 180  # along a meridian
DECIMALS = 5  # coordinates are written to about a metre
_CHUNK = 4096  # points compared with every place at once: 4096 x places floats


def distance_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray,
                lat2: np.ndarray) -> np.ndarray:
    """Great-circle (haversine) distance between points, element by element."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=float))
                              for a in (lon1, lat1, lon2, lat2))
    h = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def offset(lon: np.ndarray, lat: np.ndarray, east_km: np.ndarray,
           north_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points moved by the given kilometres east and north, rounded to DECIMALS."""
    new_lat = lat + north_km / KM_PER_DEG
    new_lon = lon + east_km / (KM_PER_DEG * np.cos(np.radians(lat)))
    return np.round(new_lon, DECIMALS), np.round(new_lat, DECIMALS)


def locate(admin: AdminIndex, lon: np.ndarray, lat: np.ndarray) -> list[AdminCodes | None]:
    """The admin codes of each point (None outside every area), without snapping: what
    the importer finds for the same coordinates."""
    points = [Point(x, y) for x, y in zip(lon.tolist(), lat.tolist(), strict=True)]
    return admin.locate_many(points)


class NamedPlaces:
    """The towns of a gazetteer that lie inside the admin areas, with the codes of their
    points, and the nearest of them to any point."""

    def __init__(self, gazetteer: Gazetteer, admin: AdminIndex) -> None:
        towns = [e for e in gazetteer if e.kind == "town"]
        codes = admin.locate_many([e.point for e in towns])
        kept = [(e, c) for e, c in zip(towns, codes, strict=True) if c is not None]
        if not kept:
            raise ValueError("the gazetteer has no town inside the admin areas")
        self.entries: list[GazetteerEntry] = [e for e, _ in kept]
        self.admin: list[AdminCodes] = [c for _, c in kept]
        self.lon = np.array([e.point.lon for e in self.entries])
        self.lat = np.array([e.point.lat for e in self.entries])

    def nearest(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each point, the index of the nearest town and its distance in km."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        index = np.empty(len(lon), dtype=np.int64)
        for start in range(0, len(lon), _CHUNK):
            part = slice(start, start + _CHUNK)
            # Ranked on a local plane (exact enough at tens of km); measured on the sphere.
            scale = np.cos(np.radians(lat[part]))[:, None]
            dx = (lon[part, None] - self.lon[None, :]) * scale
            dy = lat[part, None] - self.lat[None, :]
            index[part] = np.argmin(dx * dx + dy * dy, axis=1)
        return index, distance_km(lon, lat, self.lon[index], self.lat[index])


@lru_cache(maxsize=8)
def named_places(gazetteer: Gazetteer, admin: AdminIndex) -> NamedPlaces:
    return NamedPlaces(gazetteer, admin)
