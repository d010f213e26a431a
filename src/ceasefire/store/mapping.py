"""What the map reads: incidents of a `Scope` counted per admin area, and gathered into
the cells of a square grid in degrees, so a view draws a few hundred clusters whatever
the number of incidents (the grouping is done by the database, not by the page).

The grid is anchored at (-180°, -90°): every cell index is then the truncation of a
non-negative number, which both backends compute alike (`cell_index`), and a cell size
always cuts the same cells, so clusters do not move when the filters change.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import Integer

from ceasefire.store.overview import Count, Scope
from ceasefire.store.tables import IncidentRow

WEST, SOUTH = -180.0, -90.0  # the grid's origin


class cell_index(FunctionElement[int]):  # noqa: N801 - reads as the SQL function it is
    """The integer part of a non-negative number, on either backend."""

    type = Integer()
    inherit_cache = True


@compiles(cell_index, "sqlite")
def _cell_index_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    # CAST truncates towards zero, which is floor for the non-negative values it gets;
    # floor() itself exists only in SQLite builds with the math functions.
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"


@compiles(cell_index, "postgresql")
def _cell_index_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    # PostgreSQL's CAST rounds to the nearest integer: floor first.
    return f"CAST(floor({compiler.process(element.clauses, **kw)}) AS INTEGER)"


def by_area(session: Session, scope: Scope, *, level: int) -> list[Count]:
    """Incidents per governorate (level 1) or district (level 2) and status; the key is
    None for incidents placed in no area of that level."""
    column = {1: IncidentRow.adm1, 2: IncidentRow.adm2}[level]
    status = scope.status
    return [Count(key, s, n) for key, s, n in session.execute(
        scope.select(column, status, func.count()).group_by(column, status))]


class CellCount(NamedTuple):
    """The incidents of one status in one grid cell, and their mean position."""

    column: int
    row: int
    status: str
    incidents: int
    lon: float
    lat: float


def by_cell(session: Session, scope: Scope, *, size: float) -> list[CellCount]:
    """Incidents with coordinates per grid cell of ``size`` degrees and status."""
    i, status = IncidentRow, scope.status
    column = cell_index((i.lon - WEST) / size)
    row = cell_index((i.lat - SOUTH) / size)
    query = (scope.select(column, row, status, func.count(), func.avg(i.lon), func.avg(i.lat))
             .where(i.lon.is_not(None), i.lat.is_not(None))
             .group_by(column, row, status))
    return [CellCount(c, r, s, n, float(x), float(y))
            for c, r, s, n, x, y in session.execute(query)]
