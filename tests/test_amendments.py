"""Amendments on the shipped record, on both backends: the terms change from a date, the
incidents the change can reach are judged again and no others, history stays as it was
judged, and the ledger holds every amendment against the entry that signed it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.domain.amendment import amendment_of
from ceasefire.errors import CeasefireError, Forbidden, InvalidInput, NotFound
from ceasefire.intake.report_in import ReportIn
from ceasefire.services import ledger_checks
from ceasefire.services.amendments import amend
from ceasefire.services.reports import submit_report
from ceasefire.store.tables import (
    ActorRow,
    AmendmentRow,
    AssessmentRow,
    IncidentReportRow,
    IncidentRow,
    LedgerEntryRow,
    ReportActorRow,
)
from tests.records import SCENARIO, UCDP_IMPORTED
from tests.test_cli import run, url_of

EXCLUDED_FROM = datetime(2017, 3, 1, tzinfo=UTC)


def _assessments(db) -> dict[str, tuple]:
    with db.session() as session:
        return {uid: (covered, checks, terms, version, status) for uid, covered, checks, terms,
                version, status in session.execute(select(
                    AssessmentRow.incident_uid, AssessmentRow.covered, AssessmentRow.checks,
                    AssessmentRow.terms, AssessmentRow.terms_version, AssessmentRow.status))}


def _naming(db, actor: str) -> dict[str, datetime]:
    """The incidents a report of which names the actor, with the latest moment they span."""
    with db.session() as session:
        return dict(session.execute(
            select(IncidentRow.uid, IncidentRow.latest).distinct()
            .join(IncidentReportRow, IncidentReportRow.incident_id == IncidentRow.id)
            .join(ReportActorRow, ReportActorRow.report_id == IncidentReportRow.report_id)
            .join(ActorRow).where(ActorRow.code == actor)).all())


def _size(db) -> tuple[int, int]:
    with db.session() as session:
        return (session.scalar(select(func.count()).select_from(LedgerEntryRow)),
                session.scalar(select(func.count()).select_from(AmendmentRow)))


@pytest.fixture
def ucdp(built_records, backend, request):
    return built_records.copy(request, UCDP_IMPORTED)


def test_an_actor_excluded_from_a_date_changes_only_what_came_after(ucdp):
    before = _assessments(ucdp)
    naming = _naming(ucdp, "ahrar-al-sham")
    after_date = {uid for uid, latest in naming.items() if latest >= EXCLUDED_FROM}
    assert len(after_date) > 20 and len(naming) - len(after_date) > 20  # both sides

    done = amend(ucdp, amendment_of("syria-2016", "actor-status", actor="ahrar-al-sham",
                                    status="excluded", effective="2017-03-01",
                                    reason="named as excluded by the guarantors"),
                 username="secretariat")

    assert done.version == 7  # the scenario's six, then this one
    assert done.reassessed == len(after_date)  # exactly those it can reach
    now = _assessments(ucdp)
    for uid, was in before.items():
        if uid not in after_date:
            assert now[uid] == was, uid  # untouched: as judged then, by the terms then
    changed = 0
    for uid in after_date:
        covered, checks, _, version, status = now[uid]
        assert version == 7
        rule = next(c for c in checks if c["rule"] == "excluded-actors")
        if checks != before[uid][1]:  # judged at its start: those that began after
            changed += 1
            assert not rule["passed"] and "ahrar-al-sham" in rule["reason"]
            assert not covered and status == "not-covered"
    assert changed > 20  # the exclusion took hold after its date
    assert ledger_checks.verify(ucdp).ok, ledger_checks.verify(ucdp).problem

    with ucdp.engine.begin() as c:  # the host moves the exclusion back a month
        c.execute(text("UPDATE amendments SET effective = '2017-02-01 00:00:00.000000' "
                       "WHERE version = 7"))
    problem = ledger_checks.verify(ucdp).problem
    assert problem is not None and "amendment 7 differs in the database" in str(problem)


def test_the_south_after_its_end_is_judged_by_the_general_terms(built_records, backend,
                                                                  request):
    db = built_records.copy(request, SCENARIO)
    daraa = {"place": {"lat": 32.6189, "lon": 36.1021}, "violation": "shelling",
             "perpetrators": ["syrian-government"], "targets": ["syrian-opposition"]}
    # The south zone ended 31 July 2018 (docs/scenario-syria-2016.md).
    inside = submit_report(db, ReportIn.model_validate(
        {**daraa, "when": {"earliest": "2018-07-20T08:00:00Z"}, "narrative": "a"}), party="RU")
    after = submit_report(db, ReportIn.model_validate(
        {**daraa, "when": {"earliest": "2018-08-15T08:00:00Z"}, "narrative": "b"}), party="RU")
    found = _assessments(db)
    assert found[inside.incident][2] == "south"
    assert found[after.incident][2] == "syria-2016"
    assert found[after.incident][0]  # still a violation, under the agreement's own terms
    assert found[after.incident][3] == found[inside.incident][3] == 6


def test_a_zone_ended_reassesses_the_zone_from_then_only(built_records, backend, request):
    db = built_records.copy(request, SCENARIO)
    daraa = {"place": {"lat": 32.6189, "lon": 36.1021}, "violation": "shelling",
             "when": {"earliest": "2018-08-15T08:00:00Z"}, "perpetrators": ["syrian-government"]}
    idlib = {**daraa, "place": {"lat": 35.9306, "lon": 36.6339}}
    south = submit_report(db, ReportIn.model_validate({**daraa, "narrative": "a"}), party="RU")
    north = submit_report(db, ReportIn.model_validate({**idlib, "narrative": "b"}), party="RU")
    # The record has no later zone in the south; a new one from September is added.
    done = amend(db, amendment_of("syria-2016", "zone-added", zone="south-2", name="South",
                                  pcodes=["SY12"], effective="2018-08-01",
                                  reason="a zone agreed again"), username="secretariat")
    assert done.reassessed == 1
    found = _assessments(db)
    assert found[south.incident][2:4] == ("south-2", 7)
    assert found[north.incident][3] == 6  # the Idlib incident was not reached


BAD = {
    "an unknown actor": (dict(change="actor-status", actor="no-such-group", status="excluded",
                              effective="2017-03-01"), NotFound, "actor"),
    "an overlapping zone": (dict(change="zone-added", zone="daraa", name="Daraa",
                                 pcodes=["SY1200"], effective="2017-06-01"), InvalidInput,
                            "area"),
    "a zone ended before its start": (dict(change="zone-ended", zone="idlib-sochi",
                                           effective="2018-09-01"), InvalidInput, "effective"),
    "a zone ended twice": (dict(change="zone-ended", zone="south", effective="2018-09-01"),
                           InvalidInput, "zone"),
    "an end before the agreement": (dict(change="agreement-ended", effective="2016-01-01"),
                                    InvalidInput, "effective"),
    "an unknown zone": (dict(change="zone-ended", zone="atlantis", effective="2017-06-01"),
                        InvalidInput, "zone"),
    "an unknown P-code": (dict(change="zone-added", zone="x", name="X", pcodes=["SY99"],
                               effective="2017-06-01"), InvalidInput, "area"),
    "a date without its offset": (dict(change="agreement-ended",
                                       effective="2018-01-01T00:00:00"), InvalidInput,
                                  "effective"),
    "an act the taxonomy lacks": (dict(change="acts-changed", acts=["rudeness"],
                                       effective="2017-06-01"), InvalidInput, "acts"),
    "no reason": (dict(change="agreement-ended", effective="2018-01-01", reason=" "),
                  InvalidInput, "reason"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_amendments_are_refused_by_name_and_change_nothing(built_records, backend,
                                                                 request, case):
    db = built_records.copy(request, SCENARIO)
    given, error, field = BAD[case]
    before, assessed = _size(db), _assessments(db)
    with pytest.raises(error) as caught:
        amend(db, amendment_of("syria-2016", **{"reason": "why", **given}),
              username="secretariat")
    assert caught.value.field == field, str(caught.value)
    assert _size(db) == before and _assessments(db) == assessed


@pytest.mark.parametrize("username", ["un-monitor", "ru-officer", "analyst"])
def test_only_the_secretariat_amends(built_records, backend, request, username):
    db = built_records.copy(request, SCENARIO)
    before = _size(db)
    with pytest.raises(Forbidden, match="cannot amend an agreement"):
        amend(db, amendment_of("syria-2016", "agreement-ended", effective="2019-01-01",
                               reason="why"), username=username)
    assert _size(db) == before


def test_the_api_amends_for_the_secretariat_and_refuses_an_observer(built_records, backend,
                                                                    request):
    db = built_records.copy(request, SCENARIO)
    tokens = db.built
    body = {"change": "agreement-ended", "effective": "2019-12-31", "reason": "the talks end"}
    settings = Settings(database_url=url_of(db))
    with TestClient(create_app(settings, database=db)) as client:
        refused = client.post("/api/v1/agreements/syria-2016/amendments", json=body,
                              headers={"Authorization": f"Bearer {tokens['un-monitor']}"})
        assert refused.status_code == 403, refused.text
        assert _size(db)[1] == 6
        bad = client.post("/api/v1/agreements/syria-2016/amendments",
                          json={**body, "effective": "someday"},
                          headers={"Authorization": f"Bearer {tokens['secretariat']}"})
        assert bad.status_code == 422 and "effective" in bad.text
        made = client.post("/api/v1/agreements/syria-2016/amendments", json=body,
                           headers={"Authorization": f"Bearer {tokens['secretariat']}"})
        assert made.status_code == 201, made.text
        assert made.json() == {"agreement": "syria-2016", "version": 7, "reassessed": 0}
        listed = client.get("/api/v1/agreements/syria-2016/amendments").json()
        assert [a["change"] for a in listed][-2:] == ["zone-added", "agreement-ended"]
        assert listed[-1]["made_by"] == "SEC"
        agreement = client.get("/api/v1/agreements/syria-2016").json()
        assert agreement["version"] == 7 and agreement["end"].startswith("2019-12-31")
    assert ledger_checks.verify(db).ok


def test_the_cli_amends_shows_and_refuses(built_records, backend, request):
    db = built_records.copy(request, SCENARIO)
    url = url_of(db)
    made = run("--database-url", url, "agreement", "amend", "syria-2016", "actor-status",
               "--actor", "ahrar-al-sham", "--status", "excluded", "--on", "2017-03-01",
               "--reason", "named by the guarantors", "--account", "secretariat")
    assert made.exit_code == 0, made.output
    assert "terms version 7" in made.stdout
    shown = run("--database-url", url, "agreement", "show", "syria-2016")
    assert "ahrar-al-sham excluded from 2017-03-01 00:00 UTC" in shown.stdout
    assert "v7 actor-status ahrar-al-sham" in shown.stdout
    refused = run("--database-url", url, "agreement", "amend", "syria-2016", "zone-ended",
                  "--zone", "idlib-sochi", "--on", "2018-01-01", "--reason", "x", "--account",
                  "secretariat")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: effective: the zone 'idlib-sochi' began "
                                     "2018-09-16 21:00 UTC")
    assert _size(db)[1] == 7


def test_a_scenario_loaded_again_adds_its_new_amendments_and_refuses_a_rewrite(
        built_records, backend, request, syria_scenario):
    from dataclasses import replace

    from ceasefire.services.scenarios import load_scenario

    db = built_records.copy(request, SCENARIO)
    extra = amendment_of("syria-2016", "agreement-ended", effective="2020-03-06",
                         reason="a later file")
    grown = replace(syria_scenario, amendments=(*syria_scenario.amendments, extra))
    result = load_scenario(db, grown)
    assert result.created == {"amendment": 1} and result.unchanged["amendment"] == 6
    assert _size(db)[1] == 7
    rewritten = replace(syria_scenario, amendments=(
        replace(syria_scenario.amendments[0], reason="another story"),
        *syria_scenario.amendments[1:], extra))
    before = _size(db)
    with pytest.raises(CeasefireError, match="would rewrite it"):
        load_scenario(db, rewritten)
    assert _size(db) == before
    assert ledger_checks.verify(db).ok
