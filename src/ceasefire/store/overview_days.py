"""`overview_days`: the overview counted by day, governorate, stored status and
reporting parties, kept in step with `incident_overview` by the same refresh.

The dashboard reads it when the selection is by governorate or coarser and of every
violation type: a month of a
million-report record is then a few thousand rows to add up. The status now is worked out
on each count as on each incident (store/overview.py): pending counts keep when they were
put to the guarantors and whether any has answered; answered overdue ones are looked up
one by one (there are few: a verdict is a person's work).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    BindParameter,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    false,
    func,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session

from ceasefire.store import dialects
from ceasefire.store.sqlfunc import PARTY_BITS, utc_day
from ceasefire.store.tables import OverviewDayRow, OverviewRow, UTCDateTime

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # "not pending": the deadline means nothing here
_KEYS = ["agreement_id", "day", "adm1", "status", "parties", "opened_at", "answered"]


def _grouped(uids: Sequence[str] | BindParameter[Any] | None) -> Any:
    """The overview's rows (of these incidents, or all) counted by the table's key."""
    o = OverviewRow
    pending = and_(o.status == "pending", o.covered, o.opened_at.is_not(None))
    keys = [o.agreement_id, utc_day(o.earliest), func.coalesce(o.adm1, ""), o.status,
            o.parties, case((pending, o.opened_at), else_=literal(EPOCH, UTCDateTime())),
            case((and_(pending, o.version > 0), true()), else_=false())]
    query: Select[*tuple[Any, ...]] = select(
        *[k.label(n) for k, n in zip(keys, _KEYS, strict=True)], func.count().label("incidents"))
    if uids is not None:
        query = query.where(o.uid.in_(uids))
    return query.group_by(*keys)


def _insert(session: Session) -> Any:
    # A mapped class's table, which SQLAlchemy declares as any FROM clause.
    return dialects.of(session).upsert(cast(Table, OverviewDayRow.__table__))


# The incidents' ids as an expanding parameter: the statements below are built once, since
# building one costs more than running it for the few incidents a submission changes.
UIDS: BindParameter[Any] = bindparam("uids", expanding=True)


def leave(session: Session, uids: Sequence[str]) -> None:
    """Take these incidents' overview rows out of the counts (before they change)."""
    session.execute(_leave(), {"uids": list(uids)})


@cache
def _leave() -> Any:
    d, g = OverviewDayRow, _grouped(UIDS).subquery()
    # On the table, not the mapped class: given parameters, an ORM UPDATE would be taken
    # as a bulk update of them by primary key.
    return update(cast(Table, d.__table__)).values(incidents=d.incidents - g.c.incidents).where(
        *(getattr(d, k) == getattr(g.c, k) for k in _KEYS))


def enter(session: Session, uids: Sequence[str]) -> None:
    """Count these incidents' overview rows in (after they changed)."""
    session.execute(_enter(dialects.of(session)), {"uids": list(uids)})


@cache
def _enter(dialect: dialects.Dialect) -> Any:
    add: Any = dialect.upsert(cast(Table, OverviewDayRow.__table__)).from_select(
        [*_KEYS, "incidents"], _grouped(UIDS))
    return add.on_conflict_do_update(
        index_elements=_KEYS,
        set_={"incidents": OverviewDayRow.incidents + add.excluded.incidents})


def rebuild(session: Session) -> None:
    session.execute(delete(OverviewDayRow))
    session.execute(_insert(session).from_select([*_KEYS, "incidents"], _grouped(None)))


def differences(session: Session, *, limit: int = 5) -> list[str]:
    """How the counts by day differ from counting the overview again (none: equal)."""
    return counted_apart(session, _stored(), _grouped(None), lambda row, what: (
        f"overview_days: the count of {row.incidents} incidents under agreement "
        f"{row.agreement_id} on {row.day}, {row.adm1 or '-'}, {row.status} {what}"),
        limit=limit)


def counted_apart(session: Session, stored: Select[Any], wanted: Select[Any],
                  said: Callable[[Any, str], str], *, limit: int) -> list[str]:
    """The rows of a table of counts (`stored`) and of counting the overview again
    (`wanted`) that the other lacks, each as `said` puts it (a row, and what is wrong)."""
    found = []
    for rows_of, other, what in ((stored, wanted, "counts what the overview does not hold"),
                                 (wanted, stored, "is missing")):
        found += [said(row, what)
                  for row in session.execute(rows_of.except_(other).limit(limit))]
    return found[:limit]


def rows(session: Session) -> list[tuple[Any, ...]]:
    """Every count above zero, in key order: to hold the table to a rebuild."""
    d = OverviewDayRow
    return [tuple(r) for r in session.execute(
        _stored().order_by(*(getattr(d, k) for k in _KEYS)))]


def _stored() -> Select[Any]:
    d = OverviewDayRow
    return select(*(getattr(d, k) for k in _KEYS), d.incidents).where(d.incidents > 0)


class DayCell(NamedTuple):
    day: date | None  # None when counted by parties
    adm1: str | None
    status: str  # the status now; "recheck": overdue and answered, looked up one by one
    parties: int  # 0 when counted by place
    incidents: int


RECHECK = "recheck"


BY = ("place", "parties", "status")  # what `cells` counts by


def cells(session: Session, agreement_id: int, *, by: str, cutoff: datetime,
          silent: str, since: date | None,
          until: date | None, adm1: str | None, party_id: int | None) -> list[DayCell]:
    """The counts of a selection, with the status now, by day and place (`by` "place"),
    by reporting parties ("parties") or by status alone ("status": a handful of rows,
    what a count of the whole record needs)."""
    d = OverviewDayRow
    overdue = and_(d.status == "pending", d.opened_at > literal(EPOCH, UTCDateTime()),
                   d.opened_at <= cutoff)
    status = case((and_(overdue, d.answered), literal(RECHECK)),
                  (overdue, literal(silent)), else_=d.status)
    conditions = [d.agreement_id == agreement_id]
    if since is not None:
        conditions.append(d.day >= since)
    if until is not None:
        conditions.append(d.day < until)
    if adm1 is not None:
        conditions.append(d.adm1 == adm1)
    if party_id is not None:
        assert party_id < PARTY_BITS, party_id  # the caller reads the overview otherwise
        conditions.append(d.parties.op("&")(1 << party_id) != 0)
    # By day and place, or by parties: grouped by both, six months would be tens of
    # thousands of rows.
    if by == "status":
        query = select(status, func.sum(d.incidents)).where(*conditions).group_by(status)
        return [DayCell(None, None, st, 0, int(n)) for st, n in session.execute(query) if n]
    if by == "parties":
        query = (select(status, d.parties, func.sum(d.incidents)).where(*conditions)
                 .group_by(status, d.parties))
        return [DayCell(None, None, st, parties, int(n))
                for st, parties, n in session.execute(query) if n]
    if by != "place":
        raise ValueError(f"counts by {by!r}: by one of {', '.join(BY)}")
    query = (select(d.day, d.adm1, status, func.sum(d.incidents)).where(*conditions)
             .group_by(d.day, d.adm1, status))
    return [DayCell(day, adm1 or None, st, 0, int(n))
            for day, adm1, st, n in session.execute(query) if n]
