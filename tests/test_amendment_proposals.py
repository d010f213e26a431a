"""Amendments by agreement of the guarantors, on both backends: where the terms say the
guarantors amend them, nothing changes until each guarantor has consented in its own name;
no one else (the secretariat, the host, an observer) can change them, one objection closes
a proposal, and the ledger holds every step against the rows it signed."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.domain.amendment import amendment_of
from ceasefire.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.services import ledger_checks
from ceasefire.services.amendments import amend
from ceasefire.services.proposals import consent, listing, object_to, propose
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import ledger as ledger_store
from ceasefire.store.tables import AmendmentProposalRow, AmendmentRow, LedgerEntryRow
from tests.records import BY_GUARANTORS, SCENARIO, by_guarantors
from tests.test_cli import run, url_of

EXCLUDE = {"change": "actor-status", "actor": "ahrar-al-sham", "status": "excluded",
           "effective": "2017-03-01", "reason": "named as excluded at the talks"}


def _excluding() -> object:
    return amendment_of("syria-2016", **EXCLUDE)


def _state(db) -> tuple[int, int, int, list]:
    """Ledger entries, amendments, proposals, and each proposal's consents and objection."""
    with db.session() as session:
        count = lambda row: session.scalar(select(func.count()).select_from(row))  # noqa: E731
        return (count(LedgerEntryRow), count(AmendmentRow), count(AmendmentProposalRow),
                [(p.consents, p.objection) for p in session.scalars(
                    select(AmendmentProposalRow).order_by(AmendmentProposalRow.id))])


@pytest.fixture
def db(built_records, backend, request):
    return built_records.copy(request, BY_GUARANTORS)


def test_the_terms_change_only_once_every_guarantor_has_consented(db):
    proposed = propose(db, _excluding(), username="ru-officer")
    assert proposed.waiting_for == ("TR", "IR") and proposed.amended is None
    assert [c.party for c in proposed.proposal.consents] == ["RU"]  # who proposes consents
    assert listing(db, "syria-2016")[0].version == 6  # not in force yet

    second = consent(db, "syria-2016", proposed.proposal.id, username="tr-officer")
    assert second.waiting_for == ("IR",) and second.amended is None
    agreement, _ = listing(db, "syria-2016")
    assert agreement.version == 6 and agreement.status_changes[-1].actor == "hurras-ad-din"

    last = consent(db, "syria-2016", proposed.proposal.id, username="ir-officer")
    assert last.amended is not None and last.amended.version == 7
    assert last.proposal.outcome == "adopted" and last.proposal.version == 7
    agreement, proposals = listing(db, "syria-2016")
    assert agreement.version == 7
    assert agreement.status_changes[-1].actor == "ahrar-al-sham"
    assert [p.outcome for p in proposals] == ["adopted"]

    with db.session() as session:
        entries = [e for e, _ in ledger_store.entries(session)]
    steps = [(e.action, e.account) for e in entries][-4:]
    assert steps == [("agreement.amendment_proposed", "ru-officer"),
                     ("agreement.amendment_consented", "tr-officer"),
                     ("agreement.amendment_consented", "ir-officer"),
                     ("agreement.amended", "ir-officer")]
    assert entries[-1].payload["proposal"] == proposed.proposal.id
    assert ledger_checks.verify(db).ok


def test_the_secretariat_cannot_amend_terms_the_guarantors_amend(db):
    before = _state(db)
    with pytest.raises(Forbidden, match="amended by agreement of its guarantors"):
        amend(db, _excluding(), username="secretariat")
    assert _state(db) == before


def test_the_secretariat_tables_a_proposal_without_consenting(db):
    tabled = propose(db, _excluding(), username="secretariat")
    assert tabled.proposal.consents == () and tabled.waiting_for == ("RU", "TR", "IR")
    assert tabled.proposal.proposed_by == "SEC"


def test_a_proposal_to_terms_the_secretariat_amends_is_refused(built_records, backend,
                                                                request):
    plain = built_records.copy(request, SCENARIO)
    before = _state(plain)
    with pytest.raises(Conflict, match="amended by the secretariat"):
        propose(plain, _excluding(), username="ru-officer")
    assert _state(plain) == before


