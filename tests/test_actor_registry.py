"""The actor registry as the secretariat keeps it, on both backends: each change one signed
ledger entry that `ledger verify` holds the rows to; every refusal named and changing
nothing; a direct edit named; new names reaching imports and reports; merged actors
leading to the actor that stays while what named them keeps naming them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import text

from ceasefire.domain.actors import Actor, ActorName
from ceasefire.errors import CeasefireError, Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.intake.report_in import ReportIn
from ceasefire.services import actors, ledger, ledger_checks
from ceasefire.services.imports import import_file
from ceasefire.services.reference import names
from ceasefire.services.reports import submit_report
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import changes, parties
from ceasefire.store import ledger as ledger_store
from ceasefire.store.db import Database
from ceasefire.store.reports import iter_reports
from tests.fingerprint import fingerprint
from tests.records import UCDP

DOUMA = Actor("douma-army", "Douma Army", (ActorName("جيش دوما", "ar"),), side="opposition")
REPORT = {"when": {"date": "2017-02-10"}, "place": {"lat": 33.5711, "lon": 36.4053},
          "violation": "shelling", "targets": ["syrian-government"]}


@pytest.fixture
def loaded(database, syria_scenario) -> Database:
    load_scenario(database, syria_scenario)
    return database


def _actions(db: Database) -> list[str]:
    with db.session() as session:
        seq, _ = ledger_store.head(session)
        return [ledger_store.entry(session, n).action for n in range(1, seq + 1)]


def _verified(db: Database) -> None:
    found = ledger_checks.verify(db)
    assert found.ok, found.problem


def _sql(db: Database, statement: str) -> None:
    with db.engine.begin() as c:
        c.execute(text(statement))


def test_each_change_is_one_signed_entry_that_verify_holds(loaded):
    before = len(_actions(loaded))
    added = actors.add_actor(loaded, DOUMA, party="SEC")
    named = actors.add_alias(loaded, "douma-army", [ActorName("Jaysh Douma", "en")],
                             party="SEC")
    merged = actors.merge(loaded, "douma-army", into="jaysh-al-islam",
                          reason="The Douma Army is Jaysh al-Islam's name in Douma.",
                          party="SEC")
    assert _actions(loaded)[before:] == ["actor.added", "actor.alias_added", "actor.merged"]
    assert [added.entry, named.entry, merged.entry] == list(range(before + 1, before + 4))
    with loaded.session() as session:
        entry = ledger_store.entry(session, merged.entry)
        assert entry.party == "SEC" and entry.on_behalf
        assert entry.payload["into"] == "jaysh-al-islam"
        assert entry.payload["writes"]["count"] == 1  # the actor record, aliases included
        stored = parties.get_actor(session, code="douma-army")
    assert stored.merged_into == "jaysh-al-islam"
    assert [(a.text, a.lang) for a in stored.aliases] == [("جيش دوما", "ar"),
                                                          ("Jaysh Douma", "en")]
    _verified(loaded)


@pytest.fixture
def registry(loaded) -> Database:
    actors.add_actor(loaded, DOUMA, party="SEC")
    actors.merge(loaded, "douma-army", into="jaysh-al-islam", reason="one group", party="SEC")
    return loaded


@pytest.mark.parametrize(("what", "statement"), [
    ("an alias renamed", "UPDATE actor_aliases SET text = 'Army of Douma', normalised = "
     "'army of douma' WHERE text = 'جيش دوما'"),
    ("an alias added", "INSERT INTO actor_aliases (actor_id, text, lang, is_primary, "
     "normalised) SELECT id, 'Jaish Douma', 'en', false, 'jaish douma' FROM actors WHERE "
     "code = 'douma-army'"),
    ("a merge undone", "UPDATE actors SET merged_into = NULL WHERE code = 'douma-army'"),
    ("a merge redirected", "UPDATE actors SET merged_into = 'isil' WHERE code = "
     "'douma-army'"),
])
def test_verify_names_a_direct_edit_of_a_name_or_a_merge(registry, what, statement):
    _sql(registry, statement)
    problem = ledger_checks.verify(registry).problem
    assert problem is not None, what
    assert "actor douma-army differs" in str(problem), (what, str(problem))


def test_verify_names_a_merge_made_behind_the_ledgers_back(loaded):
    _sql(loaded, "UPDATE actors SET merged_into = 'isil' WHERE code = 'fsa'")
    assert "actor fsa differs" in str(ledger_checks.verify(loaded).problem)


# What is refused, the error's class, and the field it names.
REFUSALS = {
    "an unknown actor": (lambda db: actors.add_alias(
        db, "martians", [ActorName("Martian Brigade", "en")], party="SEC"), NotFound, "actor"),
    "a code already used": (lambda db: actors.add_actor(
        db, Actor("isil", "Another group"), party="SEC"), Conflict, "code"),
    "a name another actor has": (lambda db: actors.add_actor(
        db, Actor("new-group", "New group", (ActorName("Daesh", "en"),)), party="SEC"),
        Conflict, "aliases"),
    "a name another actor has, spelled otherwise": (lambda db: actors.add_alias(
        db, "fsa", [ActorName("DAESH", "en")], party="SEC"), Conflict, "aliases"),
    "another actor's code as a name": (lambda db: actors.add_alias(
        db, "fsa", [ActorName("isil", "en")], party="SEC"), Conflict, "aliases"),
    "a name the actor has": (lambda db: actors.add_alias(
        db, "isil", [ActorName("daesh", "en")], party="SEC"), Conflict, "aliases"),
    "its own name again": (lambda db: actors.add_alias(
        db, "isil", [ActorName("Islamic State (ISIL)", "en")], party="SEC"),
        Conflict, "aliases"),
    "a name given twice": (lambda db: actors.add_alias(
        db, "fsa", [ActorName("Free Army", "en"), ActorName("free army", "en")],
        party="SEC"), Conflict, "aliases"),
    "a name of punctuation": (lambda db: actors.add_alias(
        db, "fsa", [ActorName("?!", "en")], party="SEC"), InvalidInput, "aliases"),
    "no name": (lambda db: actors.add_alias(db, "fsa", [], party="SEC"),
                InvalidInput, "aliases"),
    "an actor merged into itself": (lambda db: actors.merge(
        db, "fsa", into="fsa", reason="x", party="SEC"), InvalidInput, "into"),
    "a merge into an unknown actor": (lambda db: actors.merge(
        db, "fsa", into="martians", reason="x", party="SEC"), NotFound, "into"),
    "a merge without a reason": (lambda db: actors.merge(
        db, "fsa", into="syrian-opposition", reason="  ", party="SEC"),
        InvalidInput, "reason"),
    "a merge with a reason too long": (lambda db: actors.merge(
        db, "fsa", into="syrian-opposition", reason="x" * 2001, party="SEC"),
        InvalidInput, "reason"),
    "a new actor born merged": (lambda db: actors.add_actor(
        db, Actor("new-group", "New group", merged_into="isil"), party="SEC"),
        InvalidInput, "merged_into"),
    "an observer party": (lambda db: actors.add_actor(db, DOUMA, party="UN"),
                          Forbidden, None),
    "a guarantor party": (lambda db: actors.merge(
        db, "fsa", into="syrian-opposition", reason="x", party="RU"), Forbidden, None),
    "an unknown party": (lambda db: actors.add_actor(db, DOUMA, party="XX"),
                         NotFound, "party"),
    "an observer's token": (lambda db: actors.add_actor(
        db, DOUMA, token=db.tokens["un-monitor"]), Forbidden, None),
    "an analyst's login": (lambda db: actors.merge(
        db, "fsa", into="syrian-opposition", reason="x", username="analyst"),
        Forbidden, None),
}


@pytest.fixture
def with_tokens(database, syria_scenario) -> Database:
    database.tokens = load_scenario(database, syria_scenario).tokens
    return database


@pytest.mark.parametrize("what", REFUSALS)
def test_a_refused_change_is_named_and_changes_nothing(with_tokens, what):
    change, error, field = REFUSALS[what]
    before = fingerprint(with_tokens)
    with pytest.raises(error) as err:
        change(with_tokens)
    if field is not None:
        assert err.value.field == field, (what, err.value.field, str(err.value))
    assert fingerprint(with_tokens) == before, f"{what} was refused but changed the record"


def test_refusals_name_the_actors_they_are_about(loaded):
    with pytest.raises(Conflict, match="'Daesh' already leads to actor isil"):
        actors.add_alias(loaded, "fsa", [ActorName("Daesh", "en")], party="SEC")
    with pytest.raises(Forbidden, match="party UN is an observer party"):
        actors.add_actor(loaded, DOUMA, party="UN")
    actors.add_actor(loaded, DOUMA, party="SEC")
    actors.merge(loaded, "douma-army", into="jaysh-al-islam", reason="one", party="SEC")
    for change, field in (
            (lambda: actors.merge(loaded, "douma-army", into="isil", reason="x",
                                  party="SEC"), "actor"),
            (lambda: actors.merge(loaded, "fsa", into="douma-army", reason="x",
                                  party="SEC"), "into"),
            (lambda: actors.add_alias(loaded, "douma-army", [ActorName("Douma", "en")],
                                      party="SEC"), "actor")):
        with pytest.raises(Conflict, match="douma-army was merged into jaysh-al-islam: "
                                           "give jaysh-al-islam instead") as err:
            change()
        assert err.value.field == field
    with pytest.raises(Conflict, match="'Douma Army' already leads to actor douma-army "
                                       r"\(merged into jaysh-al-islam\)"):
        actors.add_alias(loaded, "fsa", [ActorName("Douma Army", "en")], party="SEC")


def test_a_name_the_merged_actor_has_may_be_given_to_the_one_it_leads_to(registry):
    actors.add_alias(registry, "jaysh-al-islam", [ActorName("Douma Army", "en")],
                     party="SEC")
    _verified(registry)


def test_a_report_naming_a_merged_actor_is_attributed_to_the_one_that_stays(registry):
    for name in ("Douma Army", "جيش دوما", "douma-army", "Dooma Army"):
        done = submit_report(registry, ReportIn.model_validate(
            {**REPORT, "perpetrators": [name]}), party="UN")
        assert done.report.perpetrators == ("jaysh-al-islam",), name
    _verified(registry)


def test_reports_that_named_it_before_the_merge_keep_naming_it(loaded):
    actors.add_actor(loaded, DOUMA, party="SEC")
    before = submit_report(loaded, ReportIn.model_validate(
        {**REPORT, "perpetrators": ["Douma Army"]}), party="UN").report
    assert before.perpetrators == ("douma-army",)
    actors.merge(loaded, "douma-army", into="jaysh-al-islam", reason="one", party="SEC")
    with loaded.session() as session:
        kept = {r.id: r for r in iter_reports(session)}[before.id]
        shown = names(session)
    assert kept.perpetrators == ("douma-army",)
    assert shown.actor("douma-army") == "Douma Army (merged into Jaysh al-Islam)"
    _verified(loaded)


def _ucdp_row(tmp_path: Path, side_a: str, line: int = 2) -> Path:
    """A file of the extract's row at ``line``, its side_a named so."""
    with UCDP.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, row = rows[0], rows[line - 1]
    row[header.index("side_a")] = side_a
    path = tmp_path / f"line-{line}.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, row])
    return path


