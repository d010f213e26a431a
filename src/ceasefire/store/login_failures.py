"""Failed web logins, one row each, shared by every server process: what the login rate
limit (web/ratelimit.py) counts. Access, not a record: no ledger entry writes them."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlalchemy.orm import Session

from ceasefire.store.tables import LoginFailureRow

SWEPT = 100  # at most this many old rows deleted per failure written: a bounded write

_ROW = LoginFailureRow


class Failures(NamedTuple):
    """What one login attempt is judged by."""

    pair: int  # the username-and-address pair's failures since its last success
    last: datetime | None  # the pair's last failure
    username_full: datetime | None  # the username's ceiling-th newest failure in the window
    address_full: datetime | None  # the address's ceiling-th newest failure in the window


def failures(session: Session, *, username_hash: str, address: str, pair_since: datetime,
             window_since: datetime, per_username: int, per_address: int) -> Failures:
    """The pair's failures after `pair_since`; and, of the username's and the address's
    failures after `window_since`, the `per_username`-th and the `per_address`-th newest
    (None when there are fewer): while that one is in the window, the ceiling is reached.
    One query."""
    pair = (_ROW.username_hash == username_hash, _ROW.address == address,
            _ROW.cleared.is_(False), _ROW.failed_at > pair_since)
    row = session.execute(select(
        select(func.count()).where(*pair).scalar_subquery(),
        select(func.max(_ROW.failed_at)).where(*pair).scalar_subquery(),
        _nth_newest(_ROW.username_hash == username_hash, since=window_since, n=per_username),
        _nth_newest(_ROW.address == address, since=window_since, n=per_address),
    )).one()
    return Failures(*row)


def _nth_newest(which: ColumnElement[bool], *, since: datetime,
                n: int) -> ColumnElement[datetime]:
    return (select(_ROW.failed_at).where(which, _ROW.failed_at > since)
            .order_by(_ROW.failed_at.desc()).limit(1).offset(n - 1).scalar_subquery())


def add_failure(session: Session, *, username_hash: str, address: str, at: datetime,
                forget_before: datetime) -> None:
    """Note a failure, and delete up to SWEPT of the failures from `forget_before` or
    earlier, the oldest first."""
    session.execute(insert(_ROW).values(username_hash=username_hash, address=address,
                                        failed_at=at, cleared=False))
    oldest = (select(_ROW.id).where(_ROW.failed_at <= forget_before)
              .order_by(_ROW.failed_at).limit(SWEPT))
    session.execute(delete(_ROW).where(_ROW.id.in_(oldest))
                    .execution_options(synchronize_session=False))


def clear_pair(session: Session, *, username_hash: str, address: str) -> None:
    """End the pair's back-off; its failures still count against the username and the
    address."""
    session.execute(update(_ROW)
                    .where(_ROW.username_hash == username_hash, _ROW.address == address,
                           _ROW.cleared.is_(False))
                    .values(cleared=True)
                    .execution_options(synchronize_session=False))
