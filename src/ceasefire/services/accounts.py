"""Accounts and API tokens: a token is shown once, only its hash is kept."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ceasefire.domain.parties import Account, Role, check_role
from ceasefire.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from ceasefire.services import ledger
from ceasefire.store import accounts as store
from ceasefire.store.db import Database
from ceasefire.store.parties import get_party

TOKEN_PREFIX = "cfm_"  # makes a leaked token easy to spot in logs and by secret scanners


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def create_account(db: Database, *, party: str, role: str | Role,
                   username: str | None = None) -> tuple[Account, str]:
    """Create an account and its first token; returns both. The token is not stored."""
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}; choose one of "
                           f"{', '.join(r.value for r in Role)}", field="role") from None
    token = new_token()
    with db.session(write=True) as session:
        check_role(get_party(session, code=party), role)
        if username is None:
            username = _free_username(session, party=party, role=role)
        elif store.find_account(session, username=username) is not None:
            raise Conflict(f"an account named {username!r} exists", field="username",
                           id=username)
        account = Account(username=username, party=party, role=role, created_at=_now())
        store.add_account(session, account=account)
        store.add_token(session, username=username, token_hash=hash_token(token),
                        created_at=account.created_at)
        ledger.append(session, ledger.mechanism(session), "account.created",
                      {"username": username, "party": party, "role": role.value})
    return account, token


def _free_username(session, *, party: str, role: Role) -> str:
    taken = {a.username for a in store.list_accounts(session, party=party)}
    n = 1
    while f"{party.lower()}-{role.value}-{n}" in taken:
        n += 1
    return f"{party.lower()}-{role.value}-{n}"


def issue_token(db: Database, *, username: str) -> str:
    """A new token for an existing account (earlier ones stay valid until revoked)."""
    token = new_token()
    with db.session(write=True) as session:
        store.add_token(session, username=username, token_hash=hash_token(token),
                        created_at=_now())
        ledger.append(session, ledger.mechanism(session), "account.token_issued",
                      {"username": username})
    return token


def revoke_tokens(db: Database, *, username: str) -> int:
    with db.session(write=True) as session:
        revoked = store.revoke_tokens(session, username=username, at=_now())
        ledger.append(session, ledger.mechanism(session), "account.tokens_revoked",
                      {"username": username, "revoked": revoked})
        return revoked


def list_accounts(db: Database, *, party: str | None = None) -> list[Account]:
    with db.session() as session:
        return store.list_accounts(session, party=party)


def get_account(db: Database, *, username: str) -> Account:
    with db.session() as session:
        account = store.find_account(session, username=username)
    if account is None:
        raise NotFound(f"no account named {username!r}", field="username", id=username)
    return account


def authenticate(db: Database, *, token: str) -> Account:
    with db.session() as session:
        return authenticate_in(session, token=token)


def authenticate_in(session: Session, *, token: str) -> Account:
    """The token's account, checked inside the caller's transaction."""
    account = store.account_for_token(session, token_hash=hash_token(token))
    if account is None:
        raise Unauthenticated("the API token is not valid (unknown, revoked, or its account "
                              "is disabled)")
    return account


def set_active(db: Database, *, username: str, active: bool) -> None:
    """Disable (or enable again) an account: a disabled one's tokens and web sessions are
    refused while it stays disabled."""
    with db.session(write=True) as session:
        store.set_active(session, username=username, active=active)
        ledger.append(session, ledger.mechanism(session),
                      "account.enabled" if active else "account.disabled",
                      {"username": username})
