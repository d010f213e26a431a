"""Amendments to the shipped Syria agreement: each changes the terms from its date only, and
what would contradict the terms already agreed is refused by name."""

from datetime import UTC, datetime

import pytest

from ceasefire.domain import AdminCodes, Area, Period, ViolationType, When, Zone
from ceasefire.domain.actors import ActorStatus
from ceasefire.domain.amendment import Amendment, Change, Reach
from ceasefire.domain.assessment import IncidentFacts, assess
from ceasefire.errors import InvalidInput
from tests.domain.test_assessment import syria_2016

V = ViolationType


def day(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=UTC)


def amend(change: Change, effective: datetime, **given) -> Amendment:
    return Amendment("syria-2016", change, effective, reason="Astana, round 4", **given)


def test_an_actor_excluded_from_a_date_is_excluded_from_then_only():
    before = syria_2016()
    assert before.status_of("levant-front") is ActorStatus.SIGNATORY
    after = amend(Change.ACTOR_STATUS, day(2018, 5, 1), actor="levant-front",
                  status=ActorStatus.EXCLUDED).apply(before)
    assert after.version == before.version + 1
    assert after.status_of("levant-front", at=day(2018, 4, 30)) is ActorStatus.SIGNATORY
    assert after.status_of("levant-front", at=day(2018, 5, 1)) is ActorStatus.EXCLUDED
    assert "levant-front" in after.excluded_at(day(2018, 6, 1))
    assert "levant-front" not in after.excluded_at(day(2018, 1, 1))
    # As first agreed, it is what it was: history is not rewritten.
    assert after.status_of("levant-front") is ActorStatus.SIGNATORY


def test_a_zone_ended_stops_at_its_end_and_the_others_go_on():
    ended = amend(Change.ZONE_ENDED, day(2018, 8, 1), zone="south").apply(syria_2016())
    zones = {z.code: z for z in ended.zones}
    assert zones["south"].period.end == day(2018, 8, 1)
    assert zones["idlib"].period.end is None


def test_the_agreement_ended_ends_its_zones_with_it():
    ended = amend(Change.AGREEMENT_ENDED, day(2019, 1, 1)).apply(syria_2016())
    assert ended.period.end == day(2019, 1, 1)
    assert {z.period.end for z in ended.zones} == {day(2019, 1, 1)}


def test_prohibited_acts_change_from_their_date_inside_and_outside_zones():
    agreement = syria_2016()
    idlib = next(z for z in agreement.zones if z.code == "idlib")
    fewer = frozenset({V.AIR_STRIKE, V.SHELLING})
    amended = amend(Change.ACTS_CHANGED, day(2018, 9, 17), acts=fewer,
                    zone="idlib").apply(agreement)
    assert amended.prohibited_at(day(2018, 9, 16), idlib) == agreement.prohibited_at(
        day(2018, 9, 16), idlib)
    assert amended.prohibited_at(day(2018, 9, 17), idlib) == fewer
    # The agreement's own terms elsewhere are untouched.
    assert amended.prohibited_at(day(2018, 9, 17)) == agreement.prohibited


def test_a_zone_added_applies_from_its_start():
    zone = Zone("afrin", "Afrin", Period(day(2018, 3, 20)), Area(frozenset({"SY0204"})))
    added = amend(Change.ZONE_ADDED, day(2018, 3, 20), zone=zone).apply(syria_2016())
    assert added.zones[-1] == zone


@pytest.mark.parametrize(("amendment", "field"), [
    # A zone over ground another zone holds at the same time.
    (lambda: amend(Change.ZONE_ADDED, day(2018, 1, 1), zone=Zone(
        "maarat", "Maarat an-Numan", Period(day(2018, 1, 1)), Area(frozenset({"SY0702"})))),
     "area"),
    (lambda: amend(Change.ZONE_ENDED, day(2017, 5, 1), zone="south"), "effective"),
    (lambda: amend(Change.ZONE_ENDED, day(2018, 8, 1), zone="atlantis"), "zone"),
    (lambda: amend(Change.ACTOR_STATUS, day(2016, 1, 1), actor="levant-front",
                   status=ActorStatus.EXCLUDED), "effective"),
    (lambda: amend(Change.ACTOR_STATUS, day(2018, 1, 1), actor="jabhat-fatah-al-sham",
                   status=ActorStatus.EXCLUDED), "status"),
    (lambda: amend(Change.ACTS_CHANGED, day(2018, 1, 1), acts=frozenset()), "acts"),
    (lambda: amend(Change.ZONE_ENDED, day(2018, 1, 1)), "zone"),
    (lambda: Amendment("syria-2016", Change.AGREEMENT_ENDED, day(2019, 1, 1), reason=" "),
     "reason"),
])
def test_what_contradicts_the_terms_is_refused_by_name(amendment, field):
    with pytest.raises(InvalidInput) as refused:
        amendment().apply(syria_2016())
    assert refused.value.field == field


