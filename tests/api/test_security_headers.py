"""Every response carries the security headers: API, errors, docs, static files, pages."""

import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.http.headers import SECURITY_HEADERS
from ceasefire.web.cookies import SESSION_COOKIE
from tests.api.conftest import bearer

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
    ("/dashboard", 303),  # a redirect to /login
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


# -- Cache-Control: no-store on every answer that may hold what only its caller may see --

@pytest.mark.parametrize("path", ["/api/v1/parties", "/api/v1/me", "/api/v1/nothing-here",
                                  "/api/v1/ledger/checkpoint"])
def test_every_api_answer_is_no_store(app, path):
    with TestClient(app) as client:
        assert client.get(path).headers.get("cache-control") == "no-store"


@pytest.mark.parametrize("path", ["/health", "/openapi.json", "/docs", "/static/app.css",
                                  "/public/bulletins"])
@pytest.mark.parametrize("credential", ["bearer", "session cookie"])
def test_every_answer_to_a_request_with_credentials_is_no_store(app, path, credential):
    with TestClient(app, base_url="https://testserver") as client:
        if credential == "bearer":
            response = client.get(path, headers={"Authorization": "Bearer cfm_anything"})
        else:
            client.cookies.set(SESSION_COOKIE, "cfs_anything")
            response = client.get(path)
    assert response.headers.get("cache-control") == "no-store"


@pytest.mark.parametrize("path", ["/openapi.json", "/static/app.css"])
def test_an_anonymous_request_for_a_public_file_may_be_cached(app, path):
    with TestClient(app) as client:
        assert "cache-control" not in client.get(path).headers


def test_an_authenticated_api_answer_is_no_store(client, tokens):
    response = client.get("/api/v1/reports", headers=bearer(tokens["analyst"]))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
