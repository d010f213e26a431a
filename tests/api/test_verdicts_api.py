"""Joint verification over HTTP: the assessment, guarantors' verdicts, versioned writes,
and each party's queue."""

from tests.api.conftest import bearer

# A government shelling of the opposition in Aleppo city, January 2017: covered.
SHELLING = {
    "when": {"earliest": "2017-01-15T10:00:00Z"},
    "place": {"lat": 36.2021, "lon": 37.1343},
    "violation": "shelling",
    "perpetrators": ["syrian-government"],
    "targets": ["syrian-opposition"],
    "narrative": "Shelling of the eastern districts.",
}


def report(client, tokens, body=SHELLING, who="ru-officer"):
    response = client.post("/api/v1/reports", json=body, headers=bearer(tokens[who]))
    assert response.status_code == 201, response.text
    return response.json()["incident"]


def standing(client, tokens, incident, who="analyst"):
    response = client.get(f"/api/v1/incidents/{incident}/standing", headers=bearer(tokens[who]))
    assert response.status_code == 200, response.text
    (only,) = response.json()
    return only


def cast(client, tokens, incident, who, position, version, **more):
    return client.post(f"/api/v1/incidents/{incident}/verdicts",
                       json={"position": position, "version": version, **more},
                       headers=bearer(tokens[who]))


def test_verdicts_move_the_status_and_keep_their_history(client, tokens):
    incident = report(client, tokens)
    first = standing(client, tokens, incident)
    assert first["covered"] and first["status"] == "pending" and first["version"] == 0
    assert first["terms"] == "syria-2016"
    assert {c["rule"] for c in first["checks"]} == {
        "in-force", "area", "terms", "prohibited", "excluded-actors"}
    assert first["missing"] == ["RU", "TR", "IR"]

    ru = cast(client, tokens, incident, "ru-officer", "confirm", 0,
              attributed_to="syrian-government", comment="our observers saw it")
    assert ru.status_code == 200, ru.text
    assert ru.json()["version"] == 1 and ru.json()["missing"] == ["TR", "IR"]
    assert ru.json()["verdicts"]["RU"]["attributed_to"] == "syrian-government"

    tr = cast(client, tokens, incident, "tr-officer", "reject", 1, comment="no shelling")
    assert tr.json()["status"] == "disputed"  # unanimity is out of reach
    assert tr.json()["sides"] == {"confirm": ["RU"], "reject": ["TR"]}

    changed = cast(client, tokens, incident, "tr-officer", "confirm", 2)
    ir = cast(client, tokens, incident, "ir-officer", "confirm", 3)
    assert changed.json()["status"] == "pending" and ir.json()["status"] == "confirmed"
    final = standing(client, tokens, incident, who="un-monitor")
    assert [(v["party"], v["position"], v["version"]) for v in final["history"]] == [
        ("RU", "confirm", 1), ("TR", "reject", 2), ("TR", "confirm", 3), ("IR", "confirm", 4)]
    assert final["verdicts"]["TR"]["position"] == "confirm"


def test_a_stale_version_is_refused_with_the_current_standing(client, tokens):
    incident = report(client, tokens)
    assert cast(client, tokens, incident, "ru-officer", "confirm", 0).status_code == 200
    late = cast(client, tokens, incident, "tr-officer", "reject", 0)
    assert late.status_code == 409
    error = late.json()["error"]
    assert error["code"] == "conflict" and error["field"] == "version"
    assert error["current"]["version"] == 1
    assert error["current"]["verdicts"]["RU"]["position"] == "confirm"
    assert standing(client, tokens, incident)["history"][-1]["party"] == "RU"  # nothing written


def test_only_guarantor_officers_cast_and_only_for_their_party(client, tokens):
    incident = report(client, tokens)
    for who in ("analyst", "un-monitor", "secretariat"):
        response = cast(client, tokens, incident, who, "confirm", 0)
        assert response.status_code == 403, who
    assert standing(client, tokens, incident)["version"] == 0


