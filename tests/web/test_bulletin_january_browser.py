"""January 2017's report to the talks as a reader sees it, in Chromium at 1366 and 390 px
(the site's page and the standalone file) and its PDF's pages through pdftoppm: saved to
SCREENSHOTS for a person to look at; nothing scrolls sideways on a phone."""

from __future__ import annotations

import subprocess

import pytest

from ceasefire.outputs.bulletin_pages import Publication, as_html
from ceasefire.services import bulletins
from tests.test_bulletin import JANUARY
from tests.test_bulletin_january import record  # noqa: F401 - a fixture
from tests.web.conftest import SCREENSHOTS, fits, serving

WIDTHS = {1366: 900, 390: 844}
# Elements reaching past the window's right edge, named, so a failure says which.
WIDEST = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
  .slice(0, 5)"""


def test_the_january_bulletin_reads_on_a_desktop_a_phone_and_paper(record, backend,  # noqa: F811
                                                                   browser):
    if backend != "sqlite":
        pytest.skip("what a reader sees does not depend on the backend")
    done = bulletins.publish(record, JANUARY, username="secretariat")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    standalone = as_html(done.document, Publication(done.id, done.published_at))
    with serving(record) as url:
        for width, height in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            console: list[str] = []
            page.on("console", lambda m: console.append(m.text))  # noqa: B023
            page.goto(f"{url}/public/bulletins/{done.id}")
            heading = page.get_by_role("heading", level=1)
            assert heading.inner_text() == \
                f"Bulletin no. {done.id}: Report to the talks, 1 January 2017 to 31 January 2017"
            assert page.locator("svg.map path").count() == 14  # the governorates
            assert page.locator("svg.days rect").count() > 31
            page.screenshot(path=str(SCREENSHOTS / f"bulletin-january-{width}.png"),
                            full_page=True)
            assert page.evaluate(WIDEST) == [], width
            fits(page)
            assert not [m for m in console if "Content Security Policy" in m]
            page = context.new_page()  # about:blank: the site's CSP would refuse its <style>
            page.set_content(standalone)
            page.screenshot(path=str(SCREENSHOTS / f"bulletin-january-file-{width}.png"),
                            full_page=True)
            assert page.evaluate(WIDEST) == [], width
            fits(page)
            context.close()
        pdf = SCREENSHOTS / "bulletin-january.pdf"
        context = browser.new_context()
        answer = context.request.get(f"{url}/public/bulletins/{done.id}.pdf")
        assert answer.ok and answer.headers["content-type"] == "application/pdf"
        pdf.write_bytes(answer.body())
        context.close()
    for old in SCREENSHOTS.glob("bulletin-january-pdf-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf),
                    str(SCREENSHOTS / "bulletin-january-pdf")], check=True)
    assert len(list(SCREENSHOTS.glob("bulletin-january-pdf-*.png"))) >= 3
