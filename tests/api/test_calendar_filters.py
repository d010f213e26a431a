"""The API's list filters name a moment outside the record's calendar (a 422), where far
time zones used to overflow Python's dates (issue 15, defect 6)."""

import pytest

from tests.api.conftest import bearer


@pytest.mark.parametrize("path", ["/api/v1/reports", "/api/v1/incidents"])
@pytest.mark.parametrize(("name", "value"), [
    ("since", "0001-01-01T00:00:00+02:00"), ("until", "9999-12-31T23:59:59-05:00"),
    ("since", "0001-01-01T00:00:00Z"), ("until", "9999-12-31T23:59:59Z")])
def test_an_api_filter_outside_the_calendar_is_named(client, tokens, path, name, value):
    response = client.get(path, params={name: value}, headers=bearer(tokens["analyst"]))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == f"query.{name}"
