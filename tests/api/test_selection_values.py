"""A selection that names something the record cannot have is refused by name, on every
channel, instead of answering "0" (issue 17, defect 5); a day is taken where a moment is."""

import pytest

from tests.api.conftest import bearer
from tests.test_cli import run, url_of


@pytest.mark.parametrize("path", ["/api/v1/reports", "/api/v1/incidents"])
@pytest.mark.parametrize("adm", ["SY99", "SY0799", "SY070099"])
def test_an_admin_area_no_one_has_is_refused(client, tokens, path, adm):
    response = client.get(path, params={"adm": adm}, headers=bearer(tokens["analyst"]))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["field"], error["id"]) == ("adm", adm)
    assert "SY01 to SY14" in error["message"]


@pytest.mark.parametrize("path", ["/api/v1/reports", "/api/v1/incidents"])
def test_a_real_admin_area_is_taken(client, tokens, path):
    response = client.get(path, params={"adm": "SY07"}, headers=bearer(tokens["analyst"]))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("path", "name"), [
    ("/api/v1/incidents", "status"), ("/api/v1/reports", "statu"),
    ("/api/v1/queue", "party"), ("/api/v1/parties", "limit")])
def test_a_parameter_the_route_does_not_take_is_named(client, tokens, path, name):
    response = client.get(path, params={name: "confirmed"}, headers=bearer(tokens["analyst"]))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == name and repr(name) in error["message"]


@pytest.mark.parametrize("path", ["/api/v1/reports", "/api/v1/incidents"])
def test_a_day_is_that_day_from_its_start_in_utc(client, tokens, path):
    day = client.get(path, params={"since": "2017-01-01", "until": "2017-01-02"},
                     headers=bearer(tokens["analyst"]))
    moment = client.get(path, params={"since": "2017-01-01T00:00:00Z",
                                      "until": "2017-01-02T00:00:00Z"},
                        headers=bearer(tokens["analyst"]))
    assert day.status_code == 200, day.text
    assert day.json() == moment.json()


def test_a_day_that_is_no_day_is_named(client, tokens):
    response = client.get("/api/v1/reports", params={"since": "2017-02-30"},
                          headers=bearer(tokens["analyst"]))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "query.since"


def test_report_export_refuses_an_unknown_area_and_writes_nothing(database, tokens, tmp_path):
    out = tmp_path / "reports.jsonl"
    result = run("--database-url", url_of(database), "report", "export", "--format", "jsonl",
                 "--out", str(out), "--adm", "SY99")
    assert result.exit_code == 1
    assert "error: adm: 'SY99' is not the P-code of an admin area" in result.output
    assert not out.exists()
