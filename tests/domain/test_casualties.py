import pytest

from ceasefire.domain import Casualties
from ceasefire.errors import InvalidInput


def test_range_must_be_ordered():
    with pytest.raises(InvalidInput, match="low <= best <= high"):
        Casualties(low=5, best=3, high=10)


def test_negative_count_names_its_field():
    with pytest.raises(InvalidInput) as err:
        Casualties(low=0, best=1, high=1, civilian=-1)
    assert err.value.field == "casualties.civilian"
    with pytest.raises(InvalidInput) as err:
        Casualties(injured=-1)
    assert err.value.field == "casualties.injured"


def test_full_split_must_add_up_to_best():
    with pytest.raises(InvalidInput, match="must equal best"):
        Casualties(low=4, best=4, high=6, civilian=1, combatant=1, unknown=1)
    assert Casualties(low=4, best=4, high=6, civilian=2, combatant=1, unknown=1).best == 4


def test_partial_split_cannot_exceed_best():
    with pytest.raises(InvalidInput, match="exceeds best"):
        Casualties(low=1, best=2, high=3, civilian=3)
    assert Casualties(low=1, best=2, high=3, civilian=2).split() == {"civilian": 2}


def test_sum_keeps_only_splits_both_sides_know():
    total = (Casualties(1, 2, 3, civilian=2) + Casualties(0, 1, 1, civilian=1, combatant=0))
    assert (total.low, total.best, total.high) == (1, 3, 4)
    assert total.split() == {"civilian": 3}
