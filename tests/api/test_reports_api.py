"""POST/GET /api/v1/reports: validation, geocoding, idempotency, filters and paging."""

import pytest

from tests.api.conftest import bearer

SHELLING = {
    "when": {"earliest": "2017-01-05T14:30:00+02:00"},
    "place": {"lat": 35.9306, "lon": 36.6339},  # Idlib city
    "violation": "shelling",
    "perpetrators": ["Daesh"],
    "targets": ["civilians"],
    "casualties": {"best": 3, "civilian": 3},
    "narrative": "Mortar rounds hit the market.",
    "evidence": [{"description": "photo of the crater", "sha256": "ab" * 32}],
}


def post(client, token, body, **headers):
    return client.post("/api/v1/reports", json=body, headers={**bearer(token), **headers})


def test_a_report_gets_its_party_pcodes_and_actor_codes(client, tokens):
    response = post(client, tokens["tr-officer"], SHELLING)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["submitted_by"] == "TR"
    assert (body["place"]["adm1"], body["place"]["adm2"]) == ("SY07", "SY0700")
    assert body["place"]["adm3"].startswith("SY0700")
    assert body["perpetrators"] == ["isil"] and body["perpetrator_text"] == "Daesh"
    assert body["civilians_targeted"] is True and body["targets"] == []
    assert body["when"]["earliest"] == "2017-01-05T12:30:00.000000Z"
    assert body["evidence"] == [{"description": "photo of the crater", "sha256": "ab" * 32,
                                 "uri": None}]
    assert response.headers["Location"] == f"/api/v1/reports/{body['id']}"
    again = client.get(response.headers["Location"], headers=bearer(tokens["analyst"]))
    assert again.json() == body
    listed = client.get("/api/v1/reports", headers=bearer(tokens["analyst"])).json()
    assert listed["items"] == [body]  # one spelling of every value, wherever it is read


def test_a_place_name_is_geocoded(client, tokens):
    body = {**SHELLING, "place": {"name": "Dayr az Zawr"}}
    response = post(client, tokens["ru-officer"], body)
    assert response.status_code == 201, response.text
    assert response.json()["place"]["adm1"] == "SY09"
    assert response.json()["place"]["lat"] is not None


@pytest.mark.parametrize(("change", "field"), [
    ({"place": {"lat": 95.0, "lon": 36.6}}, "place.lat"),
    ({"place": {"lat": 35.9}}, "place.lon"),
    ({"place": {"name": "Atlantis"}}, "place.name"),
    ({"place": {"lat": 48.85, "lon": 2.35}}, "place"),  # Paris: outside the covered areas
    ({"when": {"earliest": "2017-01-05T14:30:00"}}, "when.earliest"),  # no UTC offset
    ({"when": {"date": "2017-02-30"}}, "when.date"),
    ({"when": {"date": "2099-01-01"}}, "when.date"),  # in the future
    ({"violation": "jaywalking"}, "violation"),
    ({"perpetrators": ["Martians"]}, "perpetrators[0]"),
    ({"casualties": {"best": -1}}, "casualties.best"),
    ({"casualties": {"low": 5, "best": 3}}, "casualties"),
    ({"colour": "red"}, "colour"),
    # PostgreSQL's text cannot hold a NUL: refused before any write, on both backends.
    ({"narrative": "Mortar\x00 rounds"}, "narrative"),
    ({"perpetrators": ["Daesh\x00"]}, "perpetrators[0]"),
    ({"place": {"name": "Idlib\x00"}}, "place.name"),
    ({"evidence": [{"description": "\x00"}]}, "evidence[0].description"),
    ({"casualties": {"best": True}}, "casualties.best"),  # not one death
    ({"casualties": {"best": 1, "injured": -1}}, "casualties.injured"),
    ({"casualties": {"injured": "several"}}, "casualties.injured"),
    ({"casualties": {"injured": 1_000_001}}, "casualties.injured"),
    ({"casualties": {"injured": True}}, "casualties.injured"),
])
def test_bad_reports_get_a_422_naming_the_field(client, tokens, change, field):
    response = post(client, tokens["tr-officer"], {**SHELLING, **change})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    listed = client.get("/api/v1/reports", headers=bearer(tokens["analyst"])).json()
    assert listed["items"] == []


def test_injured_is_kept_and_unknown_unless_given(client, tokens):
    bodies = {12: {"best": 3, "injured": 12}, 0: {"best": 3, "injured": 0},
              None: {"best": 3}}
    for injured, casualties in bodies.items():
        body = {**SHELLING, "casualties": casualties, "narrative": f"Injured: {injured}."}
        response = post(client, tokens["tr-officer"], body)
        assert response.status_code == 201, response.text
        assert response.json()["casualties"]["injured"] == injured  # 0 is not unknown
        again = client.get(response.headers["Location"], headers=bearer(tokens["analyst"]))
        assert again.json() == response.json()


def test_analysts_cannot_submit(client, tokens):
    response = post(client, tokens["analyst"], SHELLING)
    assert response.status_code == 403


