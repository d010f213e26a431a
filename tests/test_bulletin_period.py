"""A bulletin's period as given: one that has not ended yet is refused (it would count a
future as nothing happening), and a reversed one says which day is before which; on the
service, the command and the form, each naming the field and changing nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.domain.bulletin import days
from ceasefire.errors import InvalidInput
from ceasefire.services import bulletins
from ceasefire.services.logins import set_password
from ceasefire.services.scenarios import load_scenario
from tests.factories import PASSWORD
from tests.fingerprint import fingerprint
from tests.test_cli import run, url_of
from tests.web.test_login import form_token, log_in


@pytest.fixture
def record(database, syria_scenario):
    load_scenario(database, syria_scenario)
    set_password(database, username="secretariat", password=PASSWORD)
    return database


def test_a_reversed_period_names_both_days():
    with pytest.raises(InvalidInput) as refused:
        days(date(2017, 1, 2), date(2017, 1, 1))
    assert refused.value.field == "to"
    assert refused.value.message == "the last day (2017-01-01) is before the first (2017-01-02)"


def test_a_period_not_yet_ended_is_neither_counted_nor_published(record):
    before = fingerprint(record)
    future = days(date(2030, 1, 1))
    with pytest.raises(InvalidInput, match=r"2030-01-01 .*has not ended") as refused:
        bulletins.publish(record, future, username="secretariat")
    assert refused.value.field == "to"
    # Today is not over either; yesterday is.
    noon = datetime(2017, 1, 20, 12, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="has not ended"):
        bulletins.issue(record, days(date(2017, 1, 20)), now=noon, last_field="date")
    assert fingerprint(record) == before
    assert bulletins.issue(record, days(date(2017, 1, 19)), now=noon).bulletin.tally \
        .incidents == 0


def test_the_command_refuses_a_future_or_reversed_period(record):
    url = url_of(record)
    before = fingerprint(record)
    future = run("--database-url", url, "bulletin", "--date", "2030-01-01", "--publish",
                 "--account", "secretariat")
    assert future.exit_code == 1
    assert "error: date: " in future.stderr and "2030-01-01" in future.stderr
    assert "has not ended" in future.stderr
    reversed_ = run("--database-url", url, "bulletin", "--from", "2017-01-02", "--to",
                    "2017-01-01")
    assert reversed_.exit_code == 1
    assert "the last day (2017-01-01) is before the first (2017-01-02)" in reversed_.stderr
    assert "error: to: " in reversed_.stderr
    assert fingerprint(record) == before


def test_the_form_refuses_a_future_or_reversed_period(record):
    settings = Settings(database_url=url_of(record))
    with TestClient(create_app(settings, database=record),
                    base_url="https://testserver") as client:
        log_in(client, "secretariat")
        token = form_token(client.get("/bulletins"))
        before = fingerprint(record, skip=("web_sessions",))
        future = client.post("/bulletins", data={"from": "2030-01-01", "to": "",
                                                 "csrf_token": token})
        assert future.status_code == 422
        assert "2030-01-01" in future.text and "has not ended" in future.text
        preview = client.get("/bulletins", params={"from": "2017-01-02", "to": "2017-01-01"})
        assert preview.status_code == 422
        assert "the last day (2017-01-01) is before the first (2017-01-02)" in preview.text
        assert fingerprint(record, skip=("web_sessions",)) == before
