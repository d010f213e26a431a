"""Split and merge from an incident's page, with a real login session, on both backends:
who may (analysts, the secretariat) and who may not (and sees no form); what a split or
merge moves and the signed ledger entry with its reason; each bad form named beside its
field, with the choices kept and nothing changed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import count

import pytest
from fastapi.testclient import TestClient

from ceasefire.intake.report_in import ReportIn
from ceasefire.services import correlation, ledger
from ceasefire.services.logins import set_password
from ceasefire.services.reports import submit_report
from tests.api.seed import app_for, seeded_database
from tests.conftest import BACKENDS
from tests.fingerprint import fingerprint

PASSWORD = "a long enough test password"
KEPT = ("ledger_checkpoints",)  # reading an incident's page keeps a checkpoint
IDLIB = (35.9306, 36.6339)
MAARRAT = (35.6484, 36.6717)  # Maarrat al-Numan: the same governorate, 30 km south


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory) -> Iterator:
    with seeded_database(request.param, request, tmp_path_factory.mktemp("edits")) as (db, _):
        for user in ("analyst", "secretariat", "ru-officer", "un-monitor"):
            set_password(db, username=user, password=PASSWORD)
        yield db


@pytest.fixture(scope="module")
def app(world):
    return app_for(world)


@pytest.fixture
def as_user(app) -> Iterator:
    clients = []

    def log_in(username: str) -> TestClient:
        client = TestClient(app, base_url="https://testserver", follow_redirects=False)
        clients.append(client)
        page = client.get("/login")
        assert client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": csrf(page.text)}).status_code == 303
        return client

    yield log_in
    for c in clients:
        c.close()


_days = count()


def new_incident(db, *, copies: int, day: date | None = None, where=IDLIB,
                 violation: str = "shelling", perpetrator: str = "syrian-government",
                 ) -> tuple[str, list[str]]:
    """An incident of its own (a day no other test uses, unless given) with ``copies``
    reports; its id and its reports' ids."""
    day = day or date(2017, 6, 1) + timedelta(days=3 * next(_days))
    body = ReportIn.model_validate({
        "when": {"date": day.isoformat()}, "place": {"lat": where[0], "lon": where[1]},
        "violation": violation, "perpetrators": [perpetrator],
        "targets": ["syrian-opposition"]})
    done = [submit_report(db, body, party="SEC") for _ in range(copies)]
    (incident,) = {d.incident for d in done}
    return incident, [d.report.id for d in done]


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def seen(html: str) -> list[str]:
    """The reports the page showed, as its forms carry them (each form has them)."""
    return list(dict.fromkeys(re.findall(r'name="seen" value="([^"]+)"', html)))


def incident_of(db, reports: list[str]) -> dict[str, str]:
    with db.session() as session:
        return correlation.incidents_of_reports(session, reports)


def entry(db, seq: int):
    return ledger.inclusion(db, seq).entry


def send(client: TestClient, uid: str, form: str, fields: dict, *, page: str | None = None):
    """Send the incident page's split or merge form, as the page read now (or ``page``,
    read earlier) has it."""
    html = page or client.get(f"/incidents/{uid}").text
    return client.post(f"/incidents/{uid}/{form}", data={
        "csrf_token": csrf(html), "seen": seen(html), **fields})


def redirected(response) -> tuple[str, int]:
    assert response.status_code == 303, response.text[:500]
    found = re.fullmatch(r"/incidents/([0-9a-f-]{36})\?entry=(\d+)#edited",
                         response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1), int(found.group(2))


def test_an_analyst_splits_off_exactly_the_chosen_reports(world, as_user):
    uid, reports = new_incident(world, copies=3)
    analyst = as_user("analyst")
    page = analyst.get(f"/incidents/{uid}").text
    assert 'id="split"' in page and sorted(seen(page)) == sorted(reports)
    response = send(analyst, uid, "split", {"reports": [reports[1]],
                                            "reason": "A second strike, an hour later."},
                    page=page)
    kept, seq = redirected(response)
    now = incident_of(world, reports)
    assert now[reports[0]] == now[reports[2]] == kept
    moved_to = now[reports[1]]
    assert moved_to != kept
    recorded = entry(world, seq)
    assert recorded.action == "incident.split"
    assert (recorded.party, recorded.account) == ("UN", "analyst")
    assert recorded.payload["reports"] == [reports[1]]
    assert recorded.payload["reason"] == "A second strike, an hour later."
    shown = analyst.get(response.headers["location"]).text
    assert re.search(r"<strong>Split:</strong> 1 report moved to the new incident <a "
                     rf'href="/incidents/{moved_to}"><code>{moved_to}</code></a>\.', shown)
    assert (f"Ledger entry {seq} records it with the reason “A second strike, an hour "
            "later.”: signed for United Nations") in shown
    # The confirmation says what the ledger says, for the incidents the entry made only.
    other, _ = new_incident(world, copies=1)
    assert "Split:" not in analyst.get(f"/incidents/{other}?entry={seq}").text


