"""What the record's readers see, in Chromium on the demo record (the UCDP extract): lists
that page, words instead of codes, selections refused by name, pages that fit a phone
(issue 17). Screenshots go to build/screenshots."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from ceasefire.services.logins import set_password
from ceasefire.store.db import Database
from tests.records import UCDP_IMPORTED
from tests.web.conftest import DESK, PHONE, fits, readers, serving, shot

PASSWORD = "a long enough test password"
USERS = ("tr-officer", "ru-officer", "un-monitor", "secretariat", "analyst")
# What a reader must not have to decode: codes of actors, types, statuses and the
# agreement, parties' codes, field paths, and times to the microsecond.
CODES = re.compile(r"syrian-government|air_strike|armed_clash|not-covered|syria-2016|"
                   r"\b(?:RU|TR|IR)\b|place\.name:|\d\d:\d\d:\d\d\.\d{3,}")


@pytest.fixture(scope="module")
def record(built_records, tmp_path_factory) -> Iterator[Database]:
    db = built_records.sqlite_copy(UCDP_IMPORTED, tmp_path_factory.mktemp("reading") / "r.db")
    for user in USERS:
        set_password(db, username=user, password=PASSWORD)
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def site(record) -> Iterator[str]:
    with serving(record) as url:
        yield url


@pytest.fixture
def reader(browser: Browser, site: str) -> Iterator[object]:
    with readers(browser, site, PASSWORD) as open_as:
        yield open_as


def first_dates(page: Page) -> list[str]:
    return page.locator("table.incidents tbody tr td:first-child").all_inner_texts()


def test_the_incident_list_pages_through_the_whole_record(reader, site):
    page = reader("analyst")
    page.goto(f"{site}/incidents?from=2017-01-01&to=2017-06-30&adm=SY07")
    first = first_dates(page)
    assert len(first) == 50
    page.get_by_role("link", name="Older incidents").click()
    expect(page).to_have_url(re.compile(r"cursor=.*"))
    expect(page).to_have_url(re.compile(r"adm=SY07"))
    second = first_dates(page)
    assert second and second[0] <= first[-1] and set(second).isdisjoint(
        page.locator("table.incidents tbody a").all_inner_texts()[:0])
    assert page.locator("table.incidents tbody a").first.get_attribute("href") not in [
        a for a in first]
    page.get_by_role("link", name="Newest").click()
    assert first_dates(page) == first


@pytest.mark.parametrize("path", ["/dashboard", "/incidents", "/map"])
def test_an_area_no_one_has_is_refused_on_the_page(reader, site, path):
    page = reader("analyst")
    response = page.goto(f"{site}{path}?adm=SY99")
    assert response is not None and response.status == 422
    expect(page.get_by_role("alert")).to_contain_text("SY99")
    expect(page.get_by_role("alert")).to_contain_text("not the P-code of an admin area")


@pytest.mark.parametrize("path", ["/", "/dashboard", "/incidents", "/queue", "/map"])
def test_readers_see_words_not_codes(reader, site, path):
    page = reader("tr-officer")
    page.goto(f"{site}{path}?from=2017-01-01&to=2017-01-31" if path != "/" else site + "/")
    text = page.locator("main").inner_text()
    found = CODES.search(text)
    assert not found, text[max(0, found.start() - 200):found.end() + 50]


def test_an_incident_page_says_everything_in_words(reader, site, record):
    page = reader("tr-officer")
    page.goto(f"{site}/incidents?from=2017-01-01&to=2017-01-31")
    page.locator("table.incidents tbody a").first.click()
    text = page.locator("main").inner_text()
    found = CODES.search(text)
    assert not found, text[max(0, found.start() - 200):found.end() + 50]


@pytest.mark.parametrize(("width", "viewport"), [("390", PHONE), ("1366", DESK)])
@pytest.mark.parametrize("path", ["/", "/dashboard", "/incidents", "/map", "/queue",
                                  "/reports/new", "/bulletins", "incident", "public"])
def test_the_pages_fit_the_screen_and_are_kept_as_screenshots(reader, site, path, width,
                                                               viewport):
    page = reader(None if path == "public" else "tr-officer", viewport)
    if path == "incident":
        page.goto(f"{site}/queue")
        page.locator("table.incidents tbody a").first.click()
    else:
        page.goto(f"{site}{'/' if path == 'public' else path}")
    name = {"/": "home", "public": "public-home", "incident": "incident"}.get(
        path, path.strip("/").replace("/", "-"))
    shot(page, f"{name}-{width}")
    fits(page)


def test_the_home_page_says_what_awaits_the_officer(reader, site):
    page = reader("tr-officer")
    awaiting = page.locator("section.awaiting")
    expect(awaiting).to_contain_text("await Republic of Turkey's verdict")
    expect(awaiting).to_contain_text(re.compile(r"the next deadline is in \d+ hours"))
    awaiting.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Awaiting Republic of Turkey's verdict")
    page.go_back()
    assert len(page.locator("section[aria-labelledby=newest-h] tbody tr").all()) == 10


def test_the_public_home_shows_the_record_not_a_login_form(reader, site):
    page = reader(None)
    page.goto(f"{site}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ceasefire Monitor")
    expect(page.get_by_role("heading", name="Latest bulletins")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Map of Syria"))).to_be_visible()
    assert page.locator("input[type=password]").count() == 0


@pytest.mark.parametrize("path", ["/", "/dashboard", "/incidents", "/map", "/queue"])
def test_no_page_asks_for_what_is_not_there(reader, site, path):
    page = reader("tr-officer")
    missing: list[str] = []
    page.on("response", lambda r: missing.append(f"{r.status} {r.url}")
            if r.status >= 400 else None)
    page.goto(f"{site}{path}")
    page.wait_for_load_state("load")
    assert missing == []
    icon = page.request.get(f"{site}/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] == "image/svg+xml"


def queue_rows(page: Page) -> list[str]:
    return page.locator("table.incidents tbody tr td:first-child").all_inner_texts()


def test_the_queue_pages_and_orders_ties_by_the_events_time(reader, site):
    page = reader("ru-officer")
    page.goto(f"{site}/queue")
    size = page.locator("#queue-size").inner_text()
    total = int(page.locator("#queue-size strong").inner_text().replace(",", ""))
    assert total > 100 and "shown: 1 to 100" in size
    # Imported together, the incidents share a deadline: the oldest event comes first.
    from datetime import datetime
    first = [datetime.strptime(t, "%d %b %Y") for t in queue_rows(page)]
    assert first == sorted(first)
    page.get_by_role("link", name="Later deadlines").click()
    expect(page.locator("#queue-size")).to_contain_text("shown: 101 to 200")
    second = [datetime.strptime(t, "%d %b %Y") for t in queue_rows(page)]
    assert second[0] >= first[-1]
    page.get_by_role("link", name="Nearer deadlines").click()
    expect(page.locator("#queue-size")).to_contain_text("shown: 1 to 100")


@pytest.mark.parametrize("user", ["un-monitor", "analyst", "secretariat"])
def test_a_party_that_casts_no_verdict_sees_the_guarantors_queues(reader, site, user):
    page = reader(user)
    page.goto(f"{site}/queue")
    expect(page.get_by_role("heading", level=1)).to_have_text("The guarantors' queues")
    rows = page.locator("table tbody tr th").all_inner_texts()
    assert set(rows) == {"Russian Federation", "Republic of Turkey",
                         "Islamic Republic of Iran"}
    assert "verdict" not in page.get_by_role("heading", level=1).inner_text()


def open_awaiting(page: Page, site: str) -> str:
    page.goto(f"{site}/queue")
    page.locator("table.incidents tbody a").first.click()
    return page.url.split("/incidents/")[1].split("#")[0].split("?")[0]


def test_the_verdict_form_keeps_what_the_officer_chose(reader, site, record):
    ru = reader("ru-officer")
    uid = open_awaiting(ru, site)  # RU has read the standing; TR, a co-guarantor, acts
    tr = reader("tr-officer")
    tr.goto(f"{site}/incidents/{uid}")
    form = tr.locator("form.verdict").first
    form.get_by_label("confirm: a violation").check()
    form.get_by_label("Attributed to (only with confirm)").select_option(
        label="Syrian government forces")
    form.get_by_role("button", name=re.compile("^Cast")).click()
    expect(tr.get_by_role("status")).to_contain_text("verdict is recorded")
    # After casting, the form shows the verdict as it stands, attribution included.
    form = tr.locator("form.verdict").first
    expect(form.get_by_label("Attributed to (only with confirm)")).to_have_value(
        "syrian-government")
    expect(form.get_by_label("confirm: a violation")).to_be_checked()

    # RU casts on the standing it read before TR's verdict: refused, and RU's choice and
    # comment are still in the form.
    form = ru.locator("form.verdict").first
    form.get_by_label("reject: no violation").check()
    form.get_by_label("Comment").fill("No shelling that day: our observers were there.")
    form.get_by_role("button", name=re.compile("^Cast")).click()
    expect(ru.get_by_role("alert")).to_contain_text("The standing changed since you read it")
    form = ru.locator("form.verdict").first
    expect(form.get_by_label("reject: no violation")).to_be_checked()
    expect(form.get_by_label("Comment")).to_have_value(
        "No shelling that day: our observers were there.")


def test_a_refusal_page_says_what_to_do(reader, site):
    page = reader("analyst")
    response = page.goto(f"{site}/incidents/00000000-0000-0000-0000-000000000000")
    assert response is not None and response.status == 404
    text = page.locator("main").inner_text()
    assert "Correct it and try again" not in text and "home page" in text
