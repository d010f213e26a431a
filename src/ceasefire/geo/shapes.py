"""Checks on GeoJSON geometries that come from outside (scenario files, later the API)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import shapely
from shapely.errors import GEOSException
from shapely.geometry import shape


def polygon_problem(geometry: Mapping[str, Any]) -> str | None:
    """Why a GeoJSON geometry is not a usable area (WGS 84 polygon), or None if it is."""
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return f"expected a GeoJSON Polygon or MultiPolygon, got {geometry.get('type')!r}"
    try:
        polygon = shape(geometry)
    except (GEOSException, ValueError, TypeError, KeyError, IndexError) as exc:
        return f"not a readable GeoJSON geometry: {exc}"
    if polygon.is_empty:
        return "the polygon is empty"
    if not polygon.is_valid:
        return f"the polygon is invalid: {shapely.is_valid_reason(polygon)}"
    minx, miny, maxx, maxy = polygon.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        return "coordinates must be longitude, latitude in WGS 84 degrees"
    return None
