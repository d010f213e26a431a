"""Web login sessions, stored by the SHA-256 of their cookie."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, delete, select, update
from sqlalchemy.orm import Session

from ceasefire.domain.parties import Account
from ceasefire.store.accounts import account_row, live_account
from ceasefire.store.tables import AccountRow, PartyRow, WebSessionRow


def add_session(session: Session, *, username: str, token_hash: str, created_at: datetime,
                expires_at: datetime) -> None:
    account = account_row(session, username)
    # Sessions that ran out are of no further use: each login sweeps its account's.
    session.execute(delete(WebSessionRow).where(WebSessionRow.account_id == account.id,
                                                WebSessionRow.expires_at <= created_at))
    session.add(WebSessionRow(account_id=account.id, token_hash=token_hash,
                              created_at=created_at, expires_at=expires_at))
    session.flush()


def account_for_session(session: Session, *, token_hash: str, now: datetime) -> Account | None:
    """The active account of a live session (not revoked, not expired) with this hash."""
    # One Core query, no ORM objects: it runs on every page view.
    return live_account(session.connection().execute(
        _BY_SESSION, {"token_hash": token_hash, "now": now}).one_or_none())


_BY_SESSION = (
    select(AccountRow.username, PartyRow.code, AccountRow.role, AccountRow.created_at)
    .join(WebSessionRow, WebSessionRow.account_id == AccountRow.id)
    .join(PartyRow, PartyRow.id == AccountRow.party_id)
    .where(WebSessionRow.token_hash == bindparam("token_hash"),
           WebSessionRow.revoked_at.is_(None),
           WebSessionRow.expires_at > bindparam("now"),
           AccountRow.active.is_(True)))


def revoke_session(session: Session, *, token_hash: str, at: datetime) -> bool:
    """Revoke one session; False if there was no live one with this hash."""
    # An UPDATE gives a CursorResult, which Session.execute's annotations do not say.
    result = cast(CursorResult[Any], session.execute(
        update(WebSessionRow)
        .where(WebSessionRow.token_hash == token_hash, WebSessionRow.revoked_at.is_(None))
        .values(revoked_at=at)))
    return result.rowcount > 0


def revoke_sessions(session: Session, *, username: str, at: datetime) -> int:
    """Revoke every live session of an account; returns how many."""
    result = cast(CursorResult[Any], session.execute(
        update(WebSessionRow)
        .where(WebSessionRow.account_id == account_row(session, username).id,
               WebSessionRow.revoked_at.is_(None), WebSessionRow.expires_at > at)
        .values(revoked_at=at)))
    return result.rowcount