@pytest.mark.parametrize("username", ["analyst", "secretariat"])
def test_a_merge_joins_the_other_incident_into_this_one(world, as_user, username):
    day = date(2017, 11, 1) + timedelta(days=3 * next(_days))
    uid, first = new_incident(world, copies=2, day=day)
    other, second = new_incident(world, copies=1, day=day, where=MAARRAT,
                                 violation="air_strike", perpetrator="russian-forces")
    assert other != uid
    client = as_user(username)
    page = client.get(f"/incidents/{uid}").text
    # Picked from the incidents nearby: the same day, the same governorate.
    assert f'<option value="{other}">' in page
    into, seq = redirected(send(client, uid, "merge", {"nearby": other,
                                                       "reason": "One raid, two accounts."},
                                page=page))
    assert set(incident_of(world, first + second).values()) == {into}
    recorded = entry(world, seq)
    assert recorded.action == "incident.merged"
    assert recorded.payload["incidents"] == [uid, other]
    assert recorded.payload["reason"] == "One raid, two accounts."
    assert recorded.account == username
    shown = client.get(f"/incidents/{into}?entry={seq}").text
    (gone,) = {uid, other} - {into}
    assert f"<strong>Merged</strong> incident <code>{gone}</code> into this one." in shown


@pytest.mark.parametrize("username", ["ru-officer", "un-monitor"])
def test_who_may_not_sees_no_form_and_is_refused(world, as_user, username):
    uid, reports = new_incident(world, copies=2)
    other, _ = new_incident(world, copies=1)
    client = as_user(username)
    page = client.get(f"/incidents/{uid}").text
    assert 'class="edit"' not in page and "Split or merge" not in page
    before = fingerprint(world, skip=KEPT)
    token = csrf(page)  # the logout form's: a valid one
    for form, fields in (("split", {"reports": [reports[1]], "seen": reports}),
                         ("merge", {"other": other, "seen": reports})):
        response = client.post(f"/incidents/{uid}/{form}",
                               data={"csrf_token": token, "reason": "no", **fields})
        assert response.status_code == 403
        assert "cannot split or merge incidents" in response.text
    assert fingerprint(world, skip=KEPT) == before


def test_without_a_login_or_a_csrf_token_nothing_is_done(world, app, as_user):
    uid, reports = new_incident(world, copies=2)
    analyst = as_user("analyst")
    before = fingerprint(world, skip=KEPT)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as public:
        assert public.get(f"/incidents/{uid}").headers["location"].endswith("/login")
        assert public.post(f"/incidents/{uid}/split", data={
            "reports": [reports[1]], "seen": reports, "reason": "no"}).status_code == 403
    for form, fields in (("split", {"reports": [reports[1]]}), ("merge", {"other": uid})):
        refused = analyst.post(f"/incidents/{uid}/{form}",
                               data={"seen": reports, "reason": "no csrf", **fields})
        assert refused.status_code == 403
    assert fingerprint(world, skip=KEPT) == before


# (the form's fields but `seen`, the status, the field's label, what the page says)
BAD_SPLITS = {
    "no report chosen": (lambda r: {"reason": "two events"}, 422,
                         "Reports to split off", "choose the reports that describe"),
    "every report chosen": (lambda r: {"reports": r, "reason": "two events"}, 422,
                            "Reports to split off", "leave at least one report"),
    "no reason": (lambda r: {"reports": r[1:], "reason": "  "}, 422, "Reason", "say why"),
}


