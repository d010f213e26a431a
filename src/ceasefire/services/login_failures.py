"""Failed web logins, counted in the database so that every server process sees the
same counts; the rate limit that reads them is web/ratelimit.py. Each call is its own
short transaction; a write takes the writers' turn, as a login's session does."""

from __future__ import annotations

from datetime import datetime

from ceasefire.store import login_failures as store
from ceasefire.store.db import Database
from ceasefire.store.login_failures import Failures

__all__ = ["Failures", "add_failure", "clear_pair", "failures"]


def failures(db: Database, *, username_hash: str, address: str, pair_since: datetime,
             window_since: datetime, per_username: int, per_address: int) -> Failures:
    """What a login attempt is judged by (store.login_failures.failures): one query."""
    with db.session() as session:
        return store.failures(session, username_hash=username_hash, address=address,
                              pair_since=pair_since, window_since=window_since,
                              per_username=per_username, per_address=per_address)


def add_failure(db: Database, *, username_hash: str, address: str, at: datetime,
                forget_before: datetime) -> None:
    with db.session(write=True) as session:
        store.add_failure(session, username_hash=username_hash, address=address, at=at,
                          forget_before=forget_before)


def clear_pair(db: Database, *, username_hash: str, address: str) -> None:
    with db.session(write=True) as session:
        store.clear_pair(session, username_hash=username_hash, address=address)
