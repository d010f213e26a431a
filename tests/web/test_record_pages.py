"""The record's pages in Chromium, on the demo record (the UCDP extract) and the shipped
scenario: a guarantor officer submits a report by place name, finds it in the list,
casts TR's verdict; RU's officer, from the queue, casts a different one and both see the
incident disputed. Screenshots go to build/screenshots (or $CEASEFIRE_SCREENSCREENSHOTS).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ceasefire.intake.scenario import locate, parse
from ceasefire.services.imports import import_file
from ceasefire.services.logins import set_password
from ceasefire.services.scenarios import load_scenario
from ceasefire.store.db import Database
from tests.conftest import SERVER_PASSPHRASE
from tests.web.conftest import SCREENSHOTS, serving

DEMO = Path(__file__).parents[2] / "src/ceasefire/scenarios/data/ged_syria_2016-12_2017-06.csv"
PASSWORD = "a long enough test password"


@pytest.fixture(scope="module")
def record(tmp_path_factory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("record") / "record.db"
    db = Database(f"sqlite:///{path}", server_passphrase=SERVER_PASSPHRASE)
    db.upgrade()
    source, body = locate("syria-2016")
    load_scenario(db, parse(body, source=source))
    import_file(db, DEMO, format="ucdp", party="SEC")
    for user in ("tr-officer", "ru-officer", "secretariat", "analyst"):
        set_password(db, username=user, password=PASSWORD)
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def site(record) -> Iterator[str]:
    with serving(record) as url:
        yield url


class Visit:
    """A browser context that may only talk to our server, and what it saw."""

    def __init__(self, browser: Browser, site: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.site, self.outside, self.csp = site, [], []
        self.page.route("**/*", lambda route: route.continue_()
                        if route.request.url.startswith(site)
                        else (self.outside.append(route.request.url), route.abort()))
        self.page.on("console", lambda m: self.csp.append(m.text)
                     if "Content Security Policy" in m.text else None)

    def log_in(self, username: str) -> Page:
        page = self.page
        page.goto(f"{self.site}/login")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Logged in as {username}")
        return page

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def clean(self) -> None:
        assert self.outside == [] and self.csp == []


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


@pytest.fixture
def visit(browser, site) -> Iterator[Visit]:
    opened: list[Visit] = []

    def new() -> Visit:
        opened.append(Visit(browser, site))
        return opened[-1]

    yield new
    for v in opened:
        v.clean()
        v.context.close()


def test_a_report_by_place_name_is_verified_and_disputed(visit, site):
    tr = visit()
    page = tr.log_in("tr-officer")
    nav(page, "Submit a report")
    page.get_by_label("Date").fill("2017-07-02")
    page.get_by_label("Place").fill("Kafr Batna")
    page.get_by_role("button", name="Find place").click()
    # The town first; its sub-district too; the Arabic name beside the English one.
    choices = page.get_by_role("radio")
    expect(choices.first).to_be_checked()
    expect(page.locator("fieldset.candidates label").first).to_contain_text("Kafr Batna (town)")
    expect(page.locator("fieldset.candidates bdi[dir=rtl]").first).to_have_text("كفر بطنا")
    page.get_by_label("Violation").select_option("shelling")
    page.get_by_label("Alleged perpetrator").select_option("syrian-government")
    page.get_by_label("Killed (best estimate)").fill("3")
    page.get_by_label("What happened").fill("Shelling of the town centre at dawn.")
    page.get_by_role("button", name="Submit the report").click()

    # The form confirms, naming the incident the report founded; its page: pending,
    # awaiting all three guarantors.
    expect(page.get_by_role("status")).to_contain_text("first report of a new incident")
    page.get_by_role("status").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/incidents/[0-9a-f-]{36}"))
    uid = page.url.split("/incidents/")[1].split("?")[0].split("#")[0]
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Shelling, artillery or missile attack in Kafr Batna")
    standing = page.locator("section.standing")
    expect(standing.locator(".status")).to_have_text("pending")
    expect(standing).to_contain_text("Not yet answered by Russian Federation, "
                                     "Republic of Turkey and Islamic Republic of Iran.")

    # In the list, filtered to its day and governorate.
    page.goto(f"{site}/incidents?from=2017-07-02&to=2017-07-02&adm=SY03")
    row = page.locator("table.incidents tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Kafr Batna")
    expect(row).to_contain_text("Republic of Turkey")
    expect(row.locator(".status")).to_have_text("pending")

    # On the map of its day: Rural Damascus holds it, drawn as one pending circle.
    page.goto(f"{site}/map?from=2017-07-02&to=2017-07-02")
    drawing = page.locator("svg.map")
    expect(drawing.locator("g.clusters circle")).to_have_count(1)
    title = drawing.locator("g.clusters a title")  # a circle is a link to its incidents
    expect(title).to_contain_text("1 incident")
    expect(title).to_contain_text("1 pending")
    expect(page.get_by_role("row", name=re.compile("^Rural Damascus"))).to_contain_text("1")
    tr.shot("map-new-report")

    # TR confirms: still pending under a unanimous rule, with TR's answer in the table.
    page.goto(f"{site}/incidents/{uid}")
    page.get_by_role("radio", name="confirm: a violation").check()
    page.get_by_label("Attributed to (only with confirm)").select_option("syrian-government")
    page.get_by_label("Comment").fill("Our observers saw the shelling.")
    page.get_by_role("button", name="Cast Republic of Turkey's verdict").click()
    verdicts = page.locator("table.verdicts")
    expect(verdicts.get_by_role("row", name=re.compile(
        "^Republic of Turkey confirm: a violation Syrian government forces "
        "Our observers saw the shelling. "))).to_have_count(1)
    expect(page.locator("section.standing")).to_contain_text(
        "Not yet answered by Russian Federation and Islamic Republic of Iran.")

    # RU's officer finds it in RU's queue and rejects it: disputed, both sides shown.
    ru = visit()
    other = ru.log_in("ru-officer")
    nav(other, "Verdict queue")
    waiting = queue_size(other)
    other.goto(f"{site}/incidents/{uid}")
    other.get_by_role("radio", name="reject: no violation").check()
    other.get_by_label("Comment").fill("No shelling that day.")
    other.get_by_role("button", name="Cast Russian Federation's verdict").click()
    expect(other.locator("section.standing .status")).to_have_text("disputed")
    expect(other.locator("p.sides")).to_have_text(
        "Disputed. Russian Federation rejects; Republic of Turkey confirms.")
    expect(other.locator("table.proofs")).to_contain_text("verdict of Russian Federation")
    expect(other.locator("table.proofs .ok")).to_have_count(
        other.locator("table.proofs tbody tr").count())
    ru.shot("incident-disputed")

    # RU's queue holds one incident fewer; TR sees the change too.
    nav(other, "Verdict queue")
    assert queue_size(other) == waiting - 1
    page.reload()
    expect(page.locator("section.standing .status")).to_have_text("disputed")

    # The secretariat publishes the day's bulletin; the public reads it without a login.
    sec = visit()
    desk = sec.log_in("secretariat")
    nav(desk, "Bulletins")
    desk.get_by_label("First day").fill("2017-07-02")
    desk.get_by_role("button", name="Preview").click()
    desk.get_by_role("button", name="Publish").click()
    expect(desk).to_have_url(re.compile(r"/public/bulletins/\d+$"))
    published = desk.url
    public = visit()
    reader = public.page
    reader.goto(f"{site}/public/bulletins")
    expect(reader.locator("main")).to_contain_text("Daily bulletin, 2 July 2017")
    reader.get_by_role("link", name="Daily bulletin, 2 July 2017").click()
    expect(reader).to_have_url(published)
    expect(reader.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Bulletin no. \d+: Daily bulletin, 2 July 2017$"))
    expect(reader.locator("main")).to_contain_text("The mechanism recorded 1 incident")
    expect(reader.get_by_role("navigation", name="Main")).to_contain_text("Log in")
    public.shot("bulletin-public")


def queue_size(page: Page) -> int:
    return int(page.locator("#queue-size strong").inner_text().replace(",", ""))


def test_the_dashboard_counts_the_period_chosen(visit, site):
    v = visit()
    page = v.log_in("analyst")
    nav(page, "Dashboard")
    page.get_by_label("From").fill("2017-01-01")
    page.get_by_label("To (inclusive)").fill("2017-01-31")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"from=2017-01-01&to=2017-01-31"))
    total = int(page.locator("#totals").inner_text().split()[0])
    by_status = sum(int(n) for n in page.locator(".totals .n").all_inner_texts())
    assert total == by_status > 0
    # The governorate table's rows add up to the total, and Arabic names are marked RTL.
    table = page.locator("section[aria-labelledby=governorates] table tbody tr")
    assert sum(int(r.locator("td").first.inner_text()) for r in table.all()) == total
    expect(table.first.locator("bdi[dir=rtl]")).to_have_count(1)
    # A governorate's row leads to its incidents; keyboard users reach it by Tab.
    first = table.first.get_by_role("link")
    first.focus()
    expect(first).to_be_focused()
    v.shot("dashboard")
    first.press("Enter")
    expect(page).to_have_url(re.compile(r"/incidents\?.*adm=SY\d\d"))


def test_the_public_sees_confirmed_incidents_only(visit, site, record):
    v = visit()
    page = v.page
    page.goto(f"{site}/public/incidents")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmed incidents")
    # Nothing in the demo record is confirmed: the list is empty, and a pending
    # incident's public page is "not found", not shown.
    expect(page.locator("table.incidents")).to_have_count(0)
    with record.session() as session:
        from sqlalchemy import text
        uid = session.execute(text("SELECT incident_uid FROM assessments "
                                   "WHERE status = 'pending' LIMIT 1")).scalar_one()
    response = page.goto(f"{site}/public/incidents/{uid}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("no confirmed incident")
