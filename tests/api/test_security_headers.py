"""Every response carries the security headers: API, errors, docs, static files, pages."""

import pytest
from fastapi.testclient import TestClient

from ceasefire.api.app import create_app
from ceasefire.api.headers import SECURITY_HEADERS
from ceasefire.config import Settings

EXPECTED = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


@pytest.fixture
def app(tmp_path):
    return create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))


def test_the_policy_allows_no_inline_script_or_style():
    assert dict(SECURITY_HEADERS) == EXPECTED
    assert "unsafe" not in EXPECTED["content-security-policy"]


@pytest.mark.parametrize("path, status", [
    ("/health", 503),  # an API answer (the empty database is not migrated)
    ("/api/v1/me", 401),  # an API error
    ("/api/v1/nothing-here", 404),
    ("/openapi.json", 200),
    ("/docs", 200),
    ("/docs/swagger-init.js", 200),
    ("/static-offline-docs/swagger-ui-bundle.js", 200),
    ("/login", 200),  # a web page
    ("/static/app.css", 200),
    ("/", 303),  # a redirect to /login
])
def test_every_kind_of_response_carries_the_headers(app, path, status):
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get(path, follow_redirects=False)
    assert response.status_code == status
    assert {name: response.headers.get(name) for name in EXPECTED} == EXPECTED


def test_scripts_and_styles_are_served_with_their_types(app):
    with TestClient(app) as client:
        assert client.get("/docs/swagger-init.js").headers["content-type"].startswith(
            "text/javascript")
        assert client.get("/static/app.css").headers["content-type"].startswith("text/css")


def test_the_docs_page_has_no_inline_script(app):
    with TestClient(app) as client:
        page = client.get("/docs").text
    assert page.count("<script") == page.count("<script src=") == 2
    assert "style=" not in page and "<style" not in page
