from dataclasses import replace

import pytest
from sqlalchemy import func, select

from ceasefire.domain import Actor, ActorName, Role
from ceasefire.errors import Conflict
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import agreements, parties
from ceasefire.store.tables import Base


def row_counts(database) -> dict[str, int]:
    with database.session() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t))
                for t in Base.metadata.sorted_tables}


def test_scenario_round_trips_as_domain_objects(database, syria_scenario):
    load_scenario(database, syria_scenario)
    with database.session() as s:
        assert agreements.find_as_agreed(s, code="syria-2016") == syria_scenario.agreements[0]
        amended = syria_scenario.agreements[0]
        for amendment in syria_scenario.amendments:
            amended = amendment.apply(amended)
        assert agreements.get_agreement(s, code="syria-2016") == amended
        assert [a.amendment for a in agreements.amendments_of(s, code="syria-2016")] == list(
            syria_scenario.amendments)
        assert parties.list_parties(s) == sorted(syria_scenario.parties, key=lambda p: p.code)
        assert parties.list_actors(s) == sorted(syria_scenario.actors, key=lambda a: a.code)


def test_loading_twice_changes_nothing(database, syria_scenario):
    first = load_scenario(database, syria_scenario)
    counts = row_counts(database)
    second = load_scenario(database, syria_scenario)
    assert first.created == {"party": 5, "actor": 45, "agreement": 1, "account": 6,
                             "amendment": 6}
    assert second.created == {} and second.tokens == {}
    assert second.unchanged == first.created
    assert row_counts(database) == counts


def test_a_conflict_late_in_the_load_undoes_the_earlier_writes(database, syria_scenario):
    load_scenario(database, syria_scenario)
    before = row_counts(database)
    newcomer = Actor("newcomer", "New group", (ActorName("مجموعة جديدة", "ar"),))
    # Accounts are stored last: the new actor is written before the clash is found.
    demoted = replace(syria_scenario.accounts[0], role=Role.ANALYST)
    edited = replace(syria_scenario, actors=(*syria_scenario.actors, newcomer),
                     accounts=(demoted, *syria_scenario.accounts[1:]))
    with pytest.raises(Conflict) as err:
        load_scenario(database, edited)
    assert err.value.id == "ru-officer" and "role" in err.value.message
    assert row_counts(database) == before
    with database.session() as s:
        assert parties.find_actor(s, code="newcomer") is None


def test_a_changed_party_is_refused_not_rewritten(database, syria_scenario):
    load_scenario(database, syria_scenario)
    renamed = replace(syria_scenario.parties[0], name="Someone else")
    with pytest.raises(Conflict) as err:
        load_scenario(database, replace(syria_scenario,
                                        parties=(renamed, *syria_scenario.parties[1:])))
    assert err.value.id == "RU" and err.value.field == "party.name"
    with database.session() as s:
        assert parties.get_party(s, code="RU").name == "Russian Federation"


def test_actors_are_found_by_any_alias_in_any_script(database, syria_scenario):
    load_scenario(database, syria_scenario)
    with database.session() as s:
        for name in ("Daesh", "داعش", "ДАИШ", "DEAŞ", "islamic state"):
            assert [a.code for a in parties.actors_named(s, name=name)] == ["isil"]
        assert [a.code for a in parties.actors_named(s, name="احرار الشام")] == ["ahrar-al-sham"]
        for name in ("Hayat Tahrir al-Sham", "Nusra", "جبهه النصره"):
            assert [a.code for a in parties.actors_named(s, name=name)] == [
                "jabhat-fatah-al-sham"]
        assert [a.code for a in parties.actors_named(s, name="YPG")] == ["ypg"]
        assert parties.actors_named(s, name="nobody at all") == []


def test_a_grown_registry_takes_the_file_again_and_new_names_are_signed(database,
                                                                        syria_scenario):
    from ceasefire.services import actors, ledger_checks
    from ceasefire.store import ledger as ledger_store

    load_scenario(database, syria_scenario)
    actors.add_alias(database, "isil", [ActorName("Dawlat al-Islamiyya", "en")], party="SEC")
    actors.merge(database, "first-regiment", into="fsa", reason="one group", party="SEC")
    assert load_scenario(database, syria_scenario).created == {}  # nothing to refuse
    isil = next(a for a in syria_scenario.actors if a.code == "isil")
    grown = replace(isil, aliases=(*isil.aliases, ActorName("Tanzim al-Dawla", "en")))
    more = replace(syria_scenario, actors=tuple(grown if a.code == "isil" else a
                                                for a in syria_scenario.actors))
    assert load_scenario(database, more).created == {"actor name": 1}
    with database.session() as s:
        names = {a.text for a in parties.find_actor(s, code="isil").aliases}
        last = list(ledger_store.entries(s))[-1][0]
    assert {"Dawlat al-Islamiyya", "Tanzim al-Dawla"} <= names
    assert (last.action, last.party) == ("actor.alias_added", "SEC")
    assert ledger_checks.verify(database).ok
    renamed = replace(isil, name="Islamic State of somewhere else")
    with pytest.raises(Conflict, match="actor 'isil' is already stored with a different name"):
        load_scenario(database, replace(syria_scenario, actors=tuple(
            renamed if a.code == "isil" else a for a in syria_scenario.actors)))
