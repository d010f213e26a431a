from fastapi.testclient import TestClient

from ceasefire.api.app import create_app
from ceasefire.config import Settings


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
