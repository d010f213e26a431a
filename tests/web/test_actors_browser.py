"""The secretariat keeps the actor registry from its page in Chromium, at 1366 and 390 px,
with no sideways scrolling; an observer reads it (screenshots in SCREENSHOTS)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from ceasefire.services import ledger_checks
from ceasefire.services.logins import set_password
from tests.api.seed import seeded_database
from tests.web.conftest import DESK, PHONE, fits, readers, serving, shot

PASSWORD = "a long enough test password"


@pytest.fixture(scope="module")
def record(request, tmp_path_factory) -> Iterator:
    with seeded_database("sqlite", request, tmp_path_factory.mktemp("registry")) as (db, _):
        for user in ("secretariat", "un-monitor"):
            set_password(db, username=user, password=PASSWORD)
        yield db


@pytest.fixture(scope="module")
def site(record) -> Iterator[str]:
    with serving(record) as url:
        yield url


@pytest.fixture
def reader(browser: Browser, site: str) -> Iterator:
    with readers(browser, site, PASSWORD) as open_as:
        yield open_as


@pytest.mark.parametrize(("screen", "width"), [(DESK, 1366), (PHONE, 390)])
def test_the_secretariat_adds_names_and_merges_on_its_page(reader, site, record, screen,
                                                          width):
    code = f"douma-army-{width}"
    page = reader("secretariat", screen)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Actors").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Armed actors")
    fits(page)
    shot(page, f"actors-{width}")

    add = page.locator("form#add")
    add.get_by_label("Code").fill(code)
    add.get_by_label("Name (the mechanism's, in English)").fill(f"Douma Army ({width})")
    add.get_by_label("Side").fill("opposition")
    add.get_by_label("Other names").fill(f"ar:جيش دوما {width}")
    add.get_by_role("button", name="Add the actor").click()
    notice = page.get_by_role("status")
    expect(notice).to_contain_text(f"Added Douma Army ({width}) ({code}): signed into the "
                                   "ledger as entry")
    fits(page)

    alias = page.locator("form#alias")
    alias.get_by_label("Actor").select_option(code)
    alias.get_by_label("Name, as reports write it").fill(f"Jaysh Douma {width}")
    alias.get_by_role("button", name="Add the name").click()
    expect(page.get_by_role("status")).to_contain_text(f"is also called “Jaysh Douma {width}”")

    merge = page.locator("form#merge")
    merge.get_by_label("Actor to merge").select_option(code)
    merge.get_by_label("Actor that stays").select_option("jaysh-al-islam")
    merge.get_by_label("Reason").fill("The Douma Army is Jaysh al-Islam in Douma.")
    merge.get_by_role("button", name="Merge").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Douma Army ({width}) was merged into Jaysh al-Islam, with the reason")
    expect(page.locator(f"#actor-{code}")).to_contain_text("(merged into Jaysh al-Islam)")
    fits(page)
    shot(page, f"actors-merged-{width}")

    # A refusal names the field and keeps what was typed.
    alias = page.locator("form#alias")
    alias.get_by_label("Actor").select_option("fsa")
    alias.get_by_label("Name, as reports write it").fill("Daesh")
    alias.get_by_role("button", name="Add the name").click()
    expect(page.get_by_role("alert")).to_contain_text("'Daesh' already leads to actor isil")
    expect(page.locator("form#alias").get_by_label("Name, as reports write it")).to_have_value(
        "Daesh")
    fits(page)
    assert ledger_checks.verify(record).ok


def test_an_observer_reads_the_registry_on_a_phone(reader, site):
    page = reader("un-monitor", PHONE)
    page.goto(f"{site}/actors")
    expect(page.locator("#actor-isil")).to_contain_text("Daesh")
    expect(page.locator("form.edit")).to_have_count(0)
    fits(page)
    shot(page, "actors-observer-390")
