import pytest

from ceasefire.domain import ViolationType
from ceasefire.domain.taxonomy import (
    FROM_ACLED,
    FROM_UCDP,
    LABELS,
    acled_event,
    ucdp_type_of_violence,
)

ACLED_EVENT_TYPES = {"Battles", "Explosions/Remote violence", "Violence against civilians",
                     "Protests", "Riots", "Strategic developments"}


def test_every_type_has_a_label():
    assert set(LABELS) == set(ViolationType)


def test_acled_table_covers_all_25_sub_event_types():
    assert len(FROM_ACLED) == 25
    assert {event for event, _ in FROM_ACLED} == ACLED_EVENT_TYPES


@pytest.mark.parametrize("kind", list(ViolationType))
def test_every_type_maps_to_an_acled_sub_event(kind):
    for state in (True, False):
        assert acled_event(kind, perpetrator_is_state=state) in FROM_ACLED


@pytest.mark.parametrize("kind", [k for k in ViolationType
                                  if k not in (ViolationType.ARMED_VIOLENCE,
                                               ViolationType.OBSTRUCTION_OF_AID)])
def test_acled_round_trip_keeps_the_type(kind):
    # Armed violence of unknown kind and aid obstruction have no ACLED sub-event of their own.
    assert FROM_ACLED[acled_event(kind, perpetrator_is_state=False)] is kind


def test_ground_offensive_splits_by_actor_kind():
    assert acled_event(ViolationType.GROUND_OFFENSIVE, perpetrator_is_state=True) == (
        "Battles", "Government regains territory")
    assert acled_event(ViolationType.GROUND_OFFENSIVE, perpetrator_is_state=False) == (
        "Battles", "Non-state actor overtakes territory")


def test_ucdp_type_depends_on_who_fought_whom():
    assert ucdp_type_of_violence(ViolationType.SHELLING, state_involved=True) == 1
    assert ucdp_type_of_violence(ViolationType.SHELLING, state_involved=False) == 2
    assert ucdp_type_of_violence(ViolationType.AIR_STRIKE, state_involved=True,
                                 target_is_civilian=True) == 3
    assert ucdp_type_of_violence(ViolationType.ABDUCTION, state_involved=True) == 3
    assert ucdp_type_of_violence(ViolationType.MILITARY_BUILDUP, state_involved=True) is None


def test_ucdp_types_map_back():
    assert set(FROM_UCDP) == {1, 2, 3}
    assert FROM_UCDP[3] is ViolationType.ATTACK_ON_CIVILIANS
