"""Failed logins: slow for a guesser, harmless to colleagues behind the same address
(issue 17, defect 12), and counted in the database, so that every server process sees
them (issue 20). The clock is the test's: no test waits."""

import pytest
from sqlalchemy import text

from ceasefire.store import login_failures
from ceasefire.store.db import Database
from ceasefire.web import ratelimit
from ceasefire.web.ratelimit import LoginLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0  # seconds since the epoch, as time.time() gives

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def limiter(database, clock):
    return LoginLimiter(database, clock)


def rows(database) -> int:
    with database.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM login_failures")).scalar_one()


def test_one_officers_typos_do_not_lock_out_colleagues_behind_the_same_address(limiter):
    for _ in range(5):
        limiter.failed(username="tr-officer", address="10.0.0.1")
    assert limiter.retry_after(username="tr-officer", address="10.0.0.1") is not None
    for colleague in ("ru-officer", "ir-officer", "analyst"):
        assert limiter.retry_after(username=colleague, address="10.0.0.1") is None


def test_each_failure_past_three_doubles_the_wait_up_to_an_hour(limiter, clock):
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


def test_a_success_clears_the_back_off(limiter, clock):
    for _ in range(4):
        limiter.failed(username="tr-officer", address="10.0.0.1")
    clock.now += 60
    limiter.succeeded(username="tr-officer", address="10.0.0.1")
    limiter.failed(username="tr-officer", address="10.0.0.1")
    assert limiter.retry_after(username="tr-officer", address="10.0.0.1") is None


def test_guessing_one_account_from_many_addresses_is_stopped(limiter):
    for n in range(20):
        limiter.failed(username="tr-officer", address=f"10.0.{n}.1")
    refusal = limiter.refusal(username="tr-officer", address="10.9.9.9")
    assert refusal is not None and 14 * 60 < refusal.seconds <= 15 * 60
    assert "this username" in refusal.reason
    assert limiter.retry_after(username="un-monitor", address="10.9.9.9") is None


def test_trying_many_accounts_from_one_address_is_stopped(limiter):
    for n in range(50):
        limiter.failed(username=f"guess-{n}", address="10.0.0.1")
    refusal = limiter.refusal(username="tr-officer", address="10.0.0.1")
    assert refusal is not None and "your network" in refusal.reason
    assert limiter.retry_after(username="tr-officer", address="10.0.0.2") is None


def test_a_success_does_not_wipe_what_counts_against_the_username_or_address(limiter):
    for n in range(49):
        limiter.failed(username=f"guess-{n}", address="10.0.0.1")
    limiter.succeeded(username="attacker", address="10.0.0.1")
    limiter.failed(username="guess-x", address="10.0.0.1")
    assert limiter.retry_after(username="anyone", address="10.0.0.1") is not None


def test_a_success_keeps_its_own_pairs_failures_in_the_ceilings(limiter):
    for _ in range(3):
        limiter.failed(username="attacker", address="10.0.0.1")
    limiter.succeeded(username="attacker", address="10.0.0.1")
    assert limiter.retry_after(username="attacker", address="10.0.0.1") is None
    for n in range(47):
        limiter.failed(username=f"guess-{n}", address="10.0.0.1")
    assert limiter.retry_after(username="anyone", address="10.0.0.1") is not None


def test_the_window_moves(limiter, clock):
    for n in range(20):
        limiter.failed(username="tr-officer", address=f"10.0.{n}.1")
        clock.now += 30  # one failure every half minute: the first leaves the window first
    first_leaves = 15 * 60 - 20 * 30
    assert limiter.retry_after(username="tr-officer", address="10.9.9.9") == first_leaves
    clock.now += first_leaves
    assert limiter.retry_after(username="tr-officer", address="10.9.9.9") is None
    limiter.failed(username="tr-officer", address="10.9.9.9")  # the 20th in the window again
    assert limiter.retry_after(username="tr-officer", address="10.9.9.8") == 30


def test_two_processes_count_the_same_failures(database, clock):
    """Two limiters over one database, each with its own engine, as the workers of
    `ceasefire serve --workers 2` are: the third failure through one stops the other."""
    other = Database(database.url.render_as_string(hide_password=False))
    try:
        first, second = LoginLimiter(database, clock), LoginLimiter(other, clock)
        first.failed(username="tr-officer", address="10.0.0.1")
        second.failed(username="tr-officer", address="10.0.0.1")
        assert first.retry_after(username="tr-officer", address="10.0.0.1") is None
        first.failed(username="tr-officer", address="10.0.0.1")
        assert second.retry_after(username="tr-officer", address="10.0.0.1") == 60
        for n in range(17):  # 20 for the username, from both
            (first, second)[n % 2].failed(username="tr-officer", address=f"10.0.{n}.2")
        assert "this username" in first.refusal(username="tr-officer", address="10.1.1.1"
                                                ).reason
        assert "this username" in second.refusal(username="tr-officer", address="10.1.1.1"
                                                 ).reason
        second.succeeded(username="tr-officer", address="10.0.0.1")
        clock.now += 15 * 60
        assert first.retry_after(username="tr-officer", address="10.0.0.1") is None
    finally:
        other.dispose()


def test_old_failures_are_forgotten_and_deleted_a_few_at_a_time(database, limiter, clock):
    for n in range(login_failures.SWEPT + 50):
        limiter.failed(username=f"guess-{n % 40}", address=f"10.0.{n}.1")
    for _ in range(5):
        limiter.failed(username="tr-officer", address="10.0.0.1")
    clock.now += ratelimit.KEPT.total_seconds()
    assert limiter.retry_after(username="tr-officer", address="10.0.0.1") is None
    limiter.failed(username="tr-officer", address="10.0.0.1")  # sweeps the oldest hundred
    assert rows(database) == 56  # 155 + 1 written, the oldest 100 deleted
    limiter.failed(username="tr-officer", address="10.0.0.1")  # sweeps the rest
    assert rows(database) == 2
    assert limiter.retry_after(username="tr-officer", address="10.0.0.1") is None


@pytest.mark.parametrize("username", ["x" * 10_000, "tr-\x00officer", "\udcff", " "])
def test_any_username_or_address_is_counted_within_bounds(limiter, username):
    for _ in range(3):
        limiter.failed(username=username, address=username + "@" + "9" * 500)
    assert limiter.retry_after(username=username, address=username + "@" + "9" * 500) == 60


def test_what_was_typed_as_a_username_is_not_kept(database, limiter):
    limiter.failed(username="Correct Horse Battery", address="10.0.0.1")
    with database.engine.connect() as conn:
        kept = [str(v) for row in conn.execute(text("SELECT * FROM login_failures"))
                for v in row]
    assert not [v for v in kept if "horse" in v.lower()]
    assert limiter.refusal(username="correct horse battery ", address="10.0.0.1") is None
