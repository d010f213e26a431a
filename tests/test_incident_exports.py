"""Exports of incidents (CSV, GeoJSON, JSON) on the demo record (the UCDP extract, with
verdicts and attributions), on both backends: each row's status is the one the incident
list shows, the counts are an independent SQL count's, a confirming verdict's attribution
is there, bad filters are refused by name with nothing written, and equal records give
equal bytes (issue 17)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from ceasefire.intake.report_in import ReportIn
from ceasefire.services import overview
from ceasefire.services.incident_exports import export_incidents, write_incidents
from ceasefire.services.logins import set_password
from ceasefire.services.overview import Selection
from ceasefire.services.reports import submit_report
from ceasefire.services.scenarios import load_scenario
from ceasefire.services.verification import standings
from tests.api.seed import app_for
from tests.test_bulletin import ATTRIBUTED
from tests.test_cli import run, url_of

JANUARY = Selection(since=date(2017, 1, 1), until=date(2017, 2, 1))
AGREEMENT = "syria-2016"
GUARANTORS = ("RU", "TR", "IR")
PASSWORD = "a long enough test password"


@pytest.fixture
def record(built_records, backend, request):
    """The UCDP extract, a Turkish report of Douma (20 January 2017), one incident
    disputed and four confirmed by the three guarantors: attributed to the Syrian
    government, to it and Jaysh al-Islam, to no one, and (the first) to the government."""
    return built_records.copy(request, ATTRIBUTED)


def exported(db, fmt: str, selection: Selection = JANUARY, *,
             now: datetime | None = None) -> str:
    out = io.StringIO()
    write_incidents(db, selection, fmt, out, now=now)
    return out.getvalue()


def listed(db, selection: Selection, now: datetime) -> list[tuple[str, str]]:
    """(id, status) of every incident the list shows for the selection, page by page."""
    rows, after = [], None
    with db.session() as session:
        scope = overview.scope(session, selection, now=now)
        while page := overview.page(session, scope, limit=500, after=after):
            rows += [(r.uid, r.status) for r in page]
            after = (page[-1].earliest, page[-1].uid)
    return rows


def sql(db, query: str, **args):
    with db.engine.connect() as c:
        return c.execute(text(query), args).all()


IN_JANUARY = ("FROM incidents i JOIN assessments a ON a.incident_uid = i.uid "
              "JOIN agreements g ON g.id = a.agreement_id WHERE g.code = :agreement "
              "AND i.earliest >= :a AND i.earliest < :b")
JAN = {"agreement": AGREEMENT, "a": datetime(2017, 1, 1, tzinfo=UTC),
       "b": datetime(2017, 2, 1, tzinfo=UTC)}


def test_the_csv_has_the_lists_rows_and_statuses_and_an_independent_count(record):
    now = datetime.now(UTC)
    rows = list(csv.DictReader(io.StringIO(exported(record, "csv", now=now))))
    assert [(r["id"], r["status"]) for r in rows] == listed(record, JANUARY, now)
    # Counted straight from the tables: before any deadline passes, the status now is
    # the stored one (not covered where the assessment found it so).
    assert len(rows) == sql(record, f"SELECT count(*) {IN_JANUARY}", **JAN)[0][0] > 400
    want = dict(sql(record, "SELECT CASE WHEN a.covered THEN a.status ELSE 'not-covered' "
                            f"END, count(*) {IN_JANUARY} GROUP BY 1", **JAN))
    assert Counter(r["status"] for r in rows) == want
    assert want["confirmed"] >= 3 and want["disputed"] == 1
    # Newest event first, then by id (descending), as the list.
    keys = [(r["began"], r["id"]) for r in rows]
    assert keys == sorted(keys, reverse=True)
    # The ledger the export was read against, in every row.
    entries = sql(record, "SELECT count(*) FROM ledger_entries")[0][0]
    assert {(r["checkpoint_size"], r["agreement"]) for r in rows} == {(str(entries), AGREEMENT)}
    assert re.fullmatch(r"[0-9a-f]{64}", rows[0]["checkpoint_root"])
    # What the reports give: the parties, the highest toll, the place in words.
    douma = next(r for r in rows if r["reporting_parties"] == "TR")
    assert (douma["killed_best"], douma["adm1_code"], douma["adm1_name"]) == \
        ("9", "SY03", "Rural Damascus")
    assert douma["violation_words"] == "Shelling, artillery or missile attack"
    killed = dict(sql(record, "SELECT i.uid, max(r.killed_best) FROM incidents i "
                              "JOIN incident_reports ir ON ir.incident_id = i.id "
                              "JOIN reports r ON r.id = ir.report_id GROUP BY i.uid"))
    assert all(int(r["killed_best"]) == killed[r["id"]] for r in rows)
    assert all(int(r["killed_low"]) <= int(r["killed_best"]) <= int(r["killed_high"])
               for r in rows)


def test_the_status_after_the_deadline_is_the_lists_and_the_standings(record):
    later = datetime.now(UTC) + timedelta(days=4)  # every response deadline has passed
    chosen = Selection(since=date(2017, 1, 1), until=date(2017, 2, 1),
                       statuses=("disputed", "confirmed"))
    found = json.loads(exported(record, "json", chosen, now=later))
    got = [(x["id"], x["status"]) for x in found["incidents"]]
    assert got == listed(record, chosen, later)
    # Unanswered, the guarantors count as abstaining (the silence rule): disputed now.
    covered = sql(record, f"SELECT count(*) {IN_JANUARY} AND a.covered", **JAN)[0][0]
    assert len(got) == covered
    # The same as the standing the incident's page shows (domain.status), for those with
    # verdicts and a few without.
    answered = [x for x in found["incidents"] if any(x["verdicts"].values())]
    assert len(answered) >= 4
    with record.session() as session:
        for x in answered + [x for x in found["incidents"] if x not in answered][:20]:
            view = standings(session, x["id"], now=later)[0]
            assert x["status"] == view.status.value
            assert x["deadline"] == f"{view.deadline:%Y-%m-%dT%H:%M:%S.%f}Z"
    assert found["selection"] == {"agreement": AGREEMENT, "from": "2017-01-01",
                                  "to": "2017-01-31", "adm": None, "violation": None,
                                  "party": None, "status": ["disputed", "confirmed"]}


def test_the_confirming_verdicts_attribution_and_each_guarantors_verdict(record):
    found = json.loads(exported(record, "json"))
    confirmed = [x for x in found["incidents"] if x["status"] == "confirmed"]
    named = sorted(tuple(a["code"] for a in x["attributed_to"]) for x in confirmed)
    assert named == [(), ("jaysh-al-islam", "syrian-government"), ("syrian-government",),
                     ("syrian-government",)]
    both = next(x for x in confirmed if len(x["attributed_to"]) == 2)
    assert both["attributed_to"] == [
        {"code": "jaysh-al-islam", "name": "Jaysh al-Islam"},
        {"code": "syrian-government", "name": "Syrian government forces"}]
    for x in confirmed:
        assert list(x["verdicts"]) == list(GUARANTORS)
        assert all(v["position"] == "confirm" and v["at"].endswith("Z")
                   for v in x["verdicts"].values())
        assert x["deadline"] is not None
    disputed = next(x for x in found["incidents"] if x["status"] == "disputed")
    assert {g: v and v["position"] for g, v in disputed["verdicts"].items()} == \
        {"RU": "confirm", "TR": "reject", "IR": None}
    assert disputed["attributed_to"] == []
    assert all(x["deadline"] is None and not any(x["verdicts"].values())
               for x in found["incidents"] if x["status"] == "not-covered")
    # The same in the CSV's columns.
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(exported(record, "csv")))}
    row = rows[both["id"]]
    assert row["attributed_to"] == "jaysh-al-islam; syrian-government"
    assert row["verdict_TR"] == "confirm" and row["verdict_TR_at"] == \
        both["verdicts"]["TR"]["at"]
    assert rows[disputed["id"]]["verdict_IR"] == ""


def test_the_geojson_is_a_feature_collection_with_lon_lat_points(record):
    # A report placed only by its governorate: an incident without a point.
    submit_report(record, ReportIn.model_validate({
        "when": {"date": "2017-01-21"}, "place": {"adm1": "SY14"},
        "violation": "obstruction_of_aid",
        "casualties": {"best": 1}}), party="TR")
    found = json.loads(exported(record, "geojson"))
    assert found["type"] == "FeatureCollection" and found["features"]
    assert set(found["checkpoint"]) == {"size", "root"}
    unplaced = 0
    for f in found["features"]:
        assert f["type"] == "Feature" and f["id"] == f["properties"]["id"]
        place = f["properties"]["place"]
        if f["geometry"] is None:
            unplaced += 1
            assert place["lon"] is None
            continue
        assert f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]
        assert (lon, lat) == (place["lon"], place["lat"])
        assert 35 < lon < 43 and 32 < lat < 38  # Syria: longitude first (RFC 7946)
    assert unplaced >= 1
    assert len(found["features"]) == len(listed(record, JANUARY, datetime.now(UTC)))


def test_equal_records_give_equal_bytes_and_the_command_writes_the_same(record, tmp_path):
    now = datetime.now(UTC)
    for fmt in ("csv", "geojson", "json"):
        assert exported(record, fmt, now=now) == exported(record, fmt, now=now)
    out = tmp_path / "january.csv"
    done = run("--database-url", url_of(record), "incident", "export", "--format", "csv",
               "--from", "2017-01-01", "--to", "2017-01-31", "--out", str(out))
    assert done.exit_code == 0, done.output
    assert out.read_text(encoding="utf-8") == exported(record, "csv")
    assert re.search(r"exported \d+ incidents? under syria-2016", done.stderr)
    shown = run("--database-url", url_of(record), "incident", "export", "--format", "json",
                "--party", "TR", "--status", "pending", "--adm", "SY03")
    assert shown.exit_code == 0, shown.output
    assert [x["reporting_parties"] for x in json.loads(shown.stdout)["incidents"]] == [["TR"]]
    # The list's search: a governorate named as a reader spells it.
    searched = run("--database-url", url_of(record), "incident", "export", "--format",
                   "json", "--from", "2017-01-01", "--to", "2017-01-31", "--search", "Idleb")
    assert searched.exit_code == 0, searched.output
    found = json.loads(searched.stdout)["incidents"]
    assert found and {x["place"]["adm1"]["code"] for x in found} == {"SY07"}


def test_an_export_reads_one_snapshot_whatever_is_written_meanwhile(record):
    before = listed(record, JANUARY, datetime.now(UTC))
    entries = sql(record, "SELECT count(*) FROM ledger_entries")[0][0]
    with export_incidents(record, JANUARY, "csv") as export:
        # Begun (the selection checked, the snapshot taken) but nothing read yet: a new
        # incident of January, with its ledger entry, is not in it.
        submit_report(record, ReportIn.model_validate({
            "when": {"date": "2017-01-21"}, "place": {"adm1": "SY14"},
            "violation": "obstruction_of_aid"}), party="TR")
        rows = list(csv.DictReader(io.StringIO("".join(export))))
    assert [r["id"] for r in rows] == [uid for uid, _ in before]
    assert export.header.checkpoint_size == entries
    assert {r["checkpoint_size"] for r in rows} == {str(entries)}
    assert len(listed(record, JANUARY, datetime.now(UTC))) == len(before) + 1


BAD_FILTERS = [
    (("--status", "approved"), "status"), (("--adm", "SY99"), "adm"),
    (("--adm", "Aleppo"), "adm"), (("--from", "2017-13-01"), "from"),
    (("--from", "2017-02-01", "--to", "2017-01-01"), "to"),
    (("--agreement", "nowhere"), "agreement"), (("--party", "XX"), "party"),
    (("--violation", "rudeness"), "violation")]


def test_a_bad_filter_is_refused_by_name_and_nothing_is_written(record, tmp_path):
    out = tmp_path / "refused.csv"
    for args, field in BAD_FILTERS:
        done = run("--database-url", url_of(record), "incident", "export", "--format",
                   "csv", "--out", str(out), *args)
        assert done.exit_code == 1, (args, done.output)
        assert done.stderr.startswith(f"error: {field}"), (args, done.stderr)
        assert done.stdout == ""
        assert not [p for p in tmp_path.iterdir() if out.name in p.name], args
        # Nor on standard output.
        shown = run("--database-url", url_of(record), "incident", "export", "--format",
                    "json", *args)
        assert shown.exit_code == 1 and shown.stdout == "", args


def test_the_page_streams_the_lists_selection_as_an_attachment(record):
    set_password(record, username="un-monitor", password=PASSWORD)
    with TestClient(app_for(record), base_url="https://testserver",
                    follow_redirects=False) as client:
        assert client.get("/incidents/export.csv").headers["location"].endswith("/login")
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        assert client.post("/login", data={"username": "un-monitor", "password": PASSWORD,
                                           "csrf_token": token}).status_code == 303
        got = client.get("/incidents/export.csv", params={"from": "2017-01-01",
                                                          "to": "2017-01-31"})
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
        assert got.headers["content-disposition"] == \
            'attachment; filename="incidents_syria-2016_2017-01-01_2017-01-31.csv"'
        assert got.text == exported(record, "csv")
        geo = client.get("/incidents/export.geojson", params={"status": "confirmed"})
        assert geo.headers["content-type"] == "application/geo+json"
        assert {f["properties"]["status"] for f in geo.json()["features"]} == {"confirmed"}
        bad = client.get("/incidents/export.json", params={"status": "approved"})
        assert bad.status_code == 422 and "approved" in bad.text
        assert bad.headers["content-type"].startswith("text/html")
        assert client.get("/incidents/export.xml").status_code == 404


def test_an_incidents_injured_is_the_highest_any_of_its_reports_gives(database,
                                                                       syria_scenario):
    load_scenario(database, syria_scenario)
    shelling = {"when": {"earliest": "2017-01-15T10:00:00Z"},
                "place": {"lat": 36.2021, "lon": 37.1343}, "violation": "shelling",
                "perpetrators": ["syrian-government"], "narrative": "Shelling of Aleppo."}
    figures = {"RU": 4, "TR": None, "IR": 9}
    incidents = {submit_report(database, ReportIn.model_validate(
        {**shelling, "casualties": {"best": 2, "injured": injured}}), party=party).incident
        for party, injured in figures.items()}
    assert len(incidents) == 1  # one event, three accounts of it
    unknown = submit_report(database, ReportIn.model_validate(
        {"when": {"date": "2017-01-21"}, "place": {"adm1": "SY14"},
         "violation": "obstruction_of_aid"}), party="TR").incident
    found = json.loads(exported(database, "json"))["incidents"]
    assert {x["id"]: x["injured"] for x in found} == {incidents.pop(): 9, unknown: None}
    rows = csv.DictReader(io.StringIO(exported(database, "csv")))
    assert sorted(r["injured"] for r in rows) == ["", "9"]
    geo = json.loads(exported(database, "geojson"))["features"]
    assert sorted(str(f["properties"]["injured"]) for f in geo) == ["9", "None"]
