"""Failed logins, limited so that guessing is slow and colleagues are not locked out.

An office behind one address (a NAT) must not be shut out by one officer's typos, so the
first limit is per username *and* address: after 3 failures each further try waits twice
as long as the last (1 minute, 2, 4 ... at most an hour), and a success clears it. Beside
it, two ceilings over any 15 minutes (a moving window, `limits`' MovingWindowRateLimiter):
20 failures for one username from any addresses (guessing one account from many), and
50 from one address for any usernames (trying many accounts from one place).

In memory, per server process: `ceasefire serve` runs one process, and a restart, which
forgets the counts, is not something an attacker can cause.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

FREE_FAILURES = 3  # per username and address, before any wait
FIRST_WAIT, LONGEST_WAIT = 60.0, 3600.0  # seconds
PER_USERNAME = RateLimitItemPerMinute(20, 15)
PER_ADDRESS = RateLimitItemPerMinute(50, 15)
PAIRS_KEPT = 100_000  # the oldest pairs are forgotten beyond this: keys are made from input


@dataclass(frozen=True)
class Refusal:
    """Why a login may not be tried now, and for how long."""

    seconds: int
    reason: str  # for the login page: what is blocked, in words


class LoginLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._clock = clock
        self._pairs: OrderedDict[tuple[str, str], tuple[int, float]] = OrderedDict()

    @staticmethod
    def _name(username: str) -> str:
        # Normalised as the login normalises it, and bounded: keys are made from input.
        return username.strip().lower()[:64]

    def refusal(self, *, username: str, address: str) -> Refusal | None:
        """Why a login may not be tried now, or None if it may."""
        name = self._name(username)
        failures, last = self._pairs.get((name, address), (0, 0.0))
        if failures >= FREE_FAILURES:
            wait = min(LONGEST_WAIT, FIRST_WAIT * 2 ** (failures - FREE_FAILURES))
            left = last + wait - self._clock()
            if left > 0:
                return Refusal(max(1, math.ceil(left)),
                               f"{failures} failed logins for this username from here")
        for item, key, reason in ((PER_USERNAME, ("username", name),
                                   "too many failed logins for this username"),
                                  (PER_ADDRESS, ("address", address),
                                   "too many failed logins from your network")):
            if not self._limiter.test(item, *key):
                left = self._limiter.get_window_stats(item, *key).reset_time - time.time()
                return Refusal(max(1, math.ceil(left)), reason)
        return None

    def retry_after(self, *, username: str, address: str) -> int | None:
        """Seconds until a login may be tried again, or None if it may be tried now."""
        refusal = self.refusal(username=username, address=address)
        return refusal.seconds if refusal else None

    def failed(self, *, username: str, address: str) -> None:
        name = self._name(username)
        failures, _ = self._pairs.pop((name, address), (0, 0.0))
        self._pairs[name, address] = (failures + 1, self._clock())
        while len(self._pairs) > PAIRS_KEPT:
            self._pairs.popitem(last=False)
        self._limiter.hit(PER_USERNAME, "username", name)
        self._limiter.hit(PER_ADDRESS, "address", address)

    def succeeded(self, *, username: str, address: str) -> None:
        # The pair's back-off only: an attacker's own good login must not wipe the
        # failures counted against a username or an address.
        self._pairs.pop((self._name(username), address), None)
