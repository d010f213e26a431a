"""What the map shows of a selection: the incidents counted per admin area of the view
and gathered into clusters on the view's grid, both counted by the database."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from ceasefire.domain.place import Point
from ceasefire.geo.admin import COAST_SNAP_DEG, syria
from ceasefire.outputs.maps import Cluster
from ceasefire.outputs.mapshapes import View, view_for
from ceasefire.services.overview import Selection, scope
from ceasefire.store import map_counts as store
from ceasefire.store import overview_cells, overview_days
from ceasefire.store.ledger import head
from ceasefire.store.overview import Scope


@dataclass(frozen=True)
class MapCounts:
    view: View
    by_area: Mapping[str, Mapping[str, int]]  # P-code -> status -> incidents
    unplaced: int  # incidents in no area of the view's level
    clusters: list[Cluster]

    @property
    def incidents(self) -> int:
        return sum(sum(s.values()) for s in self.by_area.values()) + self.unplaced

    @property
    def drawn(self) -> int:
        """Incidents with coordinates, drawn as circles."""
        return sum(c.incidents for c in self.clusters)


def map_counts(session: Session, selection: Selection, *, now: datetime,
               districts: bool = False, checked: bool = False) -> MapCounts:
    """The map of a selection: the whole country, or zoomed to the governorate of its
    admin area; ``districts`` shades the whole country's districts."""
    view = view_for(selection.adm, districts=districts)
    chosen = scope(session, selection, now=now, checked=checked)
    if view.cell == overview_cells.CELL and overview_cells.serves(chosen):
        found = _from_cells(session, chosen, level=view.level)
    else:
        found = store.by_area_and_cell(session, chosen, level=view.level, size=view.cell)
    by_area: dict[str, dict[str, int]] = {}
    unplaced = 0
    for c in found:
        if c.area is None:
            unplaced += c.incidents
        else:
            cell = by_area.setdefault(c.area, {})
            cell[c.status] = cell.get(c.status, 0) + c.incidents
    return MapCounts(view, by_area, unplaced, clusters(found))


def _from_cells(session: Session, found: Scope, *, level: int) -> list[store.CellCount]:
    """What `store.by_area_and_cell` counts, from the counts by cell: all time on the
    country's grid, a few thousand rows however long the record. The few overdue
    incidents some guarantor answered are looked up one by one for their status."""
    lapsed, wanted = found.lapsed, set(found.statuses)
    cells = overview_cells.cells(session, found)
    if any(c.status == overview_days.RECHECK for c in cells):
        cells = [c for c in cells if c.status != overview_days.RECHECK] + [
            c._replace(status=lapsed.answered[assessment]) for c, assessment
            in overview_cells.overdue_answered(session, replace(found, statuses=()))]
    placed = [c.cell_x is not None and c.cell_y is not None for c in cells]
    return [store.CellCount(c.adm2 if level == 2 else c.adm1, c.cell_x, c.cell_y, c.status,
                            c.incidents, c.lon_sum if xy else None,
                            c.lat_sum if xy else None, c.adm1, c.adm2, c.adm3)
            for c, xy in zip(cells, placed, strict=True)
            if not wanted or c.status in wanted]


def clusters(cells: list[store.CellCount]) -> list[Cluster]:
    """One cluster per grid cell: the statuses' counts and the coordinates summed over
    the cell's areas, the position their mean; and the area its circle links to (the
    incident list narrowed to it), with how many of the cluster's incidents it holds
    and how many the list shows."""
    gathered: dict[tuple[int, int], list[store.CellCount]] = {}
    for c in cells:
        if c.column is not None and c.row is not None:
            gathered.setdefault((c.column, c.row), []).append(c)
    listed = _listed(cells)
    centres: list[tuple[float, float, dict[str, int]]] = []
    narrowest: list[tuple[str | None, int]] = []
    for key in sorted(gathered):
        parts = gathered[key]
        n = sum(c.incidents for c in parts)
        by_status: dict[str, int] = {}
        for c in parts:
            by_status[c.status] = by_status.get(c.status, 0) + c.incidents
        centres.append((sum(c.lon_sum or 0.0 for c in parts) / n,
                        sum(c.lat_sum or 0.0 for c in parts) / n, by_status))
        narrowest.append(narrowest_area(parts))
    return [Cluster(lon, lat, by_status, place, area=area, in_area=held,
                    listed=listed.get(area, 0) if area else 0)
            for (lon, lat, by_status), place, (area, held)
            in zip(centres, _places(centres), narrowest, strict=True)]


def narrowest_area(parts: list[store.CellCount]) -> tuple[str | None, int]:
    """The narrowest admin area that holds the incidents of a cluster, and how many of
    them it holds: all of them, unless the cell straddles governorates (then the one
    holding most, and the narrowest area within it that holds all of those). None when
    none of them lies in a governorate."""
    held = parts
    area: str | None = None
    for level in (1, 2, 3):
        by_code: dict[str, int] = {}
        for c in held:
            code = (c.adm1, c.adm2, c.adm3)[level - 1]
            if code is not None:
                by_code[code] = by_code.get(code, 0) + c.incidents
        if not by_code:
            break
        code = min(by_code, key=lambda k: (-by_code[k], k))
        inside = [c for c in held if (c.adm1, c.adm2, c.adm3)[level - 1] == code]
        if level > 1 and len(inside) < len(held):  # finer would leave some out
            break
        area, held = code, inside
    return area, sum(c.incidents for c in held) if area else 0


def _listed(cells: list[store.CellCount]) -> dict[str, int]:
    """How many incidents of the selection each area holds, at every level: what the
    incident list narrowed to that area shows (with those drawn as no circle)."""
    found: dict[str, int] = {}
    for c in cells:
        for code in (c.adm1, c.adm2, c.adm3):
            if code is not None:
                found[code] = found.get(code, 0) + c.incidents
    return found


def _places(centres: list[tuple[float, float, dict[str, int]]]) -> list[str]:
    """The district and governorate of each centre, for the circles' titles (one
    vectorised lookup for them all)."""
    areas = syria()
    found = areas.locate_many([Point(lon, lat) for lon, lat, _ in centres],
                              snap_deg=COAST_SNAP_DEG)
    names = []
    for codes in found:
        if codes is None or codes.adm1 is None:
            names.append("")
        elif codes.adm2 is None:
            names.append(areas.area(codes.adm1).name)
        else:
            names.append(f"{areas.area(codes.adm2).name} ({areas.area(codes.adm1).name})")
    return names


class MapCache:
    """Maps already counted, kept by all they depend on: the selection, the view, the
    ledger's head (every change to the record appends an entry) and the minute (the
    silence rule turns overdue incidents as time passes, so a map is at most a minute
    behind the clock, never behind the record). A map of a large record takes the
    database seconds to count; readers asking for the same one again get it at once."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._found: OrderedDict[tuple[object, ...], MapCounts] = OrderedDict()
        self._lock = threading.Lock()

    def counts(self, session: Session, selection: Selection, *, now: datetime,
               districts: bool = False, checked: bool = False) -> MapCounts:
        minute = now.replace(second=0, microsecond=0)
        key = (head(session)[0], minute, selection, districts, checked)
        with self._lock:
            if (found := self._found.get(key)) is not None:
                self._found.move_to_end(key)
                return found
        found = map_counts(session, selection, now=minute, districts=districts,
                           checked=checked)
        with self._lock:
            self._found[key] = found
            while len(self._found) > self._size:
                self._found.popitem(last=False)
        return found
