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
from ceasefire.store import web_sessions
from ceasefire.store.db import Database
from ceasefire.store.digests import digests
from ceasefire.store.ledger import last_digest
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


def revoke_tokens(db: Database, *, username: str) -> tuple[int, int]:
    """Revoke every API token of an account and end its web sessions; returns how many
    of each. Its password still opens new sessions (disable the account to stop that)."""
    with db.session(write=True) as session:
        now = _now()
        revoked = store.revoke_tokens(session, username=username, at=now)
        ended = web_sessions.revoke_sessions(session, username=username, at=now)
        ledger.append(session, ledger.mechanism(session), "account.tokens_revoked",
                      {"username": username, "revoked": revoked})
        return revoked, ended


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
    token_hash = hash_token(token)
    found = store.account_for_token(session, token_hash=token_hash)
    if found is None:
        raise Unauthenticated("the API token is not valid (unknown, revoked, or its account "
                              "is disabled)")
    account, row = found
    _recorded(session, (*row, token_hash))
    return account


def _recorded(session: Session, row: tuple[object, ...]) -> None:
    """Refuse a token the ledger did not issue as it stands (a row added or moved to
    another account behind the ledger's back). Checked once per process and token row."""
    seen: set[tuple[object, ...]] = session.info["database"].memo.setdefault("tokens", set())
    if row in seen:
        return
    key = str(row[0])
    if digests(session, "token", [key]).get(key) != last_digest(session, "token", key):
        raise Unauthenticated("the API token is not one the ledger issued")
    seen.add(row)


def set_active(db: Database, *, username: str, active: bool) -> int | None:
    """Disable (or enable again) an account. Disabling ends its web sessions, and its API
    tokens and password are refused while it stays disabled. Returns the web sessions
    ended, or None if the account already was so (then nothing is written)."""
    with db.session(write=True) as session:
        if not store.set_active(session, username=username, active=active):
            return None
        ended = 0 if active else web_sessions.revoke_sessions(session, username=username,
                                                               at=_now())
        ledger.append(session, ledger.mechanism(session),
                      "account.enabled" if active else "account.disabled",
                      {"username": username})
        return ended
