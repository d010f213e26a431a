"""Values at the edge of what the record can hold, sent to the pages: each is a 4xx that
names its field and changes nothing, never a 500 (issue 15, defect 6). On both backends,
with a real login session; the public pages without one."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ceasefire.services.logins import set_password
from tests.api.seed import app_for, seeded_database
from tests.conftest import BACKENDS
from tests.fingerprint import fingerprint

PASSWORD = "a long enough test password"
KEPT = ("ledger_checkpoints",)  # pages hand out checkpoints: not a change to the record
FAR = ("9999-12-31", "0001-01-01")


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory) -> Iterator:
    with seeded_database(request.param, request, tmp_path_factory.mktemp("bad")) as (db, _):
        for user in ("tr-officer", "secretariat"):
            set_password(db, username=user, password=PASSWORD)
        yield db


@pytest.fixture(scope="module")
def app(world):
    return app_for(world)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def as_user(app) -> Iterator:
    clients = []

    def log_in(username: str) -> TestClient:
        client = TestClient(app, base_url="https://testserver", follow_redirects=False)
        clients.append(client)
        page = client.get("/login")
        assert client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": _csrf(page.text)}).status_code == 303
        return client

    yield log_in
    for c in clients:
        c.close()


# The field as the page names it: the form's label, where the form has the field.
LABELS = {"to": "To (inclusive)", "from": "From", "place": "Place", "place.lon": "Place",
          "casualties.best": "Killed", "injured": "Injured", "when.date": "Date"}


def _named(response, field: str) -> bool:
    label = LABELS.get(field, field)
    if response.headers["content-type"].startswith("text/plain"):  # the map's SVG route
        return response.text.startswith(f"{field}:")
    return f"<strong>{label}</strong>" in response.text


REPORT = {"date": "2017-01-20", "place": "Douma", "violation": "shelling", "killed": "2"}


@pytest.mark.parametrize(("change", "field"), [
    ({"choice": "abc"}, "place"),  # not a place the search offered
    ({"choice": "36.6,35.9,1"}, "place"),
    ({"choice": "x,y,1,Idlib"}, "place.lon"),
    ({"killed": "1152921504606846976"}, "casualties.best"),
    ({"killed": str(10 ** 30)}, "casualties.best"),
    ({"injured": "-1"}, "injured"),
    ({"injured": "a dozen"}, "injured"),
    ({"injured": "1e3"}, "injured"),
    ({"injured": "²"}, "injured"),
    ({"killed": "³"}, "casualties.best"),
    ({"injured": "1000001"}, "injured"),
    ({"injured": "1152921504606846976"}, "injured"),
    ({"date": "9999-12-31"}, "when.date"),
    ({"date": "0001-01-01"}, "when.date"),
])
def test_a_bad_report_form_is_refused_by_field(world, as_user, change, field):
    tr = as_user("tr-officer")
    token = _csrf(tr.get("/reports/new").text)
    before = fingerprint(world, skip=KEPT)
    response = tr.post("/reports/new", data={**REPORT, **change, "csrf_token": token})
    assert response.status_code == 422, response.text[:300]
    assert _named(response, field), response.text
    for name in {"killed", "injured"} & change.keys():  # it comes back as it was typed
        assert re.search(f'name="{name}"[^>]* value="{re.escape(change[name])}"',
                         response.text), name
    assert fingerprint(world, skip=KEPT) == before


@pytest.mark.parametrize("path", ["/public/incidents", "/public/map", "/public/map.svg"])
@pytest.mark.parametrize(("name", "value"), [("to", d) for d in FAR] + [("from", d) for d in FAR])
def test_the_public_pages_name_a_day_outside_the_calendar(app, path, name, value):
    with TestClient(app, base_url="https://testserver") as public:
        response = public.get(path, params={name: value})
    assert 400 <= response.status_code < 500, response.text[:300]
    assert _named(response, name) and "outside the record" in response.text, response.text


@pytest.mark.parametrize("path", ["/dashboard", "/incidents", "/map", "/map.svg"])
@pytest.mark.parametrize(("name", "value"), [("from", d) for d in FAR] + [("to", d) for d in FAR])
def test_the_pages_name_a_day_outside_the_calendar(as_user, path, name, value):
    reader = as_user("tr-officer")
    response = reader.get(path, params={name: value})
    assert 400 <= response.status_code < 500, response.text[:300]
    assert _named(response, name) and "outside the record" in response.text, response.text


@pytest.mark.parametrize(("first", "last", "field"), [
    ("0001-01-01", "", "from"), ("9999-12-31", "", "from"),
    ("2017-01-01", "9999-12-31", "to"), ("0001-01-01", "2017-01-31", "from")])
def test_a_bulletin_of_days_outside_the_calendar_is_refused_by_field(world, as_user, first,
                                                                     last, field):
    secretariat = as_user("secretariat")
    before = fingerprint(world, skip=KEPT)
    preview = secretariat.get("/bulletins", params={"from": first, "to": last})
    assert preview.status_code == 422 and f"{field}:" in preview.text, preview.text[:300]
    token = _csrf(secretariat.get("/bulletins").text)
    published = secretariat.post("/bulletins", data={"from": first, "to": last,
                                                     "csrf_token": token})
    assert published.status_code == 422 and f"{field}:" in published.text
    assert fingerprint(world, skip=KEPT) == before