@pytest.mark.parametrize("username", ["un-monitor", "analyst", "secretariat"])
def test_only_a_guarantors_officer_consents(db, username):
    made = propose(db, _excluding(), username="ru-officer")
    before = _state(db)
    with pytest.raises(Forbidden, match="guarantors' officers do"):
        consent(db, "syria-2016", made.proposal.id, username=username)
    with pytest.raises(Forbidden):
        object_to(db, "syria-2016", made.proposal.id, "no", username=username)
    assert _state(db) == before


def test_a_guarantor_consents_once(db):
    made = propose(db, _excluding(), username="ru-officer")
    before = _state(db)
    with pytest.raises(Conflict, match="RU has already consented"):
        consent(db, "syria-2016", made.proposal.id, username="ru-officer")
    with pytest.raises(Conflict, match="a consent given stands"):
        object_to(db, "syria-2016", made.proposal.id, "changed my mind",
                  username="ru-officer")
    with pytest.raises(NotFound) as missing:
        consent(db, "syria-2016", made.proposal.id + 99, username="tr-officer")
    assert missing.value.field == "proposal"
    assert _state(db) == before


def test_one_objection_closes_a_proposal_and_the_terms_stay(db):
    made = propose(db, _excluding(), username="ru-officer")
    with pytest.raises(InvalidInput) as no_reason:
        object_to(db, "syria-2016", made.proposal.id, "  ", username="tr-officer")
    assert no_reason.value.field == "reason"
    closed = object_to(db, "syria-2016", made.proposal.id, "not agreed at the talks",
                       username="tr-officer")
    assert closed.proposal.outcome == "objected"
    assert closed.proposal.objection.party == "TR"
    before = _state(db)
    with pytest.raises(Conflict, match="is closed"):
        consent(db, "syria-2016", made.proposal.id, username="ir-officer")
    assert _state(db) == before and listing(db, "syria-2016")[0].version == 6
    assert ledger_checks.verify(db).ok


def test_an_adoption_the_terms_no_longer_allow_is_refused_and_leaves_it_open(db):
    """Proposals pass each other: the agreement ends before the other's date."""
    late = propose(db, amendment_of("syria-2016", "zone-ended", zone="idlib-sochi",
                                    effective="2019-06-01", reason="the zone falls"),
                   username="ru-officer")
    consent(db, "syria-2016", late.proposal.id, username="tr-officer")
    ending = propose(db, amendment_of("syria-2016", "agreement-ended", effective="2019-01-01",
                                      reason="the talks end"), username="tr-officer")
    consent(db, "syria-2016", ending.proposal.id, username="ru-officer")
    consent(db, "syria-2016", ending.proposal.id, username="ir-officer")
    before = _state(db)
    with pytest.raises(InvalidInput) as refused:
        consent(db, "syria-2016", late.proposal.id, username="ir-officer")
    assert refused.value.field == "effective"
    assert _state(db) == before  # the consent is not kept either
    assert [p.outcome for p in listing(db, "syria-2016")[1]] == ["open", "adopted"]


def test_a_bad_proposal_is_refused_by_name_and_changes_nothing(db):
    before = _state(db)
    with pytest.raises(NotFound) as unknown:
        propose(db, amendment_of("syria-2016", **{**EXCLUDE, "actor": "no-such-group"}),
                username="ru-officer")
    assert unknown.value.field == "actor"
    with pytest.raises(InvalidInput) as early:
        propose(db, amendment_of("syria-2016", **{**EXCLUDE, "effective": "2016-01-01"}),
                username="ru-officer")
    assert early.value.field == "effective"
    assert _state(db) == before


def test_a_consent_written_into_the_database_is_named_by_verify(db):
    made = propose(db, _excluding(), username="ru-officer")
    with db.session(write=True) as session:
        session.execute(text("UPDATE amendment_proposals SET consents = :c WHERE id = :id"),
                        {"c": '[{"party": "RU", "at": "2026-01-01T00:00:00+00:00"}, '
                              '{"party": "TR", "at": "2026-01-01T00:00:00+00:00"}]',
                         "id": made.proposal.id})
    problem = ledger_checks.verify(db).problem
    assert problem is not None
    assert f"proposal {made.proposal.id} differs in the database" in str(problem)


