"""The report form in Chromium (issue 17, defects 2, 3, 8 and 9): place search by name,
P-code, coordinates and a point picked on the map; a fuzzy match never filed without the
officer's choice; faults named by the form's own labels, all at once, with everything
typed kept; time of day, several perpetrators and targets; a confirmation naming the
incident; and the form at 1366 and 390 px (screenshots in SCREENSHOTS)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from ceasefire.domain.place import WherePrecision
from ceasefire.intake.scenario import locate, parse
from ceasefire.services import intake
from ceasefire.services.logins import set_password
from ceasefire.services.reports import get_report
from ceasefire.services.scenarios import load_scenario
from ceasefire.store.db import Database
from tests.conftest import SERVER_PASSPHRASE
from tests.fingerprint import fingerprint
from tests.web.conftest import SCREENSHOTS, fits, serving

PASSWORD = "a long enough test password"
KEPT = ("ledger_checkpoints",)


@pytest.fixture(scope="module")
def record(tmp_path_factory) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('form') / 'form.db'}",
                  server_passphrase=SERVER_PASSPHRASE)
    db.upgrade()
    source, body = locate("syria-2016")
    load_scenario(db, parse(body, source=source))
    set_password(db, username="tr-officer", password=PASSWORD)
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def site(record) -> Iterator[str]:
    with serving(record) as url:
        yield url


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    outside: list[str] = []
    csp: list[str] = []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(site)
               else (outside.append(route.request.url), route.abort()))
    page.on("console", lambda m: csp.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.goto(f"{site}/login")
    page.get_by_label("Username").fill("tr-officer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{site}/reports/new")
    yield page
    assert outside == [] and csp == []
    context.close()


def fill_report(page: Page, place: str = "", *, narrative: str = "Shelling at dawn.",
                date: str = "2017-02-20") -> None:
    page.get_by_label("Date").fill(date)
    if place:
        page.get_by_label("Place").fill(place)
    page.get_by_label("Violation").select_option("shelling")
    page.get_by_label("Killed (best estimate)").fill("2")
    page.get_by_label("What happened").fill(narrative)


def find(page: Page, text: str) -> None:
    page.get_by_label("Place").fill(text)
    page.get_by_role("button", name="Find place").click()


def sent_report(page: Page, record: Database):
    expect(page.get_by_role("status")).to_contain_text("Report sent.")
    uid = re.search(r"sent=([0-9a-f-]{36})", page.url).group(1)
    with record.session() as session:
        return get_report(session, uid=uid)


def candidates(page: Page):
    return page.locator("fieldset.candidates label")


def test_jobar_is_the_damascus_neighbourhood_and_is_filed_there(page, record):
    find(page, "Jobar")
    first = candidates(page).first
    expect(first).to_contain_text("Jobar (neighbourhood)")
    expect(first).to_contain_text("SY010000")
    expect(candidates(page)).not_to_contain_text(["Yabroud"])
    fill_report(page, "Jobar")  # typed, not chosen: an exact name is taken as typed
    page.get_by_role("button", name="Submit the report").click()
    report = sent_report(page, record)
    assert report.place.admin.codes() == ("SY01", "SY0100", "SY010000")
    assert report.place.name == "Jobar"


def test_a_fuzzy_match_says_how_far_and_is_never_filed_without_a_choice(page, record):
    before = fingerprint(record, skip=KEPT)
    fill_report(page, "Jbar")
    page.get_by_role("button", name="Submit the report").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("not the name of a place we know")
    first = candidates(page).first
    expect(first).to_contain_text("Jobar (neighbourhood)")
    expect(first).to_contain_text("spelled 1 letter differently from “Jobar”")
    expect(candidates(page).filter(has_text="Yabroud (town)")).to_contain_text(
        re.compile(r"spelled \d letters differently.*\d+ km from Jobar", re.S))
    for radio in page.get_by_role("radio").all():
        expect(radio).not_to_be_checked()
    assert fingerprint(record, skip=KEPT) == before
    # The officer chooses Jobar: now it is filed, there.
    candidates(page).filter(has_text="Jobar (neighbourhood)").get_by_role("radio").check()
    page.get_by_role("button", name="Submit the report").click()
    assert sent_report(page, record).place.admin.adm3 == "SY010000"


def test_raqqa_offers_ar_raqqa_not_ariqa(page):
    find(page, "Raqqa")
    expect(candidates(page).first).to_contain_text("Ar-Raqqa (town)")
    expect(page.locator("fieldset.candidates")).not_to_contain_text("Ariqa")


@pytest.mark.parametrize(("text", "expected", "kind"), [
    ("Wadi Barada", "Wadi Barada", "region"),
    ("East Ghouta", "Eastern Ghouta", "region"),
    ("الغوطة الشرقية", "Eastern Ghouta", "region"),
    ("Eastern Qalamoun", "Eastern Qalamoun", "region"),
    ("SY0703", "Harim", "district"),
    ("35.93, 36.63", "35.93, 36.63", "the point given"),
])
def test_regions_p_codes_and_coordinates_are_found(page, text, expected, kind):
    find(page, text)
    expect(candidates(page).first).to_contain_text(f"{expected} ({kind})")


def test_a_p_code_and_coordinates_are_filed_at_their_precision(page, record):
    fill_report(page, "SY0703")
    page.get_by_role("button", name="Submit the report").click()
    by_code = sent_report(page, record)
    assert (by_code.place.precision, by_code.place.admin.codes()) == (
        WherePrecision.DISTRICT, ("SY07", "SY0703"))
    fill_report(page, "35.93, 36.63")
    page.get_by_role("button", name="Submit the report").click()
    by_point = sent_report(page, record)
    assert by_point.place.precision == WherePrecision.EXACT
    assert (by_point.place.point.lat, by_point.place.point.lon) == (35.93, 36.63)
    assert by_point.place.admin.adm1 == "SY07"
    fill_report(page, "East Ghouta")
    page.get_by_role("button", name="Submit the report").click()
    region = sent_report(page, record)
    assert (region.place.precision, region.place.admin.codes()) == (
        WherePrecision.REGION, ("SY03",))


def test_a_point_picked_on_the_map_offers_the_places_near_it(page, record):
    fill_report(page)
    page.locator("details.pick summary").click()
    p = intake.pick_projection()
    page.locator("input[type=image]").click(position={"x": p.x(36.337), "y": p.y(33.531)})
    first = candidates(page).first
    expect(first).to_contain_text("(the point given)")
    expect(first).to_contain_text("picked on the map")
    expect(candidates(page).filter(has_text="Jobar")).to_have_count(1)
    expect(page.get_by_label("Date")).to_have_value("2017-02-20")  # all else is kept
    page.get_by_role("button", name="Submit the report").click()
    report = sent_report(page, record)
    assert report.place.precision == WherePrecision.NEAR
    assert report.place.admin.adm1 in ("SY01", "SY03")


def test_an_unknown_place_is_refused_in_the_form_s_own_words(page, record):
    before = fingerprint(record, skip=KEPT)
    fill_report(page, "Nowhere-on-earth")
    page.get_by_role("button", name="Submit the report").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Place: no place called “Nowhere-on-earth” is known")
    expect(alert).to_contain_text("P-code")
    expect(alert).to_contain_text("coordinates (latitude, longitude)")
    expect(alert).to_contain_text("pick it on the map")
    expect(alert).not_to_contain_text("lon and lat")
    expect(alert).not_to_contain_text("place.name")
    expect(page.get_by_label("Place")).to_have_value("Nowhere-on-earth")
    assert fingerprint(record, skip=KEPT) == before


def test_an_empty_form_names_every_missing_field_in_words(page, record):
    before = fingerprint(record, skip=KEPT)
    page.get_by_role("button", name="Submit the report").click()
    alert = page.get_by_role("alert")
    for label in ("Date", "Place", "Violation"):
        expect(alert.get_by_role("link", name=label)).to_be_visible()
    expect(alert).to_contain_text("3 things to correct")
    for code in ("when", "place.", "Input should", "_"):
        expect(alert).not_to_contain_text(code)
    assert fingerprint(record, skip=KEPT) == before


def test_a_narrative_over_the_limit_comes_back_whole_with_its_limit(page, record):
    before = fingerprint(record, skip=KEPT)
    long = ("The shelling went on. " * 2300)[:50_000]
    fill_report(page, "Jobar", narrative="x")
    page.locator("#r-narrative").evaluate("(el, text) => { el.value = text; }", long)
    page.get_by_role("button", name="Submit the report").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("What happened: is 50,000 characters long: at most 20,000")
    expect(alert).not_to_contain_text("items")
    assert page.locator("#r-narrative").input_value() == long.strip()
    expect(page.get_by_label("Place")).to_have_value("Jobar")
    expect(page.get_by_label("Violation")).to_have_value("shelling")
    assert fingerprint(record, skip=KEPT) == before


def test_a_narrative_over_the_body_limit_gets_a_page_saying_the_limit(page):
    fill_report(page, "Jobar", narrative="x")
    page.locator("#r-narrative").evaluate("(el) => { el.value = 'x'.repeat(2 * 1024 * 1024); }")
    page.get_by_role("button", name="Submit the report").click()
    expect(page.locator("body")).to_contain_text("1,048,576 bytes")
    expect(page.get_by_role("alert")).to_contain_text("Nothing was stored")
    assert page.evaluate("document.contentType") == "text/html"


def test_time_of_day_several_perpetrators_and_targets_and_the_incident_named(page, record):
    def send() -> None:
        fill_report(page, "Saraqib", date="2017-03-05")
        page.get_by_label("Time of day").fill("14:30")
        page.get_by_label("Alleged perpetrators").select_option(
            ["syrian-government", "russian-forces"])
        page.get_by_label("Targets").select_option(["civilians", "jaysh-al-islam"])
        page.get_by_role("button", name="Submit the report").click()

    send()
    report = sent_report(page, record)
    assert report.when.earliest.isoformat() == "2017-03-05T14:30:00+00:00"
    assert set(report.perpetrators) == {"syrian-government", "russian-forces"}
    assert report.civilians_targeted and report.targets == ("jaysh-al-islam",)
    status = page.get_by_role("status")
    expect(status).to_contain_text("It is the first report of a new incident")
    link = status.get_by_role("link")
    first_incident = link.inner_text()
    send()  # the same event, reported again: it joins the first one's incident
    expect(status).to_contain_text(f"It joined incident {first_incident}, which now holds "
                                   "2 reports")
    link.click()
    expect(page).to_have_url(re.compile(f"/incidents/{first_incident}$"))


def test_injured_beside_killed_is_refused_by_name_then_filed_and_shown(page, record):
    injured = page.get_by_label("Injured (best estimate)")
    fill_report(page, "Saraqib", date="2017-03-07")  # Injured left empty: not known
    page.get_by_role("button", name="Submit the report").click()
    assert sent_report(page, record).casualties.injured is None
    before = fingerprint(record, skip=KEPT)
    fill_report(page, "Saraqib", date="2017-03-07", narrative="Twelve were hurt.")
    injured.fill("-12")
    page.get_by_role("button", name="Submit the report").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Injured: give a whole number from 0 to 1,000,000")
    expect(injured).to_have_value("-12")
    expect(page.get_by_label("Killed (best estimate)")).to_have_value("2")
    assert fingerprint(record, skip=KEPT) == before
    injured.fill("12")
    page.get_by_role("button", name="Submit the report").click()
    report = sent_report(page, record)
    assert (report.casualties.best, report.casualties.injured) == (2, 12)
    page.get_by_role("status").get_by_role("link").click()
    expect(page.get_by_role("row", name=re.compile("^Injured"))).to_have_text(
        re.compile(r"Injured\s*not known\s*12"))


@pytest.mark.parametrize("width", [1366, 390])
def test_the_form_fits_the_screen_and_is_photographed(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    fill_report(page)
    find(page, "Khan Shaykhun")  # a long name among the candidates
    expect(candidates(page).first).to_be_visible()
    fits(page)
    page.get_by_label("Place").fill("Jbar")
    page.get_by_role("button", name="Submit the report").click()  # problems and candidates
    expect(candidates(page).first).to_be_visible()
    fits(page)
    page.locator("details.pick summary").click()
    expect(page.locator("input[type=image]")).to_be_visible()
    fits(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"report-form-{width}.png"), full_page=True)