@pytest.mark.parametrize("case", list(BAD_SPLITS))
def test_a_bad_split_is_named_beside_its_field_and_changes_nothing(world, as_user, case):
    fields, status, label, says = BAD_SPLITS[case]
    uid, reports = new_incident(world, copies=2)
    analyst = as_user("analyst")
    before, mapping = fingerprint(world, skip=KEPT), incident_of(world, reports)
    response = send(analyst, uid, "split", fields(reports))
    assert response.status_code == status
    error = re.search(r'<p class="field-error" role="alert" id="split-[a-z]+-error">'
                      r"<strong>([^<]+)</strong>: ([^<]+)</p>", response.text)
    assert error and error.group(1) == label and says in error.group(2).lower()
    for chosen in fields(reports).get("reports", []):  # the choices are kept
        assert re.search(rf'value="{chosen}" checked>', response.text)
    assert fingerprint(world, skip=KEPT) == before
    assert incident_of(world, reports) == mapping


def test_a_split_from_a_page_the_record_moved_on_from_changes_nothing(world, as_user):
    uid, reports = new_incident(world, copies=2)
    analyst = as_user("analyst")
    page = analyst.get(f"/incidents/{uid}").text
    day = date.fromisoformat(re.search(r"When \(UTC\)</dt><dd>(\d{4}-\d\d-\d\d)", page)
                             .group(1))
    _, (late,) = new_incident(world, copies=1, day=day)  # a third account joins it
    assert incident_of(world, [late])[late] == uid
    before, mapping = fingerprint(world, skip=KEPT), incident_of(world, [*reports, late])
    response = send(analyst, uid, "split", {"reports": [reports[1]], "reason": "two"},
                    page=page)
    assert response.status_code == 409
    assert f"Incident {uid} changed since you read it: it now holds 3 reports" in response.text
    assert sorted(seen(response.text)) == sorted([*reports, late])  # the page as it is now
    assert f'value="{reports[1]}" checked>' in response.text and ">two</textarea>" in response.text
    assert fingerprint(world, skip=KEPT) == before
    assert incident_of(world, [*reports, late]) == mapping


BAD_MERGES = {
    "no reason": (lambda uid, other: {"other": other, "reason": ""}, 422, "Reason",
                  "say why"),
    "unknown incident": (lambda uid, other: {
        "other": "00000000-0000-4000-8000-000000000000", "reason": "one"}, 422,
        "Incident to merge", "holds no incident with this id"),
    "not an id": (lambda uid, other: {"other": "Aleppo", "reason": "one"}, 422,
                  "Incident to merge", "is not an incident id"),
    "itself": (lambda uid, other: {"other": uid.upper(), "reason": "one"}, 422,
               "Incident to merge", "that is this incident"),
    "nothing named": (lambda uid, other: {"other": " ", "reason": "one"}, 422,
                      "Incident to merge", "give the id of the incident"),
}


@pytest.mark.parametrize("case", list(BAD_MERGES))
def test_a_bad_merge_is_named_beside_its_field_and_changes_nothing(world, as_user, case):
    fields, status, label, says = BAD_MERGES[case]
    uid, reports = new_incident(world, copies=2)
    other, others = new_incident(world, copies=1)
    analyst = as_user("analyst")
    before = fingerprint(world, skip=KEPT)
    mapping = incident_of(world, reports + others)
    given = fields(uid, other)
    response = send(analyst, uid, "merge", given)
    assert response.status_code == status
    error = re.search(r'<p class="field-error" role="alert" id="merge-[a-z]+-error">'
                      r"<strong>([^<]+)</strong>: ([^<]+)</p>", response.text)
    assert error and error.group(1) == label and says in error.group(2).lower()
    assert f'name="other" autocomplete="off" spellcheck="false" value="{given["other"]}"' \
        in response.text  # what was typed is kept
    assert fingerprint(world, skip=KEPT) == before
    assert incident_of(world, reports + others) == mapping


def test_a_merge_from_a_page_the_record_moved_on_from_changes_nothing(world, as_user):
    uid, reports = new_incident(world, copies=2)
    other, others = new_incident(world, copies=1)
    analyst = as_user("analyst")
    page = analyst.get(f"/incidents/{uid}").text
    # Meanwhile another analyst splits a report off the incident this page shows.
    correlation.split(world, uid, reports[1:], reason="two events", party="UN")
    before = fingerprint(world, skip=KEPT)
    mapping = incident_of(world, reports + others)
    response = send(analyst, uid, "merge", {"other": other, "reason": "one"}, page=page)
    assert response.status_code == 409
    assert "changed since you read it: it now holds 1 report" in response.text
    assert fingerprint(world, skip=KEPT) == before
    assert incident_of(world, reports + others) == mapping
