"""Actors found by their names as UCDP, ACLED and the press spell them, merges followed,
and never a guess between two actors."""

from __future__ import annotations

import pytest

from ceasefire.domain.actors import (
    Actor,
    ActorDirectory,
    ActorName,
    UnknownActor,
    surviving,
    variant_key,
)
from ceasefire.errors import InvalidInput


def _actor(code: str, name: str, *aliases: str, merged_into: str | None = None) -> Actor:
    return Actor(code, name, tuple(ActorName(a, "en") for a in aliases),
                 side="opposition", merged_into=merged_into)


LEVANT = _actor("levant-front", "Levant Front", "al-Jabha al-Shamiya")
ISLAM = _actor("jaysh-al-islam", "Jaysh al-Islam", "Army of Islam")
HTS = _actor("hts", "Hay'at Tahrir al-Sham", "HTS")
AHRAR = _actor("ahrar-al-sham", "Ahrar al-Sham")
NUSRA = _actor("nusra", "Jabhat al-Nusra")


@pytest.fixture
def directory() -> ActorDirectory:
    return ActorDirectory([LEVANT, ISLAM, HTS, AHRAR, NUSRA])


@pytest.mark.parametrize(("spelled", "code"), [
    # UCDP GED and ACLED spellings of the same groups.
    ("al-Jabhat al-Shamiyah", "levant-front"),
    ("Al-Jabhat al-Shamiyya", "levant-front"),
    ("Jabhat al Shamiya", "levant-front"),
    ("Jaish al-Islam", "jaysh-al-islam"),
    ("Jeish al-Islam", "jaysh-al-islam"),
    ("Jaysh el Islam", "jaysh-al-islam"),
    ("Hayat Tahrir al-Sham", "hts"),
    ("Haiat Tahrir al-Sham", "hts"),
    ("Hay’at Tahrir ash-Sham", "hts"),
    ("Hayat Tahrir alSham", "hts"),
    ("Hayat-Tahrir-al-Sham", "hts"),
    ("Heyet Tahrir el Şam", "hts"),
    ("HTS", "hts"),
    ("Ahrar ash-Sham", "ahrar-al-sham"),
    ("Ahrar as-Sham", "ahrar-al-sham"),
    ("Ahrar el Sham", "ahrar-al-sham"),
    ("Ahrar al-Shaam", "ahrar-al-sham"),  # once an unknown name in the import tests
])
def test_spellings_of_one_name_find_its_actor(directory, spelled, code):
    assert directory.resolve(spelled) == code


@pytest.mark.parametrize(("a", "b"), [
    ("جيش الإسلام", "جيش الاسلام"),
    ("هيئة تحرير الشام", "هيئه تحرير الشام"),
    ("Хезболла", "Хизбалла"),
])
def test_arabic_and_cyrillic_variants_share_a_key(a, b):
    assert variant_key(a) == variant_key(b) != ""


@pytest.mark.parametrize("short", ["IS", "SDF", "US", "YPG", "FSA"])
def test_short_names_have_no_variant_key(short):
    # "US" must not find the Islamic State because both fold to "s".
    assert variant_key(short) == ""


@pytest.mark.parametrize(("a", "b"), [
    ("Jaysh al-Islam", "Jaysh Idlib"),
    ("Ahrar al-Sham", "Thuwar al-Sham"),
    ("Faylaq al-Sham", "Faylaq al-Rahman"),
    ("Jabhat al-Nusra", "Jabhat al-Shamiya"),
])
def test_different_names_keep_different_keys(a, b):
    assert variant_key(a) != variant_key(b)


def test_an_unknown_name_is_unknown_by_name(directory):
    with pytest.raises(UnknownActor) as err:
        directory.resolve("Martian Brigade")
    assert err.value.name == "Martian Brigade"
    assert "ceasefire actor alias" in err.value.message


def test_a_spelling_two_actors_share_is_refused_not_guessed():
    twin = _actor("jaish-al-islam-2", "Jeish al-Islam")
    directory = ActorDirectory([ISLAM, twin])
    with pytest.raises(InvalidInput, match=r"spelled like names of Jeish al-Islam "
                       r"\(jaish-al-islam-2\), Jaysh al-Islam \(jaysh-al-islam\): use the code"):
        directory.resolve("Jaish el-Islam")
    # A name one of them holds exactly is no guess.
    assert directory.resolve("Jeish al-Islam") == "jaish-al-islam-2"
    assert directory.resolve("Jaysh al-Islam") == "jaysh-al-islam"
    assert directory.spelled_like("Jaish al Islam") == {"jaysh-al-islam", "jaish-al-islam-2"}


def test_a_merged_actor_leads_to_the_one_it_was_merged_into():
    old = _actor("jaish-al-islam-old", "Jaish al-Islam (Douma)", "Douma Army",
                 merged_into="jaysh-al-islam")
    directory = ActorDirectory([ISLAM, old])
    assert directory.resolve("jaish-al-islam-old") == "jaysh-al-islam"  # its code
    assert directory.resolve("Douma Army") == "jaysh-al-islam"  # its alias
    assert directory.resolve("Dooma Army") == "jaysh-al-islam"  # a variant of it
    assert directory.get("jaish-al-islam-old").name == "Jaish al-Islam (Douma)"


def test_a_name_the_merged_and_the_surviving_actor_share_is_no_clash():
    old = _actor("islam-2", "Jaysh al-Islam", merged_into="jaysh-al-islam")
    assert ActorDirectory([ISLAM, old]).resolve("Jaysh al-Islam") == "jaysh-al-islam"


def test_merges_are_followed_to_the_end_of_a_chain_and_a_loop_ends():
    a = _actor("a-group", "A Group", merged_into="b-group")
    b = _actor("b-group", "B Group", merged_into="c-group")
    c = _actor("c-group", "C Group")
    assert ActorDirectory([a, b, c]).resolve("A Group") == "c-group"
    looped = {x.code: x for x in (_actor("x-group", "X", merged_into="y-group"),
                                  _actor("y-group", "Y", merged_into="x-group"))}
    assert surviving(looped, "x-group") in looped  # ends, on an actor it has
    assert surviving({}, "nobody") == "nobody"


def test_an_actor_is_not_merged_into_itself():
    with pytest.raises(InvalidInput) as err:
        _actor("a-group", "A Group", merged_into="a-group")
    assert err.value.field == "merged_into"


@pytest.mark.parametrize(("code", "field"), [
    ("Bad Code", "code"), ("isil\n", "code"), ("x" * 64, "code"), ("", "code")])
def test_codes_are_checked_whole(code, field):
    with pytest.raises(InvalidInput) as err:
        Actor(code, "A name")
    assert err.value.field == field


@pytest.mark.parametrize("lang", ["english", "EN", "e", "en\n", ""])
def test_alias_languages_are_iso_639_codes(lang):
    with pytest.raises(InvalidInput) as err:
        ActorName("Daesh", lang)
    assert err.value.field == "lang"
