"""`overview_cells`: the overview counted over all time by sub-district, cell of the
country map's grid, stored status and reporting parties, with the coordinates summed;
kept in step with `incident_overview` by the same refresh as `overview_days`.

The record at sixteen events a day holds about one incident a day and governorate, so
counts by day are as many rows as incidents: the whole record's count, and its map, would
add up hundreds of thousands. Without the day they are a few thousand. `serves` says
which scopes they count: no period, every violation type, no search. The status now is
worked out as for the counts by day (store/overview_days.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from sqlalchemy import (
    BigInteger,
    BindParameter,
    Select,
    Table,
    and_,
    case,
    delete,
    false,
    func,
    literal,
    select,
    true,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from ceasefire.store import dialects
from ceasefire.store.overview_days import EPOCH, RECHECK, UIDS, counted_apart
from ceasefire.store.sqlfunc import PARTY_BITS, cell_index
from ceasefire.store.tables import OverviewCellRow, OverviewRow, UTCDateTime

if TYPE_CHECKING:  # store/overview.py keeps this table in step: it imports this module
    from ceasefire.store.overview import Scope

# The country map's grid (outputs/mapshapes.py: view_for(None)), anchored at WEST, SOUTH
# as store/map_counts.py's; a view of another cell size reads the overview.
CELL = 0.3
WEST, SOUTH = -180.0, -90.0
NO_CELL = -1  # the cell of incidents without a position
E7 = 10_000_000  # coordinates are summed in units of 1/E7 degree
_KEYS = ["agreement_id", "adm1", "adm2", "adm3", "cell_x", "cell_y", "status", "parties",
         "opened_at", "answered"]


def fixed(degrees: Any) -> ColumnElement[int]:
    """A coordinate in whole ten-millionths of a degree: integers add up exactly, so a
    count kept by adding and taking away equals one made again (and the overview's map,
    which sums the same)."""
    return sql_cast(func.round(degrees * E7), BigInteger)


def _cell(degrees: Any, origin: float) -> Any:
    return func.coalesce(cell_index((degrees - origin) / CELL), NO_CELL)


def _grouped(uids: Sequence[str] | BindParameter[Any] | None) -> Any:
    """The overview's rows (of these incidents, or all) counted by the table's key."""
    o = OverviewRow
    pending = and_(o.status == "pending", o.covered, o.opened_at.is_not(None))
    keys = [o.agreement_id, func.coalesce(o.adm1, ""), func.coalesce(o.adm2, ""),
            func.coalesce(o.adm3, ""), _cell(o.lon, WEST), _cell(o.lat, SOUTH), o.status,
            o.parties, case((pending, o.opened_at), else_=literal(EPOCH, UTCDateTime())),
            case((and_(pending, o.version > 0), true()), else_=false())]
    query: Select[*tuple[Any, ...]] = select(
        *[k.label(n) for k, n in zip(keys, _KEYS, strict=True)], func.count().label("incidents"),
        func.coalesce(func.sum(fixed(o.lon)), 0).label("lon_e7"),
        func.coalesce(func.sum(fixed(o.lat)), 0).label("lat_e7"))
    if uids is not None:
        query = query.where(o.uid.in_(uids))
    return query.group_by(*keys)


def _insert(session: Session) -> Any:
    return dialects.of(session).upsert(cast(Table, OverviewCellRow.__table__))


def leave(session: Session, uids: Sequence[str]) -> None:
    """Take these incidents' overview rows out of the counts (before they change)."""
    session.execute(_leave(), {"uids": list(uids)})


@cache  # built once, as overview_days' statements
def _leave() -> Any:
    c, g = OverviewCellRow, _grouped(UIDS).subquery()
    return update(cast(Table, c.__table__)).values(
        incidents=c.incidents - g.c.incidents, lon_e7=c.lon_e7 - g.c.lon_e7,
        lat_e7=c.lat_e7 - g.c.lat_e7).where(*(getattr(c, k) == getattr(g.c, k) for k in _KEYS))


def enter(session: Session, uids: Sequence[str]) -> None:
    """Count these incidents' overview rows in (after they changed)."""
    session.execute(_enter(dialects.of(session)), {"uids": list(uids)})


@cache
def _enter(dialect: dialects.Dialect) -> Any:
    c = OverviewCellRow
    add: Any = dialect.upsert(cast(Table, c.__table__)).from_select(
        [*_KEYS, "incidents", "lon_e7", "lat_e7"], _grouped(UIDS))
    return add.on_conflict_do_update(
        index_elements=_KEYS,
        set_={"incidents": c.incidents + add.excluded.incidents,
              "lon_e7": c.lon_e7 + add.excluded.lon_e7,
              "lat_e7": c.lat_e7 + add.excluded.lat_e7})


