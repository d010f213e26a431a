"""What repositories repeat: fetch one row by a key, insist it exists, and filter lists of
events by time and admin area."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from ceasefire.errors import NotFound

T = TypeVar("T")


def one_by(session: Session, row_type: type[T], column: Any, value: object,
           *options: Any) -> T | None:
    return session.scalar(select(row_type).where(column == value).options(*options))


def required(found: T | None, message: str, *, field: str, key: str) -> T:
    if found is None:
        raise NotFound(message, field=field, id=key)
    return found


def when_and_where(table: Any, since: datetime | None, until: datetime | None,
                   adm: str | None) -> list[ColumnElement[bool]]:
    """Conditions for rows (reports, incidents) with earliest/latest and adm1-3 columns:
    the event may fall in [since, until), and lies in the admin area ``adm``."""
    conditions: list[ColumnElement[bool]] = []
    if since is not None:
        conditions.append(table.latest >= since)
    if until is not None:
        conditions.append(table.earliest < until)
    if adm is not None:
        column = {4: table.adm1, 6: table.adm2, 8: table.adm3}[len(adm)]
        conditions.append(column == adm)
    return conditions


def before(table: Any, after: tuple[datetime, str]) -> ColumnElement[bool]:
    """Rows after ``after`` (the earliest and uid of the last row seen) in a list ordered
    newest event first, then by uid descending."""
    earliest, uid = after
    return or_(table.earliest < earliest, and_(table.earliest == earliest, table.uid < uid))