def test_a_scenario_loaded_again_cannot_amend_past_the_guarantors(db):
    scenario = by_guarantors()
    extra = amendment_of("syria-2016", "agreement-ended", effective="2020-03-06",
                         reason="a later file")
    before = _state(db)
    with pytest.raises(Conflict, match="propose amendment 7"):
        load_scenario(db, replace(scenario, amendments=(*scenario.amendments, extra)))
    assert _state(db) == before
    # What the guarantors agreed at first is loaded as it stands.
    assert load_scenario(db, scenario).created == {}


def test_the_api_proposes_consents_and_objects(db):
    tokens = db.built
    with TestClient(create_app(Settings(database_url=url_of(db)), database=db)) as client:
        def as_(username: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {tokens[username]}"}

        url = "/api/v1/agreements/syria-2016/proposals"
        refused = client.post(url, json=EXCLUDE, headers=as_("un-monitor"))
        assert refused.status_code == 403, refused.text
        made = client.post(url, json=EXCLUDE, headers=as_("ru-officer"))
        assert made.status_code == 201, made.text
        body = made.json()
        assert body["waiting_for"] == ["TR", "IR"] and body["outcome"] == "open"
        assert client.post(f"{url}/{body['id']}/consent",
                           headers=as_("tr-officer")).json()["waiting_for"] == ["IR"]
        adopted = client.post(f"{url}/{body['id']}/consent", headers=as_("ir-officer"))
        assert adopted.status_code == 200, adopted.text
        assert adopted.json()["outcome"] == "adopted" and adopted.json()["version"] == 7
        assert client.post(f"{url}/{body['id']}/consent",
                           headers=as_("ir-officer")).status_code == 409
        assert client.post(f"{url}/999/consent", headers=as_("ir-officer")).status_code == 404
        other = client.post(url, json={**EXCLUDE, "actor": "jaysh-al-islam"},
                            headers=as_("tr-officer")).json()
        objected = client.post(f"{url}/{other['id']}/objection", json={"reason": "no"},
                               headers=as_("ir-officer"))
        assert objected.status_code == 200 and objected.json()["outcome"] == "objected"
        listed = client.get(url).json()
        assert [p["outcome"] for p in listed] == ["adopted", "objected"]
        assert listed[0]["consents"][0]["party"] == "RU"
    assert ledger_checks.verify(db).ok


def test_the_cli_proposes_consents_and_shows(db):
    url = url_of(db)
    made = run("--database-url", url, "agreement", "propose", "syria-2016", "actor-status",
               "--actor", "ahrar-al-sham", "--status", "excluded", "--on", "2017-03-01",
               "--reason", "named at the talks", "--account", "ru-officer")
    assert made.exit_code == 0, made.output
    assert "proposal 1: waiting for TR, IR" in made.stdout
    shown = run("--database-url", url, "agreement", "show", "syria-2016")
    assert "proposal 1 (open) actor-status ahrar-al-sham" in shown.stdout
    assert "consented: RU; waiting for TR, IR" in shown.stdout
    twice = run("--database-url", url, "agreement", "consent", "syria-2016", "1",
                "--account", "ru-officer")
    assert twice.exit_code == 1 and "RU has already consented" in twice.stderr
    run("--database-url", url, "agreement", "consent", "syria-2016", "1", "--account",
        "tr-officer")
    done = run("--database-url", url, "agreement", "consent", "syria-2016", "1", "--account",
               "ir-officer")
    assert done.exit_code == 0, done.output
    assert "adopted: terms version 7; 0 incidents assessed again" in done.stdout
    objected = run("--database-url", url, "agreement", "object", "syria-2016", "1",
                   "--reason", "late", "--account", "ir-officer")
    assert objected.exit_code == 1 and "proposal 1 is closed (adopted)" in objected.stderr
