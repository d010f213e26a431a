from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ceasefire.api.schemas import AdminAreaOut, LocationOut
from ceasefire.domain.place import Point
from ceasefire.geo.admin import syria

router = APIRouter(prefix="/api/v1/geo", tags=["geography"])


@router.get("/locate", response_model=LocationOut)
def locate(lat: Annotated[float, Query(ge=-90, le=90)],
           lon: Annotated[float, Query(ge=-180, le=180)]) -> LocationOut:
    """The admin areas (OCHA P-codes) holding a point, coarsest first."""
    areas = syria().areas_at(Point(lon, lat))
    return LocationOut(lat=lat, lon=lon, areas=[
        AdminAreaOut(pcode=a.pcode, level=a.level, name=a.name, name_ar=a.name_ar)
        for a in areas])
