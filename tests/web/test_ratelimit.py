from ceasefire.web.ratelimit import LoginLimiter


def test_five_failures_for_a_username_block_it_from_any_address():
    limiter = LoginLimiter()
    for n in range(5):
        assert limiter.retry_after(username="tr-officer", address=f"10.0.0.{n}") is None
        limiter.failed(username="tr-officer", address=f"10.0.0.{n}")
    wait = limiter.retry_after(username="TR-Officer ", address="10.0.0.99")
    assert wait is not None and 14 * 60 < wait <= 15 * 60
    assert limiter.retry_after(username="un-monitor", address="10.0.0.99") is None


def test_five_failures_from_an_address_block_it_for_any_username():
    limiter = LoginLimiter()
    for n in range(5):
        limiter.failed(username=f"guess-{n}", address="10.0.0.1")
    assert limiter.retry_after(username="tr-officer", address="10.0.0.1") is not None
    assert limiter.retry_after(username="tr-officer", address="10.0.0.2") is None


def test_a_success_clears_the_usernames_count_but_not_the_addresses():
    limiter = LoginLimiter()
    for _ in range(4):
        limiter.failed(username="tr-officer", address="10.0.0.1")
    limiter.succeeded(username="tr-officer")
    limiter.failed(username="tr-officer", address="10.0.0.2")
    assert limiter.retry_after(username="tr-officer", address="10.0.0.2") is None
    limiter.failed(username="other", address="10.0.0.1")
    assert limiter.retry_after(username="other-again", address="10.0.0.1") is not None
