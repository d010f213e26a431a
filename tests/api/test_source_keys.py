"""Source keys are their party's own (issue 15, defect 5): a party that claims another's key
(a dataset's record id, say) blocks neither the dataset's import nor a third party's
report, both sides of the clash are named, and the claim cannot move the dataset's record
out of its incident."""

from __future__ import annotations

import pytest

from ceasefire.services.imports import SharedKey
from tests.api.conftest import bearer
from tests.test_cli import run, url_of

ACLED_HEADER = ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,"
                "sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,"
                "interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,"
                "location,latitude,longitude,geo_precision,source,source_scale,notes,"
                "fatalities,tags,timestamp\n")
ACLED_ROW = ("SYR99999,2017-01-08,2017,1,Political violence,Explosions/Remote violence,"
             "Shelling/artillery/missile attack,Military Forces of Syria (2000-),,1,"
             "Civilians (Syria),,7,17,Civilian targeting,760,Middle East,Syria,Idleb,Ariha,"
             "Ariha,Ariha,35.8131,36.6103,1,SOHR,National,"
             "Shells hit a residential area of Ariha.,3,,1484000000\n")
KEY = "acled:SYR99999"
# RU's report claiming the ACLED record's key, about something else altogether.
SQUAT = {"when": {"date": "2017-03-01"}, "place": {"lat": 35.9528, "lon": 39.0079},
         "violation": "shelling", "narrative": "Nothing like the ACLED record.",
         "source": {"name": "ACLED", "key": KEY}}
# TR's own report of the shelling ACLED recorded: logged just after midnight, a kilometre
# or two off, without a toll. It links with ACLED's record, though not by much.
TR_ACCOUNT = {"when": {"earliest": "2017-01-09T01:00:00Z"},
              "place": {"lat": 35.84, "lon": 36.64}, "violation": "shelling",
              "perpetrators": ["syrian-government"], "targets": ["civilians"]}


def _post(client, token, body):
    return client.post("/api/v1/reports", json=body, headers=bearer(token))


def _import_acled(database, tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text(ACLED_HEADER + ACLED_ROW, encoding="utf-8")
    return run("--database-url", url_of(database), "import", str(path), "--format", "acled",
               "--party", "UN")


def _reports(client, tokens) -> dict[str, dict]:
    listed = client.get("/api/v1/reports", params={"limit": 100},
                        headers=bearer(tokens["analyst"])).json()["items"]
    return {r["id"]: r for r in listed}


def test_a_squatted_key_blocks_neither_the_dataset_nor_another_party(client, database,
                                                                     tokens, tmp_path):
    squat = _post(client, tokens["ru-officer"], SQUAT)
    assert squat.status_code == 201, squat.text
    assert "source_key_claims" not in squat.json()  # nobody else gives the key yet
    squat_id = squat.json()["id"]

    imported = _import_acled(database, tmp_path)
    assert imported.exit_code == 0, imported.output
    assert "1 report added" in imported.stdout and "0 rejected" in imported.stdout
    genuine = next(r for r in _reports(client, tokens).values() if r["submitted_by"] == "UN")
    assert genuine["source"]["key"] == KEY
    assert genuine["narrative"] == "Shells hit a residential area of Ariha."
    # The summary names both sides of the clash.
    assert (f"source key {KEY!r} of report {genuine['id']} is also given by RU's report "
            f"{squat_id}") in imported.stdout

    # A third party giving the key is answered 201, with the others named.
    tr = _post(client, tokens["tr-officer"], {**TR_ACCOUNT, "source": {"name": "ACLED",
                                                                      "key": KEY}})
    assert tr.status_code == 201, tr.text
    assert sorted(tr.json()["source_key_claims"], key=lambda c: c["submitted_by"]) == [
        {"id": squat_id, "submitted_by": "RU"}, {"id": genuine["id"], "submitted_by": "UN"}]
    # The same party giving its own key again is the same record: 409, naming it.
    again = _post(client, tokens["tr-officer"], {**TR_ACCOUNT, "source": {"name": "ACLED",
                                                                         "key": KEY}})
    assert again.status_code == 409
    assert again.json()["error"]["field"] == "source.key"
    assert tr.json()["id"] in again.json()["error"]["message"]

    # The dataset's import finds its record again, whoever claims the key.
    repeated = _import_acled(database, tmp_path)
    assert "0 reports added, 1 already present" in repeated.stdout
    stored = _reports(client, tokens)
    assert len(stored) == 3 and stored[squat_id]["narrative"] == SQUAT["narrative"]


def test_the_import_summary_lists_the_keys_other_parties_give(database, syria_scenario,
                                                              tmp_path):
    from ceasefire.intake.report_in import ReportIn
    from ceasefire.services.imports import import_file
    from ceasefire.services.reports import submit_report
    from ceasefire.services.scenarios import load_scenario

    load_scenario(database, syria_scenario)
    squat = submit_report(database, ReportIn.model_validate(SQUAT), party="RU").report
    path = tmp_path / "acled.csv"
    path.write_text(ACLED_HEADER + ACLED_ROW, encoding="utf-8")
    summary = import_file(database, path, format="acled", party="UN")
    (shared,) = summary.shared_keys
    assert shared == SharedKey(KEY, shared.report, squat.id, "RU")
    assert shared.report != squat.id


@pytest.mark.parametrize("claim", [{"name": "ACLED", "key": "acled:SYR00001"},
                                   {"name": "ACLED"}], ids=["dataset key", "source name"])
def test_a_claim_to_a_dataset_cannot_push_its_record_out_of_the_incident(client, database,
                                                                        tokens, tmp_path,
                                                                        claim):
    """A report claiming to be another record of ACLED (another key of the dataset, or
    ACLED as its source) would be kept apart from ACLED's own record, as two records of
    one dataset, or one source twice: it must not, since it is RU's word, not ACLED's."""
    assert _import_acled(database, tmp_path).exit_code == 0
    tr = _post(client, tokens["tr-officer"], TR_ACCOUNT)
    assert tr.status_code == 201, tr.text
    (genuine,) = (r for r in _reports(client, tokens).values() if r["submitted_by"] == "UN")
    assert genuine["incident"] == tr.json()["incident"]  # one event, one incident

    # RU files TR's account again, word for word, claiming ACLED as its source.
    ru = _post(client, tokens["ru-officer"], {**TR_ACCOUNT, "source": claim})
    assert ru.status_code == 201, ru.text
    incidents = {r["submitted_by"]: r["incident"] for r in _reports(client, tokens).values()}
    assert incidents["UN"] == incidents["TR"] == incidents["RU"], incidents
