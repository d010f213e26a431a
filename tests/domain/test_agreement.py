from datetime import UTC, datetime, timedelta

import pytest

from ceasefire.domain import ActorStatus, AdminCodes, Area, Period, QuorumRule
from ceasefire.errors import InvalidInput
from tests.factories import make_agreement


@pytest.mark.parametrize(("rule", "guarantors", "size"), [
    (QuorumRule.UNANIMOUS, ("RU", "TR", "IR"), 3),
    (QuorumRule.MAJORITY, ("RU", "TR", "IR"), 2),
    (QuorumRule.MAJORITY, ("RU", "TR", "IR", "KZ"), 3),
    (QuorumRule.MAJORITY, ("RU",), 1),
])
def test_quorum_size(rule, guarantors, size):
    assert make_agreement(quorum=rule, guarantors=guarantors).quorum_size() == size


def test_actor_status_defaults_to_non_signatory():
    agreement = make_agreement(actor_status={"isil": ActorStatus.EXCLUDED,
                                             "gov": ActorStatus.SIGNATORY})
    assert agreement.status_of("isil") is ActorStatus.EXCLUDED
    assert agreement.status_of("sdf") is ActorStatus.NON_SIGNATORY
    assert agreement.signatories == {"gov"} and agreement.excluded == {"isil"}


@pytest.mark.parametrize(("overrides", "field"), [
    ({"guarantors": ()}, "guarantors"),
    ({"guarantors": ("RU", "RU")}, "guarantors"),
    ({"prohibited": frozenset()}, "prohibited"),
    ({"response_deadline": timedelta(0)}, "response_deadline"),
    ({"code": "Bad Code"}, "code"),
])
def test_invalid_agreement_names_the_field(overrides, field):
    with pytest.raises(InvalidInput) as err:
        make_agreement(**overrides)
    assert err.value.field == field


def test_period_must_end_after_it_starts():
    start = datetime(2017, 1, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        Period(start, start)


def test_area_needs_content_and_polygons():
    with pytest.raises(InvalidInput):
        Area()
    with pytest.raises(InvalidInput, match="Polygon"):
        Area(polygons=({"type": "Point", "coordinates": [36, 33]},))


def test_area_covers_admin_codes_below_its_pcodes():
    area = Area(pcodes=frozenset({"SY07", "SY0603"}))
    assert area.covers_admin(AdminCodes("SY07", "SY0700", "SY070000"))
    assert area.covers_admin(AdminCodes("SY06", "SY0603"))
    assert not area.covers_admin(AdminCodes("SY06", "SY0600"))
    assert not area.covers_admin(AdminCodes())
