from datetime import UTC, datetime

import pytest

from ceasefire.domain import Account, Actor, ActorName, Party, PartyKind, Role
from ceasefire.domain.actors import normalise_name
from ceasefire.domain.parties import check_role
from ceasefire.errors import InvalidInput


@pytest.mark.parametrize(("a", "b"), [
    ("Jabhat Fateh al-Sham", "jabhat  fateh AL SHAM"),
    ("Ahrar al-Sham", "Ahrar al‑Sham"),  # non-breaking hyphen
    ("أحرار الشام", "احرار الشام"),  # hamza on alif or not
    ("جبهة النصرة", "جبهه النصره"),  # ta marbuta written as ha
    ("IŞİD", "işid"),
    ("Faylaq al-Rahmān", "Faylaq al-Rahman"),
    ("Hay'at Tahrir al-Sham", "Hayat Tahrir al-Sham"),
    ("Hay’at Tahrir al-Sham", "Hayat Tahrir al-Sham"),
    ("Devrim Muhafızları", "Devrim Muhafizlari"),
])
def test_names_compare_after_normalisation(a, b):
    assert normalise_name(a) == normalise_name(b)


def test_different_names_stay_different():
    assert normalise_name("Jaysh al-Islam") != normalise_name("Jaysh Idlib")


def test_actor_is_called_by_any_alias():
    actor = Actor("isil", "Islamic State (ISIL)",
                  (ActorName("Daesh", "en"), ActorName("داعش", "ar")))
    assert actor.is_called("daesh") and actor.is_called("داعش")
    assert not actor.is_called("al-Nusra")


def test_duplicate_alias_is_refused():
    with pytest.raises(InvalidInput, match="given twice"):
        Actor("isil", "ISIL", (ActorName("Daesh", "en"), ActorName("Daesh", "en")))


def test_alias_language_must_be_iso_639():
    with pytest.raises(InvalidInput) as err:
        ActorName("Daesh", "English")
    assert err.value.field == "lang"


def test_public_key_must_be_ed25519_sized():
    with pytest.raises(InvalidInput) as err:
        Party("RU", "Russian Federation", PartyKind.GUARANTOR, public_key=b"short")
    assert err.value.field == "public_key"


@pytest.mark.parametrize(("kind", "role", "allowed"), [
    (PartyKind.GUARANTOR, Role.GUARANTOR, True),
    (PartyKind.OBSERVER, Role.GUARANTOR, False),
    (PartyKind.OBSERVER, Role.OBSERVER, True),
    (PartyKind.SECRETARIAT, Role.SECRETARIAT, True),
    (PartyKind.GUARANTOR, Role.SECRETARIAT, False),
])
def test_role_must_fit_party_kind(kind, role, allowed):
    party = Party("XX", "Party", kind)
    assert party.allows(role) is allowed
    if not allowed:
        with pytest.raises(InvalidInput):
            check_role(party, role)


def test_username_is_checked():
    with pytest.raises(InvalidInput) as err:
        Account("Bad Name!", "RU", Role.GUARANTOR, datetime(2017, 1, 1, tzinfo=UTC))
    assert err.value.field == "username"


@pytest.mark.parametrize(("name", "message"), [
    ("x" * 201, "at most 200"),
    ("Rus\x00sia", "control character"),
    ("   ", "must not be empty"),
])
def test_names_the_store_cannot_keep_are_refused(name, message):
    with pytest.raises(InvalidInput, match=message) as err:
        Party("RU", name, PartyKind.GUARANTOR)
    assert err.value.field == "name"
    with pytest.raises(InvalidInput, match=message):
        ActorName(name, "en")
