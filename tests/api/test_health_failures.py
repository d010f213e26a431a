from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.config import Settings
from tests.api.test_security_headers import EXPECTED


def test_health_is_503_when_the_schema_is_missing(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    with TestClient(create_app(settings)) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["database"] == "schema out of date"


def test_health_is_503_when_the_database_is_unreachable():
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/x")
    with TestClient(create_app(settings)) as client:
        response = client.get("/health")
    assert response.status_code == 503 and response.json()["database"] == "unreachable"


def test_an_unexpected_failure_still_answers_in_the_error_shape(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))

    def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal_error",
                                         "message": "the server failed to handle the request"}}
    # Sent outside the middleware, it still carries the security headers, and no cache
    # keeps it.
    assert {name: response.headers.get(name) for name in EXPECTED} == EXPECTED
    assert response.headers["cache-control"] == "no-store"
