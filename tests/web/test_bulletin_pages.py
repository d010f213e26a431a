"""The bulletin pages over HTTP, on each storage backend: the secretariat previews and
publishes; other roles may not; the public pages show what was published and nothing
else, rendered from the stored document."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.services import bulletins
from ceasefire.services.logins import set_password
from ceasefire.services.reports import submit_report
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import ledger as ledger_store
from tests.factories import PASSWORD
from tests.fingerprint import fingerprint
from tests.test_bulletin_publish import JANUARY, shelling
from tests.web.test_login import form_token, log_in

JANUARY_FORM = {"from": "2017-01-01", "to": "2017-01-31", "agreement": "syria-2016"}


@pytest.fixture
def client(database, syria_scenario):
    load_scenario(database, syria_scenario)
    submit_report(database, shelling("Douma", "2017-01-20", 9), party="TR")
    submit_report(database, shelling("Aleppo", "2017-01-12", 3), party="RU")
    for username in ("secretariat", "ru-officer"):
        set_password(database, username=username, password=PASSWORD)
    settings = Settings(database_url=database.url.render_as_string(hide_password=False))
    with TestClient(create_app(settings, database=database),
                    base_url="https://testserver") as client:
        yield client


def test_the_secretariat_previews_publishes_and_lands_on_the_bulletin(client, database):
    assert log_in(client, "secretariat").status_code == 303
    page = client.get("/bulletins")
    assert page.status_code == 200 and "No bulletin has been published yet." in page.text
    assert '<label for="from">' in page.text and 'name="agreement"' in page.text
    preview = client.get("/bulletins", params=JANUARY_FORM)
    assert preview.status_code == 200
    assert "Report to the talks, 1 January 2017 to 31 January 2017" in preview.text
    assert '<button type="submit">Publish</button>' in preview.text
    assert bulletins.listing(database) == []  # a preview publishes nothing
    done = client.post("/bulletins", data={**JANUARY_FORM, "csrf_token": form_token(preview)},
                       follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, "/public/bulletins/1")
    shown = client.get("/public/bulletins/1")
    assert shown.status_code == 200
    assert "The mechanism recorded 2 incidents from 1 to 31 January 2017" in shown.text
    assert '<th scope="col">Governorate</th>' in shown.text
    assert '<bdi lang="ar" dir="rtl">ريف دمشق</bdi>' in shown.text
    assert "ceasefire ledger verify --checkpoint" in shown.text
    assert "<style" not in shown.text and "style=" not in shown.text  # the CSP holds
    assert 'href="/static/app.css"' in shown.text
    # Listed for the secretariat too.
    assert 'href="/public/bulletins/1"' in client.get("/bulletins").text


def test_a_bad_day_in_the_form_is_named_and_changes_nothing(client, database):
    log_in(client, "secretariat")
    token = form_token(client.get("/bulletins"))
    before = fingerprint(database, skip=("web_sessions",))
    answer = client.post("/bulletins", data={**JANUARY_FORM, "to": "31/01/2017",
                                             "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 422 and "is not a date (YYYY-MM-DD)" in answer.text
    assert fingerprint(database, skip=("web_sessions",)) == before


def test_other_roles_see_no_form_and_cannot_publish(client, database):
    log_in(client, "ru-officer")
    page = client.get("/bulletins")
    assert page.status_code == 200 and 'action="/bulletins"' not in page.text
    assert ">Publish</button>" not in client.get("/bulletins", params=JANUARY_FORM).text
    before = fingerprint(database)
    refused = client.post("/bulletins", data={**JANUARY_FORM, "csrf_token": form_token(page)},
                          follow_redirects=False)
    assert refused.status_code == 403 and "cannot publish bulletins" in refused.text
    assert fingerprint(database) == before
    # Without a session nobody may post, and the list needs a login.
    client.cookies.clear()
    assert client.post("/bulletins", data=JANUARY_FORM).status_code == 403
    assert client.get("/bulletins", follow_redirects=False).headers["location"] == "/login"


def test_the_public_pages_show_only_published_bulletins(client, database):
    bulletins.issue(database, JANUARY)  # counted, shown to no one
    listed = client.get("/public/bulletins")
    assert listed.status_code == 200 and "No bulletin has been published yet." in listed.text
    for path in ("/public/bulletins/1", "/public/bulletins/1.pdf", "/public/bulletins/1.json",
                 "/public/bulletins/1.md"):
        assert client.get(path).status_code == 404, path

    first = bulletins.publish(database, JANUARY, username="secretariat")
    submit_report(database, shelling("Douma", "2017-01-30", 1), party="TR")
    # The record moved on; the published bulletin did not.
    assert "The mechanism recorded 2 incidents from 1 to 31 January 2017" in \
        client.get(f"/public/bulletins/{first.id}").text
    as_json = client.get(f"/public/bulletins/{first.id}.json")
    assert as_json.headers["content-type"].startswith("application/json")
    with database.session() as session:
        entry = ledger_store.entry(session, first.seq)
    assert hashlib.sha256(as_json.content).hexdigest() == entry.payload["document_sha256"]
    assert client.get(f"/public/bulletins/{first.id}.md").text.startswith(
        "# Bulletin no. 1: Report to the talks")
    pdf = client.get(f"/public/bulletins/{first.id}.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")

    second = bulletins.publish(database, JANUARY, username="secretariat")
    listed = client.get("/public/bulletins").text
    assert f'href="/public/bulletins/{second.id}"' in listed and "(superseded)" in listed
    old = client.get(f"/public/bulletins/{first.id}").text
    assert "Superseded" in old and f'href="/public/bulletins/{second.id}"' in old
    assert "The mechanism recorded 3 incidents from 1 to 31 January 2017" in \
        client.get(f"/public/bulletins/{second.id}").text
