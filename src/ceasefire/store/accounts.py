"""Accounts, their API tokens and web passwords (stored as hashes only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from ceasefire.domain.parties import Account, Role
from ceasefire.store import changes
from ceasefire.store.parties import party_row
from ceasefire.store.rows import one_by, required
from ceasefire.store.tables import AccountRow, ApiTokenRow, PartyRow


def _account(row: AccountRow) -> Account:
    return Account(username=row.username, party=row.party.code, role=Role(row.role),
                   created_at=row.created_at, active=row.active)


def account_row(session: Session, username: str) -> AccountRow:
    return required(one_by(session, AccountRow, AccountRow.username, username),
                    f"no account named {username!r}", field="username", key=username)


def find_account(session: Session, *, username: str) -> Account | None:
    row = one_by(session, AccountRow, AccountRow.username, username,
                 joinedload(AccountRow.party))
    return None if row is None else _account(row)


def list_accounts(session: Session, *, party: str | None = None) -> list[Account]:
    query = select(AccountRow).options(joinedload(AccountRow.party)).order_by(AccountRow.username)
    if party is not None:
        query = query.where(AccountRow.party_id == party_row(session, party).id)
    return [_account(r) for r in session.scalars(query)]


def add_account(session: Session, *, account: Account) -> None:
    session.add(AccountRow(username=account.username, party=party_row(session, account.party),
                           role=account.role.value, active=account.active,
                           created_at=account.created_at))
    session.flush()
    changes.touch(session, "account", [account.username])


def add_token(session: Session, *, username: str, token_hash: str, created_at: datetime) -> None:
    row = ApiTokenRow(account=account_row(session, username), token_hash=token_hash,
                      created_at=created_at)
    session.add(row)
    session.flush()
    # A token lets its holder act as the account: a record, so one added behind the
    # ledger's back is named by verify and refused by `token_is_recorded`.
    changes.touch(session, "token", [row.id])


def account_for_token(session: Session, *, token_hash: str,
                      ) -> tuple[Account, tuple[Any, ...]] | None:
    """The active account holding an unrevoked token with this hash, and the token's row
    as (id, account id, created at): what `ledger`'s record of it must match."""
    # One Core query, no ORM objects: it runs on every API request.
    row = session.connection().execute(_BY_TOKEN, {"token_hash": token_hash}).one_or_none()
    account = live_account(row)
    if account is None or row is None:
        return None
    return account, (row.id, row.account_id, row.token_at)


def live_account(row: Any) -> Account | None:
    """The account of a (username, code, role, created_at) row found by a live credential:
    a token or a web session, whose queries ask for active accounts only."""
    if row is None:
        return None
    return Account(username=row.username, party=row.code, role=Role(row.role),
                   created_at=row.created_at, active=True)


_BY_TOKEN = (
    select(AccountRow.username, PartyRow.code, AccountRow.role, AccountRow.created_at,
           ApiTokenRow.id, ApiTokenRow.account_id, ApiTokenRow.created_at.label("token_at"))
    .join(ApiTokenRow, ApiTokenRow.account_id == AccountRow.id)
    .join(PartyRow, PartyRow.id == AccountRow.party_id)
    .where(ApiTokenRow.token_hash == bindparam("token_hash"), ApiTokenRow.revoked_at.is_(None),
           AccountRow.active.is_(True)))


def revoke_tokens(session: Session, *, username: str, at: datetime) -> int:
    """Revoke every live token of an account; returns how many were revoked."""
    rows = session.scalars(select(ApiTokenRow).where(
        ApiTokenRow.account_id == account_row(session, username).id,
        ApiTokenRow.revoked_at.is_(None))).all()
    for row in rows:
        row.revoked_at = at
    session.flush()
    changes.touch(session, "token", [row.id for row in rows])
    return len(rows)


def set_active(session: Session, *, username: str, active: bool) -> bool:
    """Make an account active or not; False if it already was so (nothing changed)."""
    row = account_row(session, username)
    if row.active == active:
        return False
    row.active = active
    session.flush()
    changes.touch(session, "account", [username])
    return True


def password_hash_of(session: Session, *, username: str) -> tuple[Account, str | None] | None:
    """The account and its password hash (None: no password set), or None if no account."""
    row = one_by(session, AccountRow, AccountRow.username, username,
                 joinedload(AccountRow.party))
    return None if row is None else (_account(row), row.password_hash)


def set_password_hash(session: Session, *, username: str, password_hash: str) -> None:
    account_row(session, username).password_hash = password_hash
    session.flush()
