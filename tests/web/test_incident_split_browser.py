"""An analyst splits an incident through its page in Chromium and reads the confirmation,
at 1366 and 390 px (screenshots in SCREENSHOTS), with no sideways scrolling."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from ceasefire.services.logins import set_password
from tests.api.seed import seeded_database
from tests.web.conftest import SCREENSHOTS, fits, serving
from tests.web.test_incident_edits import incident_of, new_incident

PASSWORD = "a long enough test password"


@pytest.fixture(scope="module")
def record(request, tmp_path_factory) -> Iterator:
    with seeded_database("sqlite", request, tmp_path_factory.mktemp("split")) as (db, _):
        set_password(db, username="analyst", password=PASSWORD)
        yield db


@pytest.fixture(scope="module")
def site(record) -> Iterator[str]:
    with serving(record) as url:
        yield url


@pytest.mark.parametrize("width", [1366, 390])
def test_an_analyst_splits_an_incident_from_its_page(browser: Browser, site, record, width):
    uid, reports = new_incident(record, copies=3)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    outside: list[str] = []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(site)
               else (outside.append(route.request.url), route.abort()))
    page.goto(f"{site}/login")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{site}/incidents/{uid}")
    fits(page)

    split = page.locator("form#split")
    split.get_by_role("checkbox", name=re.compile(reports[2][:8])).check()
    split.get_by_label("Reason").fill("The third account is of a strike the next day.")
    split.get_by_role("button", name="Split the chosen reports off").click()

    notice = page.get_by_role("status")
    expect(notice).to_contain_text("Split: 1 report moved to the new incident")
    expect(notice).to_contain_text("with the reason “The third account is of a strike "
                                   "the next day.”")
    moved_to = incident_of(record, reports)[reports[2]]
    expect(notice.get_by_role("link", name=moved_to)).to_be_visible()
    assert incident_of(record, reports[:2]) == {r: uid for r in reports[:2]}
    fits(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"incident-split-{width}.png"), full_page=True)
    assert outside == []
    context.close()
