"""Publishing a bulletin in Chromium, as the secretariat would: preview, publish, read the
public page; by keyboard-usable labelled controls and with no CSP violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ceasefire.services.logins import set_password
from ceasefire.services.reports import submit_report
from ceasefire.services.scenarios import load_scenario
from tests.factories import PASSWORD
from tests.test_bulletin_publish import shelling
from tests.web.conftest import SCREENSHOTS


@pytest.fixture
def record(web_database, syria_scenario):
    load_scenario(web_database, syria_scenario)
    submit_report(web_database, shelling("Douma", "2017-01-20", 9), party="TR")
    set_password(web_database, username="secretariat", password=PASSWORD)
    return web_database


def test_publish_a_bulletin_and_read_it_in_the_browser(record, live_server, watched_page,
                                                      tmp_path):
    page = watched_page.page
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill("secretariat")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/bulletins")
    page.get_by_label("First day").fill("2017-01-20")
    page.get_by_role("button", name="Preview").click()
    draft = "Daily bulletin, 20 January 2017 (draft, not published)"
    expect(page.get_by_role("heading", name=draft)).to_be_visible()
    page.get_by_role("button", name="Publish").click()

    expect(page).to_have_url(f"{live_server}/public/bulletins/1")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bulletin no. 1: Daily bulletin, 20 January 2017")
    arabic = page.locator('bdi[lang="ar"]').first
    expect(arabic).to_have_text("ريف دمشق")
    assert arabic.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # app.css is applied: counts line up on the right.
    cell = page.locator("table.counts td").first
    assert cell.evaluate("e => getComputedStyle(e).textAlign") == "right"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "bulletin.png"), full_page=True)
    page.goto(f"{live_server}/public/bulletins")
    expect(page.get_by_role("link", name="No. 1: Daily bulletin, 20 January 2017")).to_be_visible()
    assert watched_page.csp_violations() == [] and watched_page.outside == []
