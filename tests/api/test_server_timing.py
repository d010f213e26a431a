"""Every response says how long the app spent on it: `Server-Timing: app;dur=<ms>`."""

import re
import time

import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.http.timing import server_timing

# The W3C Server Timing syntax for one metric with a duration, in milliseconds.
ENTRY = re.compile(r"^app;dur=(\d+(?:\.\d+)?)$")


@pytest.fixture
def app(tmp_path):
    return create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))


def duration_ms(response) -> float:
    values = response.headers.get_list("server-timing")
    assert len(values) == 1, values
    match = ENTRY.match(values[0])
    assert match, values[0]
    return float(match.group(1))


@pytest.mark.parametrize("path, status", [
    ("/health", 503),  # an API answer (the empty database is not migrated)
    ("/api/v1/me", 401),  # an API error
    ("/api/v1/nothing-here", 404),
    ("/openapi.json", 200),
    ("/login", 200),  # a web page
    ("/static/app.css", 200),
    ("/dashboard", 303),  # a redirect to /login
])
def test_every_kind_of_response_says_the_time_spent(app, path, status):
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get(path, follow_redirects=False)
    assert response.status_code == status
    assert 0 <= duration_ms(response) < 60_000


def test_the_time_covers_the_work_of_the_request(client):
    """The reference data read from a scenario's database takes a measurable time, and
    the header is never more than the client waited."""
    started = time.perf_counter()
    response = client.get("/api/v1/actors")
    waited_ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200
    assert 0 < duration_ms(response) <= waited_ms


def test_the_value_is_milliseconds_to_a_tenth():
    assert server_timing(0.0123456) == b"app;dur=12.3"
    assert server_timing(0) == b"app;dur=0.0"
