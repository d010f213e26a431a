import pytest

from ceasefire.services.accounts import revoke_tokens
from tests.api.conftest import bearer


def test_health_reports_database_and_schema(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "schema_revision": "0017",
                               "schema_needed": "0017"}


def test_openapi_lists_the_routes_and_the_bearer_scheme(client):
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "Ceasefire Monitor"
    assert {"/health", "/api/v1/me", "/api/v1/agreements/{code}",
            "/api/v1/geo/locate"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_docs_page_loads_its_scripts_locally(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text and "/static-offline-docs/swagger-ui-bundle.js" in page.text
    assert client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200


def test_me_needs_a_token(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert response.headers["www-authenticate"] == "Bearer"


def test_me_names_the_account_of_the_token(client, tokens):
    response = client.get("/api/v1/me", headers=bearer(tokens["tr-officer"]))
    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["party"], body["role"]) == ("tr-officer", "TR", "guarantor")


@pytest.mark.parametrize("token", ["cfm_forged", "", "not-even-close"])
def test_wrong_tokens_are_refused(client, token):
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_revoked_token_is_refused(client, tokens, database):
    revoke_tokens(database, username="ir-officer")
    response = client.get("/api/v1/me", headers=bearer(tokens["ir-officer"]))
    assert response.status_code == 401


def test_agreement_shows_the_regime(client):
    body = client.get("/api/v1/agreements/syria-2016").json()
    assert body["guarantors"] == ["RU", "TR", "IR"]
    assert body["excluded"] == ["al-qaida", "isil", "jabhat-fatah-al-sham"]
    assert body["quorum"] == "unanimous" and body["quorum_size"] == 3
    assert body["start"] == "2016-12-29T22:00:00Z"
    assert len(body["area"]["pcodes"]) == 14 and len(body["zones"]) == 5
    # The scenario's amendments: the four Astana zones ended, Idlib under the Sochi terms.
    assert body["version"] == 6
    assert [z["code"] for z in body["zones"] if z["end"] is None] == ["idlib-sochi"]
    assert body["status_changes"] == [{"actor": "hurras-ad-din", "status": "excluded",
                                       "effective": "2018-02-26T22:00:00+00:00"}]


def test_missing_agreement_is_a_coded_404(client):
    response = client.get("/api/v1/agreements/atlantis")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "field": "agreement",
                                         "id": "atlantis",
                                         "message": "no agreement with code 'atlantis'"}}


def test_unknown_route_has_the_same_error_shape(client):
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("OPTIONS", "/api/v1/reports", "GET, POST"),  # both, not the first route's alone
    ("DELETE", "/api/v1/parties", "GET"),
    ("GET", "/api/v1/incidents/merge", "POST"),  # not taken for an incident's id
])
def test_a_wrong_method_is_a_405_naming_every_method_the_path_has(client, method, path,
                                                                   allow):
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_bad_query_names_the_field(client):
    response = client.get("/api/v1/geo/locate", params={"lat": "north", "lon": 36.3})
    assert response.status_code == 422
    assert response.json()["error"] | {"message": ""} == {
        "code": "invalid_input", "field": "query.lat", "message": ""}


def test_locate_gives_bilingual_admin_areas(client):
    body = client.get("/api/v1/geo/locate", params={"lat": 33.5138, "lon": 36.2765}).json()
    assert [a["pcode"] for a in body["areas"]][:1] == ["SY01"]
    assert body["areas"][0]["name_ar"] == "دمشق"


def test_actor_search_by_alias(client):
    found = client.get("/api/v1/actors", params={"name": "داعش"}).json()
    assert [a["code"] for a in found] == ["isil"]
    assert len(client.get("/api/v1/actors").json()) == 45


def test_violation_types_carry_their_acled_mapping(client):
    types = {t["code"]: t for t in client.get("/api/v1/violation-types").json()}
    assert "Explosions/Remote violence / Air/drone strike" in types["air_strike"]["acled"]


def test_parties(client):
    kinds = {p["code"]: p["kind"] for p in client.get("/api/v1/parties").json()}
    assert kinds == {"IR": "guarantor", "RU": "guarantor", "TR": "guarantor",
                     "UN": "observer", "SEC": "secretariat"}


def test_malformed_code_is_refused_before_the_database(client):
    response = client.get("/api/v1/actors/a%00b")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "path.code"
