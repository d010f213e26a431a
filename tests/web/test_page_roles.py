"""The pages by role, with a real login session: who may submit a report or cast a
verdict from a page, and what a refused or bad form changes (nothing) and says (what is
wrong, by name). The API's matrix (tests/api/test_authorisation.py) covers requests
without a session."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ceasefire.services import verification
from ceasefire.services.logins import set_password
from ceasefire.web.templating import FIELD_LABELS
from tests.api.seed import INCIDENTS, TRUCE, seeded_database
from tests.fingerprint import fingerprint
from tests.web.conftest import csrf, page_clients

PASSWORD = "a long enough test password"
# Reading an incident's page hands out (and keeps) a checkpoint of the ledger: not a change
# to the record.
KEPT = ("ledger_checkpoints",)
ALEPPO = INCIDENTS[0]  # covered by the ceasefire (RU, TR, IR) and the truce (TR, IR)


@pytest.fixture(scope="module")
def world(request, tmp_path_factory):
    with seeded_database("sqlite", request, tmp_path_factory.mktemp("pages")) as (db, _):
        for user in ("ru-officer", "tr-officer", "un-monitor", "analyst", "secretariat"):
            set_password(db, username=user, password=PASSWORD)
        yield db


@pytest.fixture
def as_user(world) -> Iterator:
    with page_clients(world, PASSWORD) as log_in:
        yield log_in



def post(client: TestClient, path: str, form: dict[str, str], page: str = "/dashboard"):
    token = csrf(client.get(page).text)  # the logout form on every page carries it
    return client.post(path, data={**form, "csrf_token": token})


def test_an_analyst_may_not_submit_reports_and_changes_nothing(world, as_user):
    analyst = as_user("analyst")
    assert analyst.get("/reports/new").status_code == 403
    before = fingerprint(world, skip=KEPT)
    response = post(analyst, "/reports/new", {"date": "2017-01-20", "place": "Douma",
                                              "violation": "shelling"})
    assert response.status_code == 403
    assert "cannot submit reports" in response.text
    assert fingerprint(world, skip=KEPT) == before
    assert "Submit a report" not in analyst.get("/dashboard").text


def test_an_observer_sees_no_verdict_form_and_may_not_post_one(world, as_user):
    monitor = as_user("un-monitor")
    page = monitor.get(f"/incidents/{ALEPPO}")
    assert page.status_code == 200 and 'class="verdict"' not in page.text
    before = fingerprint(world, skip=KEPT)
    response = post(monitor, f"/incidents/{ALEPPO}/verdict",
                    {"position": "confirm", "version": "0", "agreement": "syria-2016"})
    assert response.status_code == 403 and fingerprint(world, skip=KEPT) == before


def test_a_guarantor_may_answer_only_for_agreements_its_party_guarantees(world, as_user):
    ru = as_user("ru-officer")
    page = ru.get(f"/incidents/{ALEPPO}").text
    # The agreements by their names: the ceasefire's, not the truce RU does not guarantee.
    assert "Russian Federation's verdict under the Nationwide ceasefire" in page
    assert page.count("Russian Federation's verdict under") == 1
    before = fingerprint(world, skip=KEPT)
    response = post(ru, f"/incidents/{ALEPPO}/verdict",
                    {"position": "confirm", "version": "0", "agreement": TRUCE})
    assert response.status_code == 403 and "not a guarantor" in response.text
    assert fingerprint(world, skip=KEPT) == before


def test_a_verdict_on_a_standing_that_moved_on_is_refused_with_the_new_one(world, as_user):
    uid = INCIDENTS[1]  # Idlib: the ceasefire only
    seen = verification.read(world, uid)[0].version
    tr = as_user("tr-officer")
    assert post(tr, f"/incidents/{uid}/verdict", {
        "position": "confirm", "version": str(seen), "agreement": "syria-2016"},
    ).status_code == 303
    ru = as_user("ru-officer")
    before = fingerprint(world, skip=KEPT)
    stale = post(ru, f"/incidents/{uid}/verdict", {
        "position": "reject", "version": str(seen), "agreement": "syria-2016"})
    assert stale.status_code == 409
    assert "The standing changed since you read it" in stale.text
    # The page it answers with shows the standing as it is now: TR's confirm.
    assert re.search(r"<th scope=\"row\">Republic of Turkey</th>\s*<td>confirm: a violation</td>",
                     stale.text)
    assert fingerprint(world, skip=KEPT) == before


def test_a_report_the_record_cannot_place_is_refused_by_field(world, as_user):
    tr = as_user("tr-officer")
    before = fingerprint(world, skip=KEPT)
    response = post(tr, "/reports/new", {"date": "2017-01-20", "place": "Nowhere-on-earth",
                                         "violation": "shelling", "killed": "2"})
    assert response.status_code == 422
    assert "<strong>Place</strong>" in response.text
    assert 'value="Nowhere-on-earth"' in response.text  # the form keeps what was typed
    bad_count = post(tr, "/reports/new", {"date": "2017-01-20", "place": "Douma",
                                          "violation": "shelling", "killed": "-1"})
    assert bad_count.status_code == 422 and "<strong>Killed</strong>" in bad_count.text
    assert fingerprint(world, skip=KEPT) == before


def test_a_malformed_selection_is_named_not_ignored(as_user):
    analyst = as_user("analyst")
    for query, field in (("from=2017-13-01", "from"), ("party=XX", "party"),
                         ("adm=Aleppo", "adm"), ("status=maybe", "status"),
                         ("cursor=nonsense", "cursor")):
        response = analyst.get(f"/incidents?{query}")
        assert response.status_code == 422, query
        assert f"<strong>{FIELD_LABELS[field]}</strong>" in response.text, query