def test_an_end_cannot_be_moved_by_a_second_end():
    ended = amend(Change.ZONE_ENDED, day(2018, 8, 1), zone="south").apply(syria_2016())
    with pytest.raises(InvalidInput, match="already ended"):
        amend(Change.ZONE_ENDED, day(2018, 9, 1), zone="south").apply(ended)


def test_a_status_change_before_one_already_agreed_is_refused():
    later = amend(Change.ACTOR_STATUS, day(2018, 5, 1), actor="levant-front",
                  status=ActorStatus.EXCLUDED).apply(syria_2016())
    with pytest.raises(InvalidInput) as refused:
        amend(Change.ACTOR_STATUS, day(2018, 1, 1), actor="levant-front",
              status=ActorStatus.NON_SIGNATORY).apply(later)
    assert refused.value.field == "effective"


def test_an_amendment_reaches_only_the_incidents_it_can_change():
    agreement = syria_2016()
    south = next(z for z in agreement.zones if z.code == "south")
    assert amend(Change.ZONE_ENDED, day(2018, 8, 1), zone="south").reach(agreement) == \
        Reach(day(2018, 8, 1), area=south.area)
    assert amend(Change.ACTOR_STATUS, day(2018, 5, 1), actor="levant-front",
                 status=ActorStatus.EXCLUDED).reach(agreement) == \
        Reach(day(2018, 5, 1), actors=frozenset({"levant-front"}))
    assert amend(Change.AGREEMENT_ENDED, day(2019, 1, 1)).reach(agreement) == \
        Reach(day(2019, 1, 1))


DARAA = AdminCodes("SY12", "SY1200", "SY120000")


def test_after_the_southern_zone_ended_the_agreements_own_terms_judge():
    ended = amend(Change.ZONE_ENDED, day(2018, 8, 1), zone="south").apply(syria_2016())
    during = IncidentFacts(When.exact(day(2018, 7, 1)), DARAA, V.SHELLING)
    after = IncidentFacts(When.exact(day(2018, 8, 15)), DARAA, V.SHELLING)
    assert assess(ended, during).terms == "south"
    assert assess(ended, after).terms == "syria-2016"
    assert assess(syria_2016(), after).terms == "south"  # as it stood before the amendment


def test_an_actor_excluded_from_a_date_uncovers_its_operations_from_then_only():
    excluded = amend(Change.ACTOR_STATUS, day(2018, 5, 1), actor="levant-front",
                     status=ActorStatus.EXCLUDED).apply(syria_2016())
    before = IncidentFacts(When.exact(day(2018, 4, 1)), DARAA, V.SHELLING,
                           perpetrators=("levant-front",))
    after = IncidentFacts(When.exact(day(2018, 6, 1)), DARAA, V.SHELLING,
                          perpetrators=("levant-front",))
    assert assess(excluded, before).covered
    finding = assess(excluded, after)
    assert not finding.covered
    assert finding.reasons == ("an operation by levant-front, which the agreement excludes",)


def test_acts_no_longer_prohibited_in_a_zone_are_judged_so_from_their_date():
    agreement = syria_2016()
    idlib = AdminCodes("SY07", "SY0700", "SY070000")
    fewer = amend(Change.ACTS_CHANGED, day(2018, 9, 17), zone="idlib",
                  acts=frozenset({V.AIR_STRIKE})).apply(agreement)
    clash = IncidentFacts(When.exact(day(2018, 10, 1)), idlib, V.ARMED_CLASH)
    assert assess(agreement, clash).covered
    finding = assess(fewer, clash)
    assert not finding.covered and "not prohibited by the zone" in finding.reasons[0]
