"""The agreements page in Chromium at 1366 and 390 px: everyone logged in reads the terms
and their history; the secretariat amends them, and an incident the amendment reached
says which version of the terms judged it (screenshots in SCREENSHOTS)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from ceasefire.services.logins import set_password
from ceasefire.store.tables import AmendmentRow, AssessmentRow
from tests.records import UCDP_IMPORTED
from tests.web.conftest import DESK, PHONE, fits, readers, serving, shot

PASSWORD = "a long enough test password"


@pytest.fixture(scope="module")
def record(built_records, tmp_path_factory) -> Iterator:
    db = built_records.sqlite_copy(UCDP_IMPORTED, tmp_path_factory.mktemp("terms") / "t.db")
    for username in ("secretariat", "un-monitor"):
        set_password(db, username=username, password=PASSWORD)
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def site(record) -> Iterator[str]:
    with serving(record) as url:
        yield url


def _amendments(db) -> int:
    with db.session() as session:
        return len(session.scalars(select(AmendmentRow.id)).all())


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_an_observer_reads_the_terms_and_their_history(browser: Browser, site, viewport):
    with readers(browser, site, PASSWORD) as open_as:
        page = open_as("un-monitor", viewport)
        page.get_by_role("link", name="Agreements").click()
        history = page.get_by_role("table", name="Amendments")
        expect(history.get_by_role("row")).to_have_count(7)  # a head and six amendments
        expect(history).to_contain_text("zone-ended: south")
        zones = page.get_by_role("table", name="Zones")
        expect(zones.get_by_role("row", name="Southern Syria")).to_contain_text(
            "2018-07-30 21:00")
        expect(page.get_by_text("Hurras ad-Din: excluded from 2018-02-26 22:00 UTC")
               ).to_be_visible()
        expect(page.get_by_role("button", name="Amend")).to_have_count(0)
        fits(page)
        shot(page, f"agreements-observer-{viewport['width']}")


def test_the_secretariat_amends_and_the_incident_says_which_terms_judged_it(
        browser: Browser, site, record):
    with readers(browser, site, PASSWORD) as open_as:
        page = open_as("secretariat", PHONE)
        page.goto(f"{site}/agreements")
        form = page.locator("form", has=page.get_by_role("button", name="Amend"))
        form.get_by_label("What changes").select_option("actor-status")
        form.get_by_label("From (a day").fill("yesterday")
        form.get_by_label("Actor whose status changes").select_option(label="Ahrar al-Sham")
        form.get_by_label("Its status from then").select_option("excluded")
        form.get_by_label("Why").fill("Named as excluded by the guarantors.")
        form.get_by_role("button", name="Amend").click()
        expect(page.get_by_role("alert")).to_contain_text("effective: 'yesterday' is not a day")
        expect(page.get_by_role("alert")).to_contain_text("Nothing was changed")
        assert _amendments(record) == 6
        fits(page)
        shot(page, "agreements-refused-390")

        form = page.locator("form", has=page.get_by_role("button", name="Amend"))
        expect(form.get_by_label("Why")).to_have_value("Named as excluded by the guarantors.")
        form.get_by_label("From (a day").fill("2017-03-01")
        form.get_by_role("button", name="Amend").click()
        expect(page.get_by_role("status")).to_contain_text(
            "the terms are now at version 7")
        expect(page.get_by_role("table", name="Amendments")).to_contain_text(
            "actor-status: Ahrar al-Sham excluded")
        fits(page)
        shot(page, "agreements-amended-390")

        with record.session() as session:
            uid = session.scalar(select(AssessmentRow.incident_uid)
                                 .where(AssessmentRow.terms_version == 7)
                                 .order_by(AssessmentRow.incident_uid))
        page.goto(f"{site}/incidents/{uid}")
        expect(page.get_by_text("Judged by the terms as amended 7 times (version 7)")
               ).to_be_visible()
        fits(page)


def test_an_observer_cannot_amend_even_by_posting_the_form(browser: Browser, site, record):
    with readers(browser, site, PASSWORD) as open_as:
        page = open_as("un-monitor", DESK)
        page.goto(f"{site}/agreements")
        token = page.locator("input[name=csrf_token]").first.get_attribute("value")
        answer = page.request.post(f"{site}/agreements/syria-2016/amendments", form={
            "csrf_token": token, "change": "agreement-ended", "effective": "2019-01-01",
            "reason": "an observer's wish"})
        assert answer.status == 403
        assert _amendments(record) in (6, 7)  # as the other test left it, never more
        with record.session() as session:
            assert not session.scalars(select(AmendmentRow.id).where(
                AmendmentRow.change == "agreement-ended")).all()