def rebuild(session: Session) -> None:
    session.execute(delete(OverviewCellRow))
    session.execute(_insert(session).from_select([*_KEYS, "incidents", "lon_e7", "lat_e7"],
                                                 _grouped(None)))


def _stored() -> Select[Any]:
    c = OverviewCellRow
    return select(*(getattr(c, k) for k in _KEYS), c.incidents, c.lon_e7, c.lat_e7).where(
        c.incidents > 0)


def differences(session: Session, *, limit: int = 5) -> list[str]:
    """How the counts by cell differ from counting the overview again (none: equal)."""
    return counted_apart(session, _stored(), _grouped(None), lambda row, what: (
        f"overview_cells: the count of {row.incidents} incidents under agreement "
        f"{row.agreement_id} in {row.adm3 or row.adm1 or '-'}, cell ({row.cell_x}, "
        f"{row.cell_y}), {row.status} {what}"), limit=limit)


def rows(session: Session) -> list[tuple[Any, ...]]:
    """Every count above zero, in key order: to hold the table to a rebuild."""
    c = OverviewCellRow
    return [tuple(r) for r in session.execute(
        _stored().order_by(*(getattr(c, k) for k in _KEYS)))]


# -- reading it -------------------------------------------------------------------------------

def serves(scope: Scope) -> bool:
    """Whether the counts by cell count the scope: all time, every violation type, no
    search, parties among the bits, and not what the public reads (which is counted on
    rows checked against the records)."""
    return (scope.since is None and scope.until is None and scope.violation is None
            and not scope.areas and not scope.words and not scope.checked
            and (scope.party_id is None or scope.party_id < PARTY_BITS))


class Cell(NamedTuple):
    adm1: str | None
    adm2: str | None
    adm3: str | None
    cell_x: int | None  # None: no position
    cell_y: int | None
    status: str  # the status now; RECHECK: overdue and answered, looked up one by one
    incidents: int
    lon_sum: float  # degrees; 0 without a position
    lat_sum: float


def cells(session: Session, scope: Scope, *, by_status_only: bool = False) -> list[Cell]:
    """The scope's incidents by sub-district, cell and status now (``by_status_only``: by
    status alone, what a count needs), summed from the counts by cell. The statuses the
    scope asks for are the caller's to apply: RECHECK counts must be split first."""
    assert serves(scope), scope
    c, lapsed = OverviewCellRow, scope.lapsed
    overdue = and_(c.status == "pending", c.opened_at > literal(EPOCH, UTCDateTime()),
                   c.opened_at <= lapsed.cutoff)
    status = case((and_(overdue, c.answered), literal(RECHECK)),
                  (overdue, literal(lapsed.silent)), else_=c.status)
    conditions = [c.agreement_id == scope.agreement_id]
    if scope.adm is not None:
        conditions.append({4: c.adm1, 6: c.adm2, 8: c.adm3}[len(scope.adm)] == scope.adm)
    if scope.party_id is not None:
        conditions.append(c.parties.op("&")(1 << scope.party_id) != 0)
    total = func.sum(c.incidents)
    if by_status_only:
        return [Cell(None, None, None, None, None, st, int(n), 0.0, 0.0)
                for st, n in session.execute(select(status, total).where(*conditions)
                                             .group_by(status)) if n]
    keys: list[Any] = [c.adm1, c.adm2, c.adm3, c.cell_x, c.cell_y, status]
    query: Select[Any] = (select(*keys, total, func.sum(c.lon_e7), func.sum(c.lat_e7))
                          .where(*conditions).group_by(*keys))
    return [Cell(adm1 or None, adm2 or None, adm3 or None, None if x == NO_CELL else x,
                 None if y == NO_CELL else y, st, int(n), int(lon) / E7, int(lat) / E7)
            for adm1, adm2, adm3, x, y, st, n, lon, lat in session.execute(query) if n]


def overdue_answered(session: Session, scope: Scope) -> list[tuple[Cell, int]]:
    """Each of the scope's overdue incidents that some guarantor answered, as a cell of
    one incident (status RECHECK), with its assessment id: the caller gives it its
    status."""
    o, ids = OverviewRow, sorted(scope.lapsed.answered)
    if not ids:
        return []
    query = scope.select(o.adm1, o.adm2, o.adm3, _cell(o.lon, WEST), _cell(o.lat, SOUTH),
                         fixed(o.lon), fixed(o.lat), o.assessment_id).where(
        o.assessment_id.in_(ids))
    return [(Cell(adm1, adm2, adm3, None if x == NO_CELL else x, None if y == NO_CELL else y,
                  RECHECK, 1, (lon or 0) / E7, (lat or 0) / E7), assessment)
            for adm1, adm2, adm3, x, y, lon, lat, assessment in session.execute(query)]
