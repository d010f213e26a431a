"""Incidents in the record: each new report correlated at once gives what a batch run over
everything gives, and analysts' splits and merges outlive batch runs. On both backends."""

from datetime import date

import numpy as np
import orjson
import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.correlate.scoring import FIELDS
from ceasefire.geo.admin import syria
from ceasefire.geo.gazetteer import syria_gazetteer
from ceasefire.intake.report_in import record_of
from ceasefire.services.correlation import run_batch
from ceasefire.services.imports import import_file
from ceasefire.services.scenarios import load_scenario
from ceasefire.simulate import simulate
from ceasefire.store import incidents as store


def partition(db):
    """Incident id -> the set of report ids it holds."""
    with db.session() as session:
        rows = store.facts(session, range(1, 100_000))
        incidents = store.incident_uids(session, [r.row_id for r in rows])
        groups = {}
        for r in rows:
            groups.setdefault(incidents[r.row_id], set()).add(r.uid)
    return groups


@pytest.mark.slow
def test_reports_arriving_one_file_at_a_time_end_as_one_batch_run_would_group_them(
        database, syria_scenario, tmp_path):
    load_scenario(database, syria_scenario)
    sim = simulate(7, events=150, start=date(2017, 2, 1), days=10, admin=syria(),
                   gazetteer=syria_gazetteer(), actors=syria_scenario.actors)
    rng = np.random.default_rng(7)
    order = rng.permutation(len(sim.reports))  # not in time order: arrivals are not
    for k, chunk in enumerate(np.array_split(order, 12)):
        path = tmp_path / f"part{k}.jsonl"
        path.write_bytes(b"".join(orjson.dumps(record_of(sim.reports[i])) + b"\n"
                                  for i in chunk.tolist()))
        import_file(database, path, format="jsonl", party="SEC")
    incremental = partition(database)
    assert sum(len(g) for g in incremental.values()) == len(sim.reports)
    assert len(incremental) < len(sim.reports) * 0.7  # reports were grouped

    result = run_batch(database)
    assert result.changed == 0
    assert partition(database) == incremental


@pytest.fixture
def api(database, syria_scenario):
    tokens = load_scenario(database, syria_scenario).tokens
    settings = Settings(database_url=database.url.render_as_string(hide_password=False))
    with TestClient(create_app(settings, database=database)) as client:
        yield client, {u: {"Authorization": f"Bearer {t}"} for u, t in tokens.items()}


def _report(lon, *, at="2017-01-05T10:00:00Z", perpetrator="syrian-government", killed=4,
            narrative="Shelling of Kafr Laha"):
    return {"when": {"earliest": at}, "place": {"lon": lon, "lat": 34.88},
            "violation": "shelling", "perpetrators": [perpetrator],
            "targets": ["syrian-opposition"], "casualties": {"best": killed},
            "narrative": narrative}


def test_a_submitted_report_joins_its_incident_at_once_and_the_pair_is_explained(api):
    client, auth = api
    first = client.post("/api/v1/reports", json=_report(36.50), headers=auth["tr-officer"])
    second = client.post("/api/v1/reports", json=_report(36.505, at="2017-01-05T11:00:00Z"),
                         headers=auth["ru-officer"])
    other = client.post("/api/v1/reports", json=_report(36.9, killed=30, narrative="Hama"),
                        headers=auth["ru-officer"])
    assert first.status_code == second.status_code == other.status_code == 201
    incident = first.json()["incident"]
    assert second.json()["incident"] == incident != other.json()["incident"]

    shown = client.get(f"/api/v1/incidents/{incident}", headers=auth["un-monitor"]).json()
    assert shown["reports"] == [first.json()["id"], second.json()["id"]]  # founder first
    (pair,) = shown["pairs"]
    assert pair["linked"] and not pair["forced"] and not pair["apart"]
    assert set(pair["points"]) == set(FIELDS)
    assert pair["score"] == pytest.approx(shown["prior"] + sum(pair["points"].values()),
                                          abs=0.05)
    assert pair["score"] >= shown["threshold"]
    listed = client.get("/api/v1/incidents", headers=auth["un-monitor"]).json()["items"]
    assert {i["id"] for i in listed} == {incident, other.json()["incident"]}


@pytest.mark.slow
def test_splits_and_merges_by_analysts_outlive_a_batch_run(api, database):
    client, auth = api
    ids = [client.post("/api/v1/reports", json=_report(36.50 + 0.002 * k,
                                                        at=f"2017-01-05T1{k}:00:00Z"),
                       headers=auth["tr-officer"]).json() for k in range(3)]
    incident = ids[0]["incident"]
    assert {r["incident"] for r in ids} == {incident}

    body = {"reports": [ids[2]["id"]], "reason": "a second strike that afternoon"}
    refused = client.post(f"/api/v1/incidents/{incident}/split", json=body,
                          headers=auth["tr-officer"])
    assert refused.status_code == 403
    split = client.post(f"/api/v1/incidents/{incident}/split", json=body,
                        headers=auth["analyst"])
    assert split.status_code == 200, split.text
    assert len(split.json()["incidents"]) == 2
    apart = partition(database)
    assert {frozenset(g) for g in apart.values()} == {
        frozenset({ids[0]["id"], ids[1]["id"]}), frozenset({ids[2]["id"]})}
    run_batch(database)
    assert partition(database) == apart

    merged = client.post("/api/v1/incidents/merge", headers=auth["secretariat"],
                         json={"incidents": split.json()["incidents"], "reason": "one event"})
    assert merged.status_code == 200, merged.text
    assert merged.json()["id"] == incident and merged.json()["report_count"] == 3
    run_batch(database)
    assert partition(database) == {incident: {r["id"] for r in ids}}
    shown = client.get(f"/api/v1/incidents/{incident}", headers=auth["analyst"]).json()
    assert [d["kind"] for d in shown["decisions"]] == ["split", "merge"]


@pytest.mark.slow
def test_bad_split_requests_change_nothing(api, database):
    client, auth = api
    one = client.post("/api/v1/reports", json=_report(36.50), headers=auth["tr-officer"]).json()
    before = partition(database)
    stranger = "00000000-0000-4000-8000-000000000000"
    cases = [({"reports": [one["id"]], "reason": "x"}, 422),  # all of it: nothing would stay
             ({"reports": [stranger], "reason": "x"}, 422),
             ({"reports": [one["id"]], "reason": ""}, 422)]
    for body, status in cases:
        answer = client.post(f"/api/v1/incidents/{one['incident']}/split", json=body,
                             headers=auth["analyst"])
        assert answer.status_code == status, answer.text
    missing = client.post(f"/api/v1/incidents/{stranger}/split", headers=auth["analyst"],
                          json={"reports": [one["id"]], "reason": "x"})
    assert missing.status_code == 404
    assert partition(database) == before
