"""What the map reads: incidents of a `Scope` counted per admin area, and gathered into
the cells of a square grid in degrees, so a view draws a few hundred clusters whatever
the number of incidents (the grouping is done by the database, not by the page).

The grid is anchored at (-180°, -90°): every cell index is then the truncation of a
non-negative number, which both backends compute alike (`cell_index`), and a cell size
always cuts the same cells, so clusters do not move when the filters change.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import func
from sqlalchemy.orm import Session

from ceasefire.store.overview import Scope
from ceasefire.store.overview_cells import E7, SOUTH, WEST, fixed
from ceasefire.store.sqlfunc import cell_index


class CellCount(NamedTuple):
    """The incidents of one status in one sub-district and one grid cell, with the sums
    of their coordinates (column, row and sums are None for incidents without a
    position)."""

    area: str | None  # the P-code at the view's level; None: in no such area
    column: int | None
    row: int | None
    status: str
    incidents: int
    lon_sum: float | None
    lat_sum: float | None
    # All three codes, for the narrowest area that holds a cluster (its circle's link)
    # and the number of incidents the incident list shows for it.
    adm1: str | None = None
    adm2: str | None = None
    adm3: str | None = None


def by_area_and_cell(session: Session, scope: Scope, *, level: int,
                     size: float) -> list[CellCount]:
    """Incidents per sub-district (with its district and governorate), grid cell of
    ``size`` degrees and status, in one pass over the scope: the choropleth sums the
    cells of an area of the view's ``level`` (1: governorates, 2: districts), the
    clusters the areas of a cell. A cell meets few sub-districts, so the rows stay in
    the low thousands however many incidents there are."""
    if level not in (1, 2):
        raise ValueError(f"a map shades governorates (1) or districts (2), not level {level}")
    i, status = scope.row, scope.status
    column = cell_index((i.lon - WEST) / size)
    row = cell_index((i.lat - SOUTH) / size)
    # Summed as the counts by cell (store/overview_cells.py) sum them, so the map of the
    # whole record is the same drawn from either.
    query = (scope.select(i.adm1, i.adm2, i.adm3, column, row, status, func.count(),
                          func.sum(fixed(i.lon)), func.sum(fixed(i.lat)))
             .group_by(i.adm1, i.adm2, i.adm3, column, row, status))
    return [CellCount(adm2 if level == 2 else adm1, column_, row_, status_, n,
                      None if lon is None else int(lon) / E7,
                      None if lat is None else int(lat) / E7, adm1, adm2, adm3)
            for adm1, adm2, adm3, column_, row_, status_, n, lon, lat
            in session.execute(query)]