def test_an_import_takes_a_name_once_the_secretariat_adds_it(loaded, tmp_path):
    path = _ucdp_row(tmp_path, "Liwa Shuhada al-Islam")
    with pytest.raises(InvalidInput, match="unknown actor 'Liwa Shuhada al-Islam'"):
        import_file(loaded, path, format="ucdp", party="SEC")
    actors.add_alias(loaded, "jaysh-al-islam", [ActorName("Liwa Shuhada al-Islam", "en")],
                     party="SEC")
    assert import_file(loaded, path, format="ucdp", party="SEC").added == 1
    # A variant spelling of the new name finds it too.
    assert import_file(loaded, _ucdp_row(tmp_path, "Liwaa Shouhada el-Islam", 3),
                       format="ucdp", party="SEC").added == 1
    with loaded.session() as session:
        assert {r.perpetrators for r in iter_reports(session)} == {("jaysh-al-islam",)}
    _verified(loaded)


def test_names_added_within_a_scenario_load_are_their_own_entry(loaded):
    """How a scenario loaded again adds names: inside its transaction, before its entry."""
    with loaded.session(write=True) as session:
        parties.add_actor(session, actor=Actor("new-group", "New group"))  # the load's write
        signer = ledger.mechanism(session)
        named = actors.add_aliases_in(session, signer, "isil",
                                      [ActorName("Da'ish", "en"), ActorName("ИГ", "ru")])
        assert actors.add_aliases_in(session, signer, "isil", []) is None
        assert changes.pending(session) == [("actor", "new-group")]
        ledger.append(session, signer, "scenario.loaded", {"created": {"actor": 1}})
    assert named is not None and named.payload["writes"]["count"] == 1
    assert _actions(loaded)[-2:] == ["actor.alias_added", "scenario.loaded"]
    _verified(loaded)


