"""Failed logins: at most 5 in 15 minutes per username and per client address.

In memory (``limits``' MemoryStorage), per server process: `ceasefire serve` runs one
process, and a restart, which forgets the counts, is not something an attacker can cause.
A moving window, so the count never resets all at once.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

FAILURES = RateLimitItemPerMinute(5, 15)


class LoginLimiter:
    def __init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    @staticmethod
    def _keys(username: str, address: str) -> list[tuple[str, str]]:
        # Normalised as the login normalises it, and bounded: keys are made from input.
        return [("username", username.strip().lower()[:64]), ("address", address)]

    def retry_after(self, *, username: str, address: str) -> int | None:
        """Seconds until a login may be tried again, or None if it may be tried now."""
        waits = [self._limiter.get_window_stats(FAILURES, *key).reset_time - time.time()
                 for key in self._keys(username, address)
                 if not self._limiter.test(FAILURES, *key)]
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, *, username: str, address: str) -> None:
        for key in self._keys(username, address):
            self._limiter.hit(FAILURES, *key)

    def succeeded(self, *, username: str) -> None:
        # The username's count only: an attacker's own good login must not wipe the
        # failures counted against their address.
        self._limiter.clear(FAILURES, *self._keys(username, "")[0])
