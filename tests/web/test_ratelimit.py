"""Failed logins: slow for a guesser, harmless to colleagues behind the same address
(issue 17, defect 12). The clock is the test's: no test waits."""

from ceasefire.web.ratelimit import LoginLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_officers_typos_do_not_lock_out_colleagues_behind_the_same_address():
    clock = Clock()
    limiter = LoginLimiter(clock)
    for _ in range(5):
        limiter.failed(username="tr-officer", address="10.0.0.1")
    assert limiter.retry_after(username="tr-officer", address="10.0.0.1") is not None
    for colleague in ("ru-officer", "ir-officer", "analyst"):
        assert limiter.retry_after(username=colleague, address="10.0.0.1") is None


def test_each_failure_past_three_doubles_the_wait_up_to_an_hour():
    clock = Clock()
    limiter = LoginLimiter(clock)
    for _ in range(3):
        assert limiter.retry_after(username="tr-officer", address="10.0.0.1") is None
        limiter.failed(username="tr-officer", address="10.0.0.1")
    waits = []
    for _ in range(8):
        wait = limiter.retry_after(username="TR-Officer ", address="10.0.0.1")
        assert wait is not None
        waits.append(wait)
        clock.now += wait  # waited it out: one more try, which fails
        assert limiter.retry_after(username="tr-officer", address="10.0.0.1") is None
        limiter.failed(username="tr-officer", address="10.0.0.1")
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_success_clears_the_back_off():
    clock = Clock()
    limiter = LoginLimiter(clock)
    for _ in range(4):
        limiter.failed(username="tr-officer", address="10.0.0.1")
    clock.now += 60
    limiter.succeeded(username="tr-officer", address="10.0.0.1")
    limiter.failed(username="tr-officer", address="10.0.0.1")
    assert limiter.retry_after(username="tr-officer", address="10.0.0.1") is None


def test_guessing_one_account_from_many_addresses_is_stopped():
    limiter = LoginLimiter(Clock())
    for n in range(20):
        limiter.failed(username="tr-officer", address=f"10.0.{n}.1")
    refusal = limiter.refusal(username="tr-officer", address="10.9.9.9")
    assert refusal is not None and 14 * 60 < refusal.seconds <= 15 * 60
    assert "this username" in refusal.reason
    assert limiter.retry_after(username="un-monitor", address="10.9.9.9") is None


def test_trying_many_accounts_from_one_address_is_stopped():
    limiter = LoginLimiter(Clock())
    for n in range(50):
        limiter.failed(username=f"guess-{n}", address="10.0.0.1")
    refusal = limiter.refusal(username="tr-officer", address="10.0.0.1")
    assert refusal is not None and "your network" in refusal.reason
    assert limiter.retry_after(username="tr-officer", address="10.0.0.2") is None


def test_a_success_does_not_wipe_what_counts_against_the_username_or_address():
    limiter = LoginLimiter(Clock())
    for n in range(49):
        limiter.failed(username=f"guess-{n}", address="10.0.0.1")
    limiter.succeeded(username="attacker", address="10.0.0.1")
    limiter.failed(username="guess-x", address="10.0.0.1")
    assert limiter.retry_after(username="anyone", address="10.0.0.1") is not None


def test_the_pairs_kept_are_bounded():
    from ceasefire.web import ratelimit
    limiter = LoginLimiter(Clock())
    for n in range(ratelimit.PAIRS_KEPT + 10):
        limiter._pairs[f"u{n}", "a"] = (1, 0.0)
    limiter.failed(username="last", address="a")
    assert len(limiter._pairs) == ratelimit.PAIRS_KEPT