def test_a_failed_change_leaves_no_entry(loaded):
    before = _actions(loaded)
    with pytest.raises(CeasefireError):
        actors.add_actor(loaded, Actor("new-group", "New group",
                                       (ActorName("ISIS", "en"),)), party="SEC")
    assert _actions(loaded) == before
    with loaded.session() as session:
        assert parties.find_actor(session, code="new-group") is None


def test_show_gives_names_status_and_merges(registry):
    view = actors.show(registry, "jaysh-al-islam")
    assert view.merged_here == ["douma-army"] and view.surviving == "jaysh-al-islam"
    assert [(code, status.value) for code, _, status in view.statuses] == [
        ("syria-2016", "signatory")]
    assert actors.show(registry, "douma-army").surviving == "jaysh-al-islam"
    with pytest.raises(NotFound):
        actors.show(registry, "martians")


def test_a_file_imported_before_a_merge_is_refused_where_it_named_the_merged_actor(
        loaded, tmp_path):
    """As docs/decisions.md says: its rows now name the survivor, and an import never
    rewrites a stored report."""
    path = _ucdp_row(tmp_path, "Douma Army")
    actors.add_actor(loaded, DOUMA, party="SEC")
    assert import_file(loaded, path, format="ucdp", party="SEC").added == 1
    actors.merge(loaded, "douma-army", into="jaysh-al-islam", reason="one", party="SEC")
    with pytest.raises(Conflict, match="already in the record with different content"):
        import_file(loaded, path, format="ucdp", party="SEC")
    _verified(loaded)
