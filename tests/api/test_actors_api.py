"""The actor registry over the API, on both backends: the secretariat adds actors and
names and merges; other roles get 403 naming their role and change nothing; bad bodies
are refused naming the field and the id."""

from __future__ import annotations

import pytest

from ceasefire.services import ledger_checks
from tests.api.conftest import bearer
from tests.fingerprint import fingerprint

DOUMA = {"code": "douma-army", "name": "Douma Army", "side": "opposition",
         "aliases": [{"text": "جيش دوما", "lang": "ar"}]}


def test_the_secretariat_keeps_the_registry(client, tokens, database):
    sec = bearer(tokens["secretariat"])
    added = client.post("/api/v1/actors", json=DOUMA, headers=sec)
    assert added.status_code == 201, added.text
    assert added.json() == {**DOUMA, "is_state": False, "merged_into": None}
    named = client.post("/api/v1/actors/douma-army/aliases",
                        json={"text": "Jaysh Douma", "lang": "en"}, headers=sec)
    assert named.status_code == 201, named.text
    assert named.json()["aliases"][-1] == {"text": "Jaysh Douma", "lang": "en"}
    merged = client.post("/api/v1/actors/douma-army/merge",
                         json={"into": "jaysh-al-islam", "reason": "one group"}, headers=sec)
    assert merged.status_code == 200, merged.text
    assert merged.json()["merged_into"] == "jaysh-al-islam"
    shown = client.get("/api/v1/actors/douma-army").json()
    assert shown["merged_into"] == "jaysh-al-islam"
    assert client.get("/api/v1/actors/isil").json()["merged_into"] is None
    assert [a["code"] for a in client.get("/api/v1/actors", params={
        "name": "Jaysh Douma"}).json()] == ["douma-army"]
    report = client.post("/api/v1/reports", headers=bearer(tokens["un-monitor"]), json={
        "when": {"date": "2017-02-10"}, "place": {"lat": 33.5711, "lon": 36.4053},
        "violation": "shelling", "perpetrators": ["Jaysh Douma"]})
    assert report.status_code == 201, report.text
    assert report.json()["perpetrators"] == ["jaysh-al-islam"]
    assert ledger_checks.verify(database).ok


@pytest.mark.parametrize("who", ["un-monitor", "ru-officer", "analyst"])
@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/actors", DOUMA),
    ("/api/v1/actors/fsa/aliases", {"text": "Free Army", "lang": "en"}),
    ("/api/v1/actors/fsa/merge", {"into": "syrian-opposition", "reason": "x"}),
])
def test_other_roles_are_refused_by_role_and_change_nothing(client, tokens, database, who,
                                                            path, body):
    before = fingerprint(database)
    answer = client.post(path, json=body, headers=bearer(tokens[who]))
    assert answer.status_code == 403, answer.text
    error = answer.json()["error"]
    assert error["code"] == "forbidden"
    role = {"un-monitor": "an observer", "ru-officer": "a guarantor officer",
            "analyst": "an analyst"}[who]
    assert error["message"].startswith(f"{role} account cannot change the actor registry")
    assert fingerprint(database) == before


def test_no_token_is_401(client):
    assert client.post("/api/v1/actors", json=DOUMA).status_code == 401


@pytest.mark.parametrize(("path", "body", "status", "field", "id"), [
    ("/api/v1/actors", {**DOUMA, "code": "Douma Army"}, 422, "code", None),
    ("/api/v1/actors", {**DOUMA, "code": "d" * 64}, 422, "code", None),
    ("/api/v1/actors", {**DOUMA, "name": "x" * 201}, 422, "name", None),
    ("/api/v1/actors", {**DOUMA, "name": " "}, 422, "name", "douma-army"),
    ("/api/v1/actors", {**DOUMA, "name": "Douma\x07Army"}, 422, "name", "douma-army"),
    ("/api/v1/actors", {**DOUMA, "aliases": [{"text": "Douma", "lang": "arabic"}]}, 422,
     "aliases[0].lang", None),
    ("/api/v1/actors", {**DOUMA, "aliases": [{"text": "Douma", "lang": "en"}] * 101}, 422,
     "aliases", None),
    ("/api/v1/actors", {**DOUMA, "colour": "red"}, 422, "colour", None),
    ("/api/v1/actors", {**DOUMA, "code": "isil"}, 409, "code", "isil"),
    ("/api/v1/actors", {**DOUMA, "aliases": [{"text": "ISIS", "lang": "en"}]}, 409,
     "aliases", "ISIS"),
    ("/api/v1/actors/martians/aliases", {"text": "Martians", "lang": "en"}, 404, "actor",
     "martians"),
    ("/api/v1/actors/fsa/aliases", {"text": "FSA", "lang": "en"}, 409, "aliases", "fsa"),
    ("/api/v1/actors/fsa/aliases", {"text": "", "lang": "en"}, 422, "text", None),
    ("/api/v1/actors/fsa/merge", {"into": "fsa", "reason": "x"}, 422, "into", "fsa"),
    ("/api/v1/actors/fsa/merge", {"into": "martians", "reason": "x"}, 404, "into",
     "martians"),
    ("/api/v1/actors/fsa/merge", {"into": "isil", "reason": ""}, 422, "reason", None),
    ("/api/v1/actors/fsa/merge", {"into": "isil", "reason": "x" * 2001}, 422, "reason",
     None),
])
def test_bad_bodies_are_refused_by_field_and_id(client, tokens, database, path, body,
                                                status, field, id):  # noqa: A002
    before = fingerprint(database)
    answer = client.post(path, json=body, headers=bearer(tokens["secretariat"]))
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["field"].removeprefix("body.") == field, error
    if id is not None:
        assert error.get("id") == id or id in error["message"], error
    assert fingerprint(database) == before
