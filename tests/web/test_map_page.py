"""The map page: the map with its table and form over HTTP, the public variant, a report
submitted by place name seen on the map, and the page in Chromium (nothing fetched from
elsewhere, no CSP violation, the map visible and usable by keyboard).

Screenshots are kept in build/screenshots/ (tests/web/conftest.py: SCREENSHOTS).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy import text

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.domain.agreement import Position
from ceasefire.geo.admin import syria
from ceasefire.intake.report_in import ReportIn
from ceasefire.services import verification
from ceasefire.services.imports import import_file
from ceasefire.services.reports import submit_report
from ceasefire.services.scenarios import load_scenario
from ceasefire.web.templating import FIELD_LABELS
from tests.factories import PASSWORD, add_login
from tests.store.test_map_counts import ucdp_part
from tests.web.conftest import SCREENSHOTS
from tests.web.test_login import log_in

READER = "map-reader"
SVG = {"svg": "http://www.w3.org/2000/svg"}


@pytest.fixture
def record(web_database, syria_scenario, tmp_path):
    """Every 6th record of the UCDP extract, one incident confirmed, and a reader."""
    load_scenario(web_database, syria_scenario)
    import_file(web_database, ucdp_part(tmp_path, 6), format="ucdp", party="SEC")
    with web_database.engine.connect() as c:
        incident = c.execute(text(
            "SELECT i.uid FROM incidents i JOIN assessments a ON a.incident_uid = i.uid "
            "WHERE a.covered ORDER BY i.uid LIMIT 1")).scalar_one()
    for who in ("ru-officer", "tr-officer", "ir-officer"):
        version = verification.read(web_database, incident)[0].version
        verification.cast(web_database, None, incident, username=who,
                          position=Position.CONFIRM, seen_version=version)
    add_login(web_database, username=READER, party="TR")
    return web_database


@pytest.fixture
def client(record):
    settings = Settings(database_url=record.url.render_as_string(hide_password=False))
    with TestClient(create_app(settings, database=record),
                    base_url="https://testserver") as client:
        yield client


def _rows(page: str) -> dict[str, int]:
    """Area name -> incidents, from the table under the map."""
    return {m[1]: int(m[2]) for m in re.finditer(
        r'<tr><th scope="row">(?:<a [^>]*>)?([^<]+)(?:</a>)?(?: <bdi lang="ar" dir="rtl">'
        r'[^<]*</bdi>)?</th>\s*<td>(\d+)</td>', page)}


def test_the_map_has_a_path_per_governorate_and_the_same_counts_in_its_table(client):
    log_in(client, READER)
    page = client.get("/map")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert page.text.count('<a href="/map?adm=SY') == 28  # the areas and the table's rows
    rows = _rows(page.text)
    assert len(rows) == 14 and sum(rows.values()) > 0
    assert '<bdi lang="ar" dir="rtl">حلب</bdi>' in page.text
    aleppo = client.get("/map?adm=SY02")
    districts = [a for a in syria().level(2) if a.parent == "SY02"]
    assert len(_rows(aleppo.text)) == len(districts)
    assert sum(_rows(aleppo.text).values()) <= rows["Aleppo"]  # some have no district


def test_a_report_submitted_by_place_name_is_on_the_map(client, record):
    log_in(client, READER)
    before = _rows(client.get("/map?adm=SY03").text)
    submit_report(record, ReportIn.model_validate({
        "when": {"date": "2017-03-02"}, "place": {"name": "Douma"}, "violation": "shelling",
        "perpetrators": ["syrian-government"]}), party="UN")
    page = client.get("/map?adm=SY03&from=2017-03-02&to=2017-03-02&party=UN")
    assert _rows(page.text)["Duma"] == 1 and sum(_rows(page.text).values()) == 1
    # The circle says what it counts, and leads to the list of just that incident.
    found = re.search(r'<a href="(/incidents\?[^"]+)"><title>1 incident around Duma '
                      r'\(Rural Damascus\): 1 pending\. Opens their list: ([^<]+)\.</title>',
                      page.text)
    assert found, page.text
    assert "&amp;adm=SY030200&amp;" in found[1] and found[2] == \
        "Duma sub-district (Rural Damascus)"
    assert _rows(client.get("/map?adm=SY03").text)["Duma"] == before.get("Duma", 0) + 1


def test_the_svg_alone_is_a_file_of_its_own(client):
    log_in(client, READER)
    response = client.get("/map.svg?areas=districts")
    assert response.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(response.text)
    assert len(root.findall(".//svg:g[@class='areas']//svg:path", SVG)) == len(syria().level(2))


def test_the_public_map_shows_confirmed_incidents_only(client):
    page = client.get("/public/map?status=pending")  # the statuses are fixed: ignored
    assert page.status_code == 200 and sum(_rows(page.text).values()) == 1
    assert 'name="status"' not in page.text and "Log out" not in page.text
    svg = client.get("/public/map.svg").text
    assert 'href="/public/map?' in svg and "pending" not in svg


@pytest.mark.parametrize(("query", "field"), [
    ("adm=SY99", "adm"), ("adm=Aleppo", "adm"), ("from=yesterday", "from"),
    ("violation=rumour", "violation"), ("areas=villages", "areas"),
    ("from=2017-03-02&to=2017-03-01", "to")])
def test_a_bad_filter_is_answered_on_the_page_naming_the_field(client, query, field):
    log_in(client, READER)
    page = client.get(f"/map?{query}")
    assert page.status_code == 422
    label = FIELD_LABELS.get(field, field)  # the form's label for it
    assert f'<p class="error" role="alert"><strong>{label}</strong>: ' in page.text, \
        page.text[-600:]
    assert client.get(f"/map.svg?{query}").status_code == 422


def test_the_map_in_chromium(live_server, record, watched_page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = watched_page.page
    page.goto(f"{live_server}/map")
    expect(page).to_have_url(f"{live_server}/login")
    page.get_by_label("Username").fill(READER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/map")

    drawing = page.locator("svg.map")
    expect(drawing).to_be_visible()
    expect(drawing.locator("g.areas path")).to_have_count(14)
    expect(page.get_by_role("table")).to_contain_text("Aleppo")
    page.screenshot(path=str(SCREENSHOTS / "map.png"), full_page=True)

    # By keyboard: Tab from the last link before the map reaches the governorates (the
    # largest drawn, and reached, first: Tab twice gives the second, Rural Damascus).
    page.get_by_role("link", name="Download the map (SVG)").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('svg') !== null")
    assert focused
    name = page.evaluate("document.activeElement.querySelector('title').textContent")
    drawing.screenshot(path=str(SCREENSHOTS / "map-focus.png"))  # the focus ring
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/map\?.*adm=SY\d\d"))
    governorate = syria().area(re.search(r"adm=(SY\d\d)", page.url)[1])
    assert name.startswith(governorate.name)
    districts = [a for a in syria().level(2) if a.parent == governorate.pcode]
    expect(drawing.locator("g.areas path")).to_have_count(len(districts))
    expect(page.get_by_role("link", name="All of Syria")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "map-governorate.png"), full_page=True)

    page.goto(f"{live_server}/map?adm=SY02")
    page.screenshot(path=str(SCREENSHOTS / "map-aleppo.png"), full_page=True)
    page.goto(f"{live_server}/public/map?areas=districts")
    expect(drawing.locator("g.areas path")).to_have_count(len(syria().level(2)))
    page.screenshot(path=str(SCREENSHOTS / "public-map-districts.png"), full_page=True)
    assert watched_page.outside == [] and watched_page.csp_violations() == []


def test_a_record_without_an_agreement_says_so(web_database):
    settings = Settings(database_url=web_database.url.render_as_string(hide_password=False))
    with TestClient(create_app(settings, database=web_database),
                    base_url="https://testserver") as client:
        page = client.get("/public/map")
    assert page.status_code == 422
    assert ('<p class="error" role="alert"><strong>Agreement</strong>: the record has no '
            'agreement yet') in page.text


def test_the_form_keeps_the_districts_shaded(client):
    page = client.get("/public/map?areas=districts").text
    assert '<input type="hidden" name="areas" value="districts">' in page
    assert '<input type="hidden" name="areas"' not in client.get("/public/map?adm=SY02").text
