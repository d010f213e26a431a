"""The map as an officer reads it, in Chromium on the demo record (the UCDP extract):
the seats and larger towns named without covering one another, the agreement's zones
outlined and named in the legend, each circle a link to the incidents it counts, and a
legend as legible on a phone as on a desk (issue 17). Screenshots go to build/screenshots
(map-1366.png, map-390.png)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from ceasefire.geo.admin import syria
from ceasefire.outputs import maps
from ceasefire.outputs.mapshapes import view_for
from ceasefire.store.db import Database
from tests.records import UCDP_IMPORTED
from tests.records import syria as syria_scenario
from tests.web.conftest import DESK, PHONE, fits, readers, served_copy, shot

PASSWORD = "a long enough test password"
OFFICER = "tr-officer"
PAGE_SIZE = 50  # rows of the incident list on one page (web/incidents.py)
CODES = re.compile(r"not-covered|syria-2016|eastern-ghouta|northern-homs|\bSY\d{2,6}\b")
SVG = {"svg": "http://www.w3.org/2000/svg"}


@pytest.fixture(scope="module")
def served(built_records, tmp_path_factory) -> Iterator[tuple[Database, str]]:
    with served_copy(built_records, UCDP_IMPORTED, tmp_path_factory.mktemp("map"), PASSWORD,
                     [OFFICER]) as both:
        yield both


@pytest.fixture(scope="module")
def record(served) -> Database:
    return served[0]


@pytest.fixture(scope="module")
def site(served) -> str:
    return served[1]


@pytest.fixture
def officer(browser: Browser, site: str) -> Iterator[object]:
    with readers(browser, site, PASSWORD) as open_as:
        yield lambda viewport=DESK: open_as(OFFICER, viewport)


def boxes(page: Page, selector: str) -> list[dict[str, float]]:
    """The boxes on the screen of the elements shown (display not none)."""
    return page.locator(selector).evaluate_all(
        "els => els.filter(e => e.getClientRects().length).map(e => {"
        " const r = e.getBoundingClientRect();"
        " return {text: e.textContent, x: r.x, y: r.y, w: r.width, h: r.height}; })")


def overlapping(found: list[dict[str, float]], slack: float = 1.0) -> list[tuple[str, str]]:
    return [(a["text"], b["text"]) for i, a in enumerate(found) for b in found[i + 1:]
            if a["x"] + slack < b["x"] + b["w"] and b["x"] + slack < a["x"] + a["w"]
            and a["y"] + slack < b["y"] + b["h"] and b["y"] + slack < a["y"] + a["h"]]


def zone_names() -> list[str]:
    """The zones of the agreement as amended: the four of Astana, and Idlib's under the
    Sochi memorandum."""
    [agreement] = syria_scenario().agreements
    for amendment in syria_scenario().amendments:
        agreement = amendment.apply(agreement)
    return [z.name for z in agreement.zones]


def test_the_map_names_the_seats_and_towns_and_outlines_the_zones(officer, site):
    page = officer(DESK)
    page.goto(f"{site}/map")
    names = page.locator("svg.map g.names.wide g.ink text")
    for town in ("Damascus", "Aleppo", "Idlib", "Homs", "Raqqa", "Deir ez-Zor"):
        expect(names.filter(has_text=re.compile(rf"^{town}$"))).to_be_visible()
    placed = boxes(page, "svg.map g.names.wide g.ink text")
    assert len(placed) >= 20
    assert overlapping(placed) == []  # no name covers another
    # The phone's set is there, but not shown on a desk.
    expect(page.locator("svg.map g.names.narrow").first).to_be_hidden()

    # The four de-escalation zones: each outlined twice (a white casing, a dashed line),
    # numbered on the map and named in the legend, in words.
    zones = zone_names()
    assert len(zones) == 5
    expect(page.locator("svg.map g.zones path")).to_have_count(2 * len(zones))
    dashed = page.locator("svg.map g.zones path[stroke-dasharray]")
    expect(dashed).to_have_count(len(zones))
    legend = page.locator(".map-legend")
    for number, name in enumerate(zones, start=1):
        expect(legend.locator("ul.zones li").nth(number - 1)).to_contain_text(name)
        expect(legend.locator("ul.zones li").nth(number - 1)).to_contain_text(str(number))
    for words in ("Incidents per area", "pending", "not covered", "governorate seat"):
        expect(legend).to_contain_text(words)
    text = page.locator("main").inner_text()
    found = CODES.search(text)
    assert not found, text[max(0, found.start() - 200):found.end() + 50]
    shot(page, "map-1366")


def test_the_map_and_its_legend_read_on_a_phone(officer, site):
    page = officer(PHONE)
    page.goto(f"{site}/map")
    expect(page.locator("svg.map")).to_be_visible()
    fits(page)
    # Fewer, larger names: the governorates' seats at least, none over another, and
    # written at least 10 px high on the screen.
    names = page.locator("svg.map g.names.narrow g.ink text")
    for town in ("Damascus", "Aleppo", "Idlib"):
        expect(names.filter(has_text=re.compile(rf"^{town}$"))).to_be_visible()
    expect(page.locator("svg.map g.names.wide").first).to_be_hidden()
    placed = boxes(page, "svg.map g.names.narrow g.ink text")
    assert overlapping(placed) == []
    assert min(b["h"] for b in placed) >= 10, placed
    # The legend is text on the page, at the page's size, inside the screen.
    legend = page.locator(".map-legend")
    expect(legend).to_be_visible()
    size = legend.locator("li").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 14
    right = legend.evaluate("e => e.getBoundingClientRect().right")
    assert right <= page.evaluate("window.innerWidth")
    for name in zone_names():
        expect(legend).to_contain_text(name)
    shot(page, "map-390")


def _counts(title: str) -> tuple[int, int, int]:
    """How many incidents a circle counts, how many of them lie in the area its link
    lists (all of them, unless the circle straddles governorates), and how many incidents
    that list shows."""
    n = int(re.match(r"([\d,]+) incidents?", title)[1].replace(",", ""))
    if "Opens their list" in title:
        return n, n, n
    found = re.search(r"Opens the list of .+: ([\d,]+) incidents?, (these|([\d,]+) of these) "
                      r"among them\.$", title)
    assert found, title
    held = n if found[2] == "these" else int(found[3].replace(",", ""))
    return n, held, int(found[1].replace(",", ""))


def _rows(page: Page) -> int:
    return page.locator("table.incidents tbody tr").count()


def test_a_circle_leads_to_the_incidents_it_counts(officer, site):
    page = officer(DESK)
    page.goto(f"{site}/map")
    links = page.locator("svg.map g.clusters a")
    found = links.evaluate_all(
        "els => els.map(a => [a.getAttribute('href'), a.querySelector('title').textContent])")
    assert len(found) > 50 and all(href.startswith("/incidents?") for href, _ in found)
    areas = syria()
    for href, title in found:
        query = parse_qs(urlsplit(href).query)
        assert query["adm"][0] in areas  # narrowed to an area
        assert " pending" in title or " not covered" in title
        assert "not-covered" not in title
    exact = [i for i, (_, title) in enumerate(found)
             if "Opens their list" in title and 1 < _counts(title)[0] <= PAGE_SIZE]
    wider = [i for i, (_, title) in enumerate(found)
             if "Opens the list of" in title and _counts(title)[2] <= PAGE_SIZE]
    assert exact and wider
    # Most circles lie in one governorate; those that straddle two list the one that
    # holds most of their incidents.
    straddling = [title for _, title in found if _counts(title)[1] < _counts(title)[0]]
    assert len(straddling) < len(found) / 4

    # A circle whose area holds just its incidents: clicked, the list shows as many.
    n, _, _ = _counts(found[exact[0]][1])
    links.nth(exact[0]).locator("circle").click()
    expect(page).to_have_url(re.compile(r"/incidents\?.*adm=SY\d+"))
    expect(page.locator("table.incidents tbody tr")).to_have_count(n)
    shot(page, "map-circle-list")

    # A circle in a larger area, opened by keyboard: the list shows the area's incidents,
    # as many as the circle's title says.
    page.goto(f"{site}/map")
    n, held, listed = _counts(found[wider[0]][1])
    link = page.locator("svg.map g.clusters a").nth(wider[0])
    link.focus()
    assert page.evaluate("document.activeElement.closest('g.clusters') !== null")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/incidents\?.*adm=SY\d+"))
    expect(page.locator("table.incidents tbody tr")).to_have_count(listed)
    assert listed >= held and held <= n


def test_a_governorate_names_its_towns_and_keeps_the_selection_in_its_links(officer, site):
    page = officer(DESK)
    page.goto(f"{site}/map?adm=SY02&from=2017-01-01&to=2017-03-31")
    # Before 6 May 2017 no de-escalation zone held: none is drawn.
    expect(page.locator("svg.map g.zones path")).to_have_count(0)
    page.goto(f"{site}/map?adm=SY02&from=2017-05-01&to=2017-06-30")
    names = page.locator("svg.map g.names.wide g.ink text")
    for town in ("Aleppo", "Al-Bab", "Manbij", "Azaz"):
        expect(names.filter(has_text=re.compile(rf"^{town}$"))).to_be_visible()
    assert overlapping(boxes(page, "svg.map g.names.wide g.ink text")) == []
    # Only the Idlib zone reaches into Aleppo governorate (Sochi's came in 2018).
    expect(page.locator("svg.map g.zones path[stroke-dasharray]")).to_have_count(1)
    expect(page.locator(".map-legend ul.zones li")).to_have_count(1)
    expect(page.locator(".map-legend ul.zones li")).to_contain_text(
        "from 5 May 2017, 21:00 UTC to 16 September 2018, 21:00 UTC")
    href = page.locator("svg.map g.clusters a").first.get_attribute("href")
    query = parse_qs(urlsplit(href).query)
    assert query["from"] == ["2017-05-01"] and query["to"] == ["2017-06-30"]
    assert query["adm"][0].startswith("SY02")
    shot(page, "map-aleppo-1366")


def test_the_file_of_the_map_has_its_legend_and_names(officer, site):
    page = officer(DESK)
    response = page.request.get(f"{site}/map.svg")
    assert response.status == 200
    root = ET.fromstring(response.text())
    legend = " ".join(t.text or "" for t in root.findall(".//svg:g[@class='legend']//svg:text",
                                                         SVG))
    assert "Dashed outlines" in legend and all(name in legend for name in zone_names())
    names = [t.text for t in root.findall(".//svg:g[@class='names wide']//svg:text", SVG)]
    assert {"Damascus", "Aleppo", "Idlib"} <= set(names)


def test_a_map_without_zones_draws_none():
    view = view_for(None)
    drawing = maps.svg(view, {}, [maps.Cluster(36.3, 33.5, {"pending": 3}, area="SY0100")],
                       title="A map", standalone=True, cluster_link=lambda a: f"/i?adm={a}")
    root = ET.fromstring(drawing)
    assert root.find(".//svg:g[@class='zones']", SVG) is None
    assert "Dashed outlines" not in drawing
    # Halos are white copies under the names, not paint-order, which the PDF's renderer
    # (WeasyPrint) ignores, painting the names white.
    assert "paint-order" not in drawing
    [link] = root.findall(".//svg:g[@class='clusters']/svg:a", SVG)
    assert link.get("href") == "/i?adm=SY0100"
