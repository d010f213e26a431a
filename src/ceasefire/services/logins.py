"""Web logins: a password, checked with argon2id, opens a session; the session is a random
token the browser holds in a cookie and, like an API token, only its SHA-256 is stored."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from ceasefire.domain.parties import Account, is_username
from ceasefire.errors import Unauthenticated
from ceasefire.services import ledger
from ceasefire.services.accounts import hash_token
from ceasefire.services.passwords import hash_password, verify_password
from ceasefire.store import accounts as accounts_store
from ceasefire.store import web_sessions as store
from ceasefire.store.db import Database

SESSION_PREFIX = "cfs_"  # like API tokens' cfm_: a leaked session is easy to spot


class LoginFailed(Unauthenticated):
    """One message for every reason, so the answer does not tell which usernames exist."""

    code = "login_failed"

    def __init__(self) -> None:
        super().__init__("unknown username or wrong password")


def _now() -> datetime:
    return datetime.now(UTC)


def set_password(db: Database, *, username: str, password: str) -> int:
    """Set an account's web password; ends its open web sessions and returns how many."""
    password_hash = hash_password(password)  # before the write lock: it takes ~0.1 s
    with db.session(write=True) as session:
        accounts_store.set_password_hash(session, username=username,
                                         password_hash=password_hash)
        ended = store.revoke_sessions(session, username=username, at=_now())
        # The password itself is no record (its hash is a secret): the entry says only
        # that it was set.
        ledger.append(session, ledger.mechanism(session), "account.password_set",
                      {"username": username})
        return ended


def log_in(db: Database, *, username: str, password: str, lifetime: timedelta,
           now: datetime | None = None) -> tuple[Account, str]:
    """Check the password and open a session; returns the account and the session token
    (not stored). Raises LoginFailed, the same way, for any failure."""
    now = now or _now()
    username = username.strip().lower()  # usernames are lower case; capitals still find it
    found = None
    if is_username(username):
        with db.session() as session:
            found = accounts_store.password_hash_of(session, username=username)
    account, stored = found if found is not None else (None, None)
    # Always one argon2id run (against a dummy hash when there is nothing to check), so an
    # unknown username, a missing password and a wrong one take the same time.
    matched = verify_password(stored, password)
    if not matched or account is None or not account.active:
        raise LoginFailed()
    token = SESSION_PREFIX + secrets.token_urlsafe(32)
    with db.session(write=True) as session:
        store.add_session(session, username=username, token_hash=hash_token(token),
                          created_at=now, expires_at=now + lifetime)
    return account, token


def session_account(db: Database, *, token: str, now: datetime | None = None) -> Account | None:
    """The account of a live session, or None (unknown, expired, revoked, account disabled)."""
    with db.session() as session:
        return store.account_for_session(session, token_hash=hash_token(token),
                                         now=now or _now())


def log_out(db: Database, *, token: str) -> bool:
    """Revoke a session; False if it was not live."""
    with db.session(write=True) as session:
        return store.revoke_session(session, token_hash=hash_token(token), at=_now())
