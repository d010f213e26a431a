"""The agreements page in Chromium at 1366 and 390 px: everyone logged in reads the terms
and their history; the secretariat amends them, and an incident the amendment reached
says which version of the terms judged it; where the guarantors amend the terms, their
officers propose, consent and object here (screenshots in SCREENSHOTS)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from ceasefire.store.db import Database
from ceasefire.store.tables import AmendmentProposalRow, AmendmentRow, AssessmentRow
from tests.records import BY_GUARANTORS, UCDP_IMPORTED
from tests.web.conftest import DESK, PHONE, fits, readers, served_copy, shot

PASSWORD = "a long enough test password"


@pytest.fixture(scope="module")
def served(built_records, tmp_path_factory) -> Iterator[tuple[Database, str]]:
    with served_copy(built_records, UCDP_IMPORTED, tmp_path_factory.mktemp("terms"),
                     PASSWORD, ["secretariat", "un-monitor"]) as both:
        yield both


@pytest.fixture(scope="module")
def record(served) -> Database:
    return served[0]


@pytest.fixture(scope="module")
def site(served) -> str:
    return served[1]


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


def test_the_guarantors_amend_by_proposal_and_consent(browser: Browser, built_records,
                                                      tmp_path_factory):
    officers = ["ru-officer", "tr-officer", "ir-officer", "secretariat"]
    with (served_copy(built_records, BY_GUARANTORS, tmp_path_factory.mktemp("consent"),
                      PASSWORD, officers) as (db, url),
          readers(browser, url, PASSWORD) as open_as):
        ru = open_as("ru-officer", PHONE)
        ru.goto(f"{url}/agreements")
        expect(ru.get_by_role("button", name="Amend")).to_have_count(0)
        form = ru.locator("form", has=ru.get_by_role("button", name="Propose"))
        form.get_by_label("What changes").select_option("actor-status")
        form.get_by_label("From (a day").fill("2017-03-01")
        form.get_by_label("Actor whose status changes").select_option(label="Ahrar al-Sham")
        form.get_by_label("Its status from then").select_option("excluded")
        form.get_by_label("Why").fill("Named as excluded at the talks.")
        form.get_by_role("button", name="Propose").click()
        expect(ru.get_by_role("status")).to_contain_text("once every guarantor has consented")
        proposals = ru.get_by_role("table", name="Proposals")
        expect(proposals).to_contain_text("1: open")
        expect(proposals).to_contain_text(
            "Waiting for Republic of Turkey and Islamic Republic of Iran")
        expect(ru.get_by_role("button", name="Consent to proposal 1")).to_have_count(0)
        expect(ru.get_by_role("button", name="Object to proposal 1")).to_have_count(0)
        fits(ru)
        shot(ru, "agreements-proposed-390")

        secretariat = open_as("secretariat", DESK)
        secretariat.goto(f"{url}/agreements")
        expect(secretariat.get_by_role("button", name="Consent to proposal 1")
               ).to_have_count(0)  # the secretariat tables proposals, never consents

        tr = open_as("tr-officer", DESK)
        tr.goto(f"{url}/agreements")
        tr.get_by_role("button", name="Consent to proposal 1").click()
        expect(tr.get_by_role("status")).to_contain_text("Consent recorded")
        ir = open_as("ir-officer", DESK)
        ir.goto(f"{url}/agreements")
        expect(ir.get_by_role("table", name="Proposals")).to_contain_text(
            "Waiting for Islamic Republic of Iran")
        fits(ir)
        shot(ir, "agreements-proposals-1366")
        ir.get_by_role("button", name="Consent to proposal 1").click()
        expect(ir.get_by_role("status")).to_contain_text("the terms are now at version 7")
        expect(ir.get_by_role("table", name="Amendments")).to_contain_text(
            "actor-status: Ahrar al-Sham excluded")
        expect(ir.get_by_role("table", name="Proposals")).to_contain_text(
            "1: adopted (version 7)")
        with db.session() as session:
            assert session.scalar(select(AmendmentProposalRow.amendment_id)) is not None
