"""Failed logins, limited so that guessing is slow and colleagues are not locked out.

An office behind one address (a NAT) must not be shut out by one officer's typos, so the
first limit is per username *and* address: after 3 failures each further try waits twice
as long as the last (1 minute, 2, 4 ... at most an hour), and a success clears it. Beside
it, two ceilings over any 15 minutes (a moving window): 20 failures for one username from
any addresses (guessing one account from many), and 50 from one address for any
usernames (trying many accounts from one place).

The failures are rows in the database (services.login_failures), so every process of
`ceasefire serve --workers N` counts the same ones and a restart forgets nothing; a
username is kept as its SHA-256 (people type passwords there by mistake). A pair's
failures count for a day: long enough that a guesser who waits out each hour-long wait
meets the next one. Older rows are deleted as failures are written, a few at a time.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ceasefire.services import login_failures
from ceasefire.store.db import Database

FREE_FAILURES = 3  # per username and address, before any wait
FIRST_WAIT, LONGEST_WAIT = 60.0, 3600.0  # seconds
PER_USERNAME, PER_ADDRESS = 20, 50  # failures in any WINDOW
WINDOW = timedelta(minutes=15)
KEPT = timedelta(days=1)  # a pair's failures count this long; older rows are deleted
KEY_LENGTH = 64  # usernames and addresses are cut to this: keys are made from input


@dataclass(frozen=True)
class Refusal:
    """Why a login may not be tried now, and for how long."""

    seconds: int
    reason: str  # for the login page: what is blocked, in words


def _key(text: str) -> str:
    # Bounded, and storable by both databases (no NUL, no lone surrogate).
    return text.replace("\x00", "").encode("utf-8", "replace").decode()[:KEY_LENGTH]


def _name(username: str) -> str:
    # Normalised as the login normalises it, and hashed: people sometimes type their
    # password into the username field, and it must not be kept.
    return hashlib.sha256(_key(username.strip().lower()).encode()).hexdigest()


def _wait(failures: int) -> float:
    """Seconds a pair waits after its last failure, once past the free ones."""
    return min(LONGEST_WAIT, FIRST_WAIT * 2 ** min(failures - FREE_FAILURES, 16))


class LoginLimiter:
    """The limit, over the failures in `database`: two limiters over one database (two
    server processes) count the same failures. `clock` gives seconds since the epoch."""

    def __init__(self, database: Database, clock: Callable[[], float] = time.time) -> None:
        self._database = database
        self._clock = clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def refusal(self, *, username: str, address: str) -> Refusal | None:
        """Why a login may not be tried now, or None if it may."""
        now = self._now()
        found = login_failures.failures(
            self._database, username_hash=_name(username), address=_key(address),
            pair_since=now - KEPT, window_since=now - WINDOW,
            per_username=PER_USERNAME, per_address=PER_ADDRESS)
        if found.pair >= FREE_FAILURES and found.last is not None:
            left = (found.last - now).total_seconds() + _wait(found.pair)
            if left > 0:
                return Refusal(max(1, math.ceil(left)),
                               f"{found.pair} failed logins for this username from here")
        for full, reason in ((found.username_full, "too many failed logins for this username"),
                             (found.address_full, "too many failed logins from your network")):
            if full is not None:  # in the window: the ceiling holds until it leaves it
                left = (full + WINDOW - now).total_seconds()
                return Refusal(max(1, math.ceil(left)), reason)
        return None

    def retry_after(self, *, username: str, address: str) -> int | None:
        """Seconds until a login may be tried again, or None if it may be tried now."""
        refusal = self.refusal(username=username, address=address)
        return refusal.seconds if refusal else None

    def failed(self, *, username: str, address: str) -> None:
        now = self._now()
        login_failures.add_failure(self._database, username_hash=_name(username),
                                   address=_key(address), at=now, forget_before=now - KEPT)

    def succeeded(self, *, username: str, address: str) -> None:
        # The pair's back-off only: an attacker's own good login must not wipe the
        # failures counted against a username or an address.
        login_failures.clear_pair(self._database, username_hash=_name(username),
                                  address=_key(address))
