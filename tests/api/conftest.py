import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.services.scenarios import load_scenario


@pytest.fixture
def tokens(database, syria_scenario) -> dict[str, str]:
    return load_scenario(database, syria_scenario).tokens


@pytest.fixture
def client(database, tokens):
    settings = Settings(database_url=database.url.render_as_string(hide_password=False))
    with TestClient(create_app(settings, database=database)) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