def test_the_same_idempotency_key_and_body_returns_the_first_report(client, tokens):
    first = post(client, tokens["tr-officer"], SHELLING, **{"Idempotency-Key": "k-1"})
    retry = post(client, tokens["tr-officer"], SHELLING, **{"Idempotency-Key": "k-1"})
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    other = post(client, tokens["tr-officer"], {**SHELLING, "narrative": "different"},
                 **{"Idempotency-Key": "k-1"})
    assert other.status_code == 409
    # Keys belong to an account: another officer's "k-1" is a new request.
    theirs = post(client, tokens["ru-officer"], SHELLING, **{"Idempotency-Key": "k-1"})
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]
    listed = client.get("/api/v1/reports", headers=bearer(tokens["analyst"])).json()
    assert len(listed["items"]) == 2


def test_list_filters_and_pages(client, tokens):
    places = [(35.9306, 36.6339), (33.5138, 36.2765), (36.2021, 37.1343)]  # Idlib, Dam., Aleppo
    for day in range(1, 6):
        for lat, lon in places:
            body = {**SHELLING, "when": {"date": f"2017-02-0{day}"},
                    "place": {"lat": lat, "lon": lon}}
            assert post(client, tokens["ir-officer"], body).status_code == 201
    post(client, tokens["un-monitor"], {**SHELLING, "violation": "air_strike",
                                         "perpetrators": ["russian-forces"]})
    get = lambda **q: client.get("/api/v1/reports", params=q,  # noqa: E731
                                 headers=bearer(tokens["analyst"])).json()
    assert len(get(adm="SY07")["items"]) == 6
    assert len(get(adm="SY01")["items"]) == 5
    assert len(get(party="UN")["items"]) == 1
    assert len(get(violation="air_strike")["items"]) == 1
    assert len(get(actor="russian-forces")["items"]) == 1
    assert len(get(actor="isil")["items"]) == 15
    assert len(get(since="2017-02-02T00:00:00Z", until="2017-02-04T00:00:00Z")["items"]) == 6
    # By the status now of each report's incident: ISIL's attacks are outside the
    # ceasefire; the air strike is put to the guarantors, and confirmed by all three.
    assert len(get(status="not-covered")["items"]) == 15
    [strike] = get(status="pending")["items"]
    assert strike["violation"] == "air_strike" and get(status="confirmed")["items"] == []
    version = 0
    for officer in ("ru-officer", "tr-officer", "ir-officer"):
        cast = client.post(f"/api/v1/incidents/{strike['incident']}/verdicts",
                           json={"position": "confirm", "version": version},
                           headers=bearer(tokens[officer]))
        assert cast.status_code == 200, cast.text
        version = cast.json()["version"]
    assert [r["id"] for r in get(status="confirmed")["items"]] == [strike["id"]]
    assert get(status="pending")["items"] == []
    seen, cursor = [], None
    while True:
        page = get(limit=4, **({"cursor": cursor} if cursor else {}))
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 16
    earliest = [r["when"]["earliest"] for r in get(limit=16)["items"]]
    assert earliest == sorted(earliest, reverse=True)


def test_an_unknown_report_is_404_and_a_bad_cursor_422(client, tokens):
    headers = bearer(tokens["analyst"])
    missing = client.get("/api/v1/reports/00000000-0000-4000-8000-000000000000",
                         headers=headers)
    assert missing.status_code == 404
    assert client.get("/api/v1/reports?cursor=zzz", headers=headers).status_code == 422
    assert client.get("/api/v1/reports/not-an-id", headers=headers).status_code == 404


@pytest.mark.parametrize("value", ["0.5", "1483228800", "yesterday"])
def test_list_times_are_iso_8601_not_seconds_since_1970(client, tokens, value):
    for path in ("/api/v1/reports", "/api/v1/incidents"):
        response = client.get(path, params={"until": value},
                              headers=bearer(tokens["analyst"]))
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == "query.until"


@pytest.mark.parametrize(("name", "adm1"), [("Hameidiyyeh", "SY10"), ("Ra’s al ‘Ayn", "SY08"),
                                             ("إدلب", "SY07"), ("Deir-ez-Zor", "SY09")])
def test_places_by_name_including_those_the_boundaries_miss(client, tokens, name, adm1):
    # Both lie just outside the rounded boundary data; the gazetteer names their area.
    response = post(client, tokens["ir-officer"], {**SHELLING, "place": {"name": name}})
    assert response.status_code == 201, response.text
    assert response.json()["place"]["adm1"] == adm1


def test_a_source_key_already_in_the_record_is_a_409_naming_the_stored_report(client, tokens):
    # A key is its party's own: the same party giving it again names the stored report.
    # (Another party's report with the same key: tests/api/test_source_keys.py.)
    body = {"when": {"date": "2017-01-05"}, "place": {"name": "Idlib"}, "violation": "shelling",
            "source": {"name": "UCDP GED", "key": "ucdp-ged:1"}}
    first = client.post("/api/v1/reports", json=body, headers=bearer(tokens["tr-officer"]))
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/reports", json=body, headers=bearer(tokens["tr-officer"]))
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["field"] == "source.key" and first.json()["id"] in error["message"]
    listed = client.get("/api/v1/reports", headers=bearer(tokens["tr-officer"])).json()
    assert [r["id"] for r in listed["items"]] == [first.json()["id"]]
