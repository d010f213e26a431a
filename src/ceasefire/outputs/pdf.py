"""A bulletin as PDF: the standalone HTML (outputs/bulletin_pages.py) laid out by
WeasyPrint on A4, with its footer (number, the document's SHA-256, the ledger checkpoint)
and "Page N of M" on every page.

One layout for screen, file and paper, and Pango shapes the Arabic names right to left.
Nothing is fetched while rendering: the page has its style sheet inside and the fonts are
the system's (fontconfig), so any URL the renderer asks for is refused.
"""

from __future__ import annotations

from typing import Any

from ceasefire.errors import ConfigError
from ceasefire.outputs.bulletin_pages import Publication, as_html


def _offline_fetcher() -> Any:
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class Offline(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            # A bulletin needs nothing from outside; a URL in it is a fault, not a fetch.
            raise FatalURLFetchingError(f"a bulletin is rendered offline; not fetching {url}")

    return Offline()


def as_pdf(document: dict[str, Any], publication: Publication | None = None,
           site: str = "") -> bytes:
    try:
        from weasyprint import HTML
    except OSError as exc:  # Pango missing: WeasyPrint loads it when imported
        raise ConfigError(f"PDF needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0; "
                          f"see scripts/system-deps.sh): {exc}", field="format") from None
    html = HTML(string=as_html(document, publication, site), base_url="about:blank",
                url_fetcher=_offline_fetcher())
    return html.write_pdf()