def test_reading_the_standing_needs_a_valid_token(client, tokens):
    incident = report(client, tokens)
    url = f"/api/v1/incidents/{incident}/standing"
    for headers in ({}, bearer("cfm_forged"), bearer("")):
        response = client.get(url, headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["error"]["code"] == "unauthenticated"


def test_only_a_confirmation_attributes_and_the_actor_must_exist(client, tokens):
    incident = report(client, tokens)
    wrong = cast(client, tokens, incident, "ru-officer", "reject", 0, attributed_to="isil")
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "attributed_to"
    unknown = cast(client, tokens, incident, "ru-officer", "confirm", 0,
                   attributed_to="martians")
    assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "attributed_to"
    assert standing(client, tokens, incident)["version"] == 0


def test_an_operation_by_an_excluded_group_is_not_covered(client, tokens):
    incident = report(client, tokens, {**SHELLING, "perpetrators": ["isil"]})
    found = standing(client, tokens, incident)
    assert not found["covered"] and found["status"] == "not-covered"
    (failed,) = [c for c in found["checks"] if not c["passed"]]
    assert failed["rule"] == "excluded-actors" and "isil" in failed["reason"]
    assert cast(client, tokens, incident, "ru-officer", "confirm", 0).status_code == 409


def test_the_queue_holds_what_awaits_the_party_oldest_first(client, tokens):
    first = report(client, tokens)
    second = report(client, tokens, {**SHELLING, "when": {"earliest": "2017-02-20T10:00:00Z"},
                                     "place": {"lat": 33.5138, "lon": 36.2765}})
    assert first != second
    queue = client.get("/api/v1/queue", headers=bearer(tokens["ir-officer"])).json()
    assert queue["party"] == "IR"
    assert [i["incident"] for i in queue["items"]] == [first, second]
    assert cast(client, tokens, first, "ir-officer", "abstain", 0).status_code == 200
    queue = client.get("/api/v1/queue", headers=bearer(tokens["ir-officer"])).json()
    assert [i["incident"] for i in queue["items"]] == [second]
    monitor = client.get("/api/v1/queue", headers=bearer(tokens["un-monitor"])).json()
    assert monitor == {"party": "UN", "items": []}


def test_under_two_agreements_a_verdict_names_the_one_it_is_for(client, tokens, database):
    from datetime import UTC, datetime

    from ceasefire.domain import Area, Period, QuorumRule, ViolationType
    from ceasefire.services.scenarios import add_agreement
    from tests.factories import make_agreement

    truce = make_agreement(code="aleppo-truce", title="Aleppo truce",
                           period=Period(datetime(2017, 1, 1, tzinfo=UTC)),
                           area=Area(pcodes=frozenset({"SY02"})),
                           prohibited=frozenset({ViolationType.SHELLING}),
                           guarantors=("RU", "TR"), quorum=QuorumRule.MAJORITY)
    add_agreement(database, truce)
    aleppo = report(client, tokens)
    idlib = report(client, tokens, {**SHELLING, "place": {"lat": 35.9306, "lon": 36.6339}})
    shown = client.get(f"/api/v1/incidents/{aleppo}/standing",
                       headers=bearer(tokens["analyst"])).json()
    assert [(s["agreement"], s["covered"]) for s in shown] == [
        ("syria-2016", True), ("aleppo-truce", True)]
    vague = cast(client, tokens, aleppo, "tr-officer", "confirm", 0)
    assert vague.status_code == 422 and vague.json()["error"]["field"] == "agreement"
    named = cast(client, tokens, aleppo, "tr-officer", "confirm", 0, agreement="aleppo-truce")
    assert named.json()["agreement"] == "aleppo-truce" and named.json()["version"] == 1
    assert cast(client, tokens, aleppo, "ir-officer", "confirm", 0,
                agreement="aleppo-truce").status_code == 403  # not a guarantor of the truce
    # Idlib lies outside the truce: the one agreement that covers it is meant.
    assert cast(client, tokens, idlib, "ir-officer", "reject", 0).json()["agreement"] == \
        "syria-2016"
