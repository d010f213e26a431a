"""The agreement's rules over the shipped scenario: who, where, when, what, and which terms."""

from datetime import UTC, date, datetime
from functools import cache
from importlib import resources

import pytest

from ceasefire.domain import AdminCodes, Area, Period, ViolationType, When, Zone
from ceasefire.domain.assessment import IncidentFacts, Rule, assess
from ceasefire.intake.scenario import parse
from tests.factories import make_agreement

V = ViolationType


@cache
def syria_2016():
    text = resources.files("ceasefire.scenarios").joinpath("syria-2016.toml").read_text()
    (agreement,) = parse(text, source="syria-2016.toml").agreements
    return agreement


def at(*args: int) -> When:
    return When.exact(datetime(*args, tzinfo=UTC))


ALEPPO_CITY = AdminCodes("SY02", "SY0200", "SY020000")
IDLIB_CITY = AdminCodes("SY07", "SY0700", "SY070000")
GOV, OPP = ("syrian-government",), ("syrian-opposition",)


@pytest.mark.parametrize(("facts", "failing", "terms"), [
    # A government shelling of the opposition in Aleppo in January 2017: a violation.
    (IncidentFacts(at(2017, 1, 15, 10), ALEPPO_CITY, V.SHELLING, GOV, OPP), set(),
     "syria-2016"),
    # Operations by or against a group the agreement excludes are not covered.
    (IncidentFacts(at(2017, 1, 15, 10), ALEPPO_CITY, V.AIR_STRIKE, ("isil",), OPP),
     {Rule.EXCLUDED}, "syria-2016"),
    (IncidentFacts(at(2017, 1, 15, 10), ALEPPO_CITY, V.AIR_STRIKE, GOV,
                   ("jabhat-fatah-al-sham",)), {Rule.EXCLUDED}, "syria-2016"),
    # Outside every admin area of the record (over the border).
    (IncidentFacts(at(2017, 1, 15, 10), None, V.SHELLING, GOV, OPP), {Rule.AREA},
     "syria-2016"),
    # Before the ceasefire began (00:00 Damascus time, 30 December 2016 = 22:00 UTC).
    (IncidentFacts(at(2016, 12, 29, 21, 30), ALEPPO_CITY, V.SHELLING, GOV, OPP),
     {Rule.IN_FORCE}, "syria-2016"),
    (IncidentFacts(at(2016, 12, 29, 22, 30), ALEPPO_CITY, V.SHELLING, GOV, OPP), set(),
     "syria-2016"),
    # Known only to the UTC day of 29 December: it may have been before or after.
    (IncidentFacts(When.on_day(date(2016, 12, 29)), ALEPPO_CITY, V.SHELLING, GOV, OPP),
     {Rule.IN_FORCE}, "syria-2016"),
    # Not a prohibited act.
    (IncidentFacts(at(2017, 1, 15, 10), ALEPPO_CITY, V.MILITARY_BUILDUP, GOV, OPP),
     {Rule.PROHIBITED}, "syria-2016"),
    # Inside the Idlib de-escalation zone once it is in force (6 May 2017): its terms.
    (IncidentFacts(at(2017, 5, 10, 10), IDLIB_CITY, V.AIR_STRIKE, GOV, OPP), set(), "idlib"),
    (IncidentFacts(at(2017, 5, 1, 10), IDLIB_CITY, V.AIR_STRIKE, GOV, OPP), set(),
     "syria-2016"),
    # The week of 6 May: the zone came into force during it, so the general terms apply.
    (IncidentFacts(When.in_week(date(2017, 5, 5)), IDLIB_CITY, V.AIR_STRIKE, GOV, OPP), set(),
     "syria-2016"),
])
def test_the_rules_of_the_scenario(facts, failing, terms):
    finding = assess(syria_2016(), facts)
    assert {c.rule for c in finding.checks if not c.passed} == failing
    assert finding.covered is (not failing)
    assert finding.terms == terms
    # Every rule is applied and says why, whatever the outcome.
    assert {c.rule for c in finding.checks} == set(Rule)
    assert all(c.reason for c in finding.checks)


def test_reasons_name_what_failed():
    facts = IncidentFacts(at(2017, 1, 15, 10), ALEPPO_CITY, V.AIR_STRIKE, ("isil",),
                          ("jabhat-fatah-al-sham",))
    finding = assess(syria_2016(), facts)
    (reason,) = finding.reasons
    assert "by isil" in reason and "against jabhat-fatah-al-sham" in reason


def test_a_place_too_coarse_for_a_zone_is_judged_by_the_general_terms():
    # Aleppo governorate holds a sub-district of the Idlib zone (SY020001), not all of it.
    facts = IncidentFacts(at(2017, 5, 10, 10), AdminCodes("SY02"), V.SHELLING, GOV, OPP)
    finding = assess(syria_2016(), facts)
    assert finding.covered and finding.terms == "syria-2016"
    (terms,) = [c for c in finding.checks if c.rule is Rule.TERMS]
    assert "too coarse" in terms.reason and "idlib" in terms.reason


def test_a_place_too_coarse_for_the_area():
    agreement = make_agreement(area=Area(pcodes=frozenset({"SY0200"})))
    finding = assess(agreement, IncidentFacts(at(2017, 1, 15), AdminCodes("SY02"), V.SHELLING))
    assert [c.rule for c in finding.checks if not c.passed] == [Rule.AREA]
    assert "too coarse" in finding.reasons[0]


# Zone terms changing mid-period: from 6 May a zone over Aleppo governorate prohibits a
# military build-up as well, which the agreement's own terms do not.
ZONE = Zone("aleppo-zone", "Aleppo zone", Period(datetime(2017, 5, 6, tzinfo=UTC)),
            Area(pcodes=frozenset({"SY02"})),
            prohibited=frozenset({V.SHELLING, V.AIR_STRIKE, V.MILITARY_BUILDUP}))


@pytest.mark.parametrize(("when", "covered", "terms"), [
    (at(2017, 5, 5, 23), False, "test-ceasefire"),  # before the zone: not prohibited
    (at(2017, 5, 6, 1), True, "aleppo-zone"),  # after: the zone's terms prohibit it
    (When.on_day(date(2017, 5, 6)), True, "aleppo-zone"),
    (When.in_week(date(2017, 5, 6)), False, "test-ceasefire"),  # the zone began within it
])
def test_zone_terms_change_mid_period(when, covered, terms):
    agreement = make_agreement(zones=(ZONE,))
    finding = assess(agreement, IncidentFacts(when, ALEPPO_CITY, V.MILITARY_BUILDUP))
    assert finding.covered is covered and finding.terms == terms


def test_an_agreement_that_ended_covers_nothing_after():
    agreement = make_agreement(period=Period(datetime(2017, 1, 1, tzinfo=UTC),
                                             datetime(2017, 2, 1, tzinfo=UTC)))
    finding = assess(agreement, IncidentFacts(at(2017, 2, 1, 1), ALEPPO_CITY, V.SHELLING))
    assert finding.reasons and "after the agreement ended" in finding.reasons[0]


# A report located only to the country ("Syria", UCDP where_prec 6): it lies in one of the
# country's governorates, which one is not known.
SYRIA = frozenset(f"SY{n:02}" for n in range(1, 15))


def country_only(when: When, violation: ViolationType = V.ARMED_VIOLENCE) -> IncidentFacts:
    return IncidentFacts(when, None, violation, GOV, OPP, country=SYRIA)


def test_a_country_level_incident_is_covered_by_an_agreement_over_the_whole_country():
    finding = assess(syria_2016(), country_only(When.on_day(date(2017, 1, 9))))
    assert finding.covered and finding.terms == "syria-2016"
    area, terms = (c for c in finding.checks if c.rule in (Rule.AREA, Rule.TERMS))
    assert area.reason == ("located only to the country, all of which lies in the area the "
                           "agreement covers")
    assert "admin area" not in area.reason
    # No zone was in force in January 2017: nothing to place it in.
    assert terms.reason == ("the terms of the Nationwide ceasefire in the Syrian Arab "
                            "Republic (30 December 2016)")


def test_a_country_level_incident_cannot_be_placed_in_a_zone():
    # June 2017: the four de-escalation zones are in force, but none can hold it.
    finding = assess(syria_2016(), country_only(When.in_month(2017, 6)))
    assert finding.covered and finding.terms == "syria-2016"
    (terms,) = [c for c in finding.checks if c.rule is Rule.TERMS]
    assert terms.reason.startswith("located only to the country, it cannot be placed in a "
                                   "zone, so no zone's terms apply; the terms of the ")


@pytest.mark.parametrize(("pcodes", "reason"), [
    ({"SY02"}, "located only to the country, of which the agreement covers only a part: too "
               "coarse a place to say whether it lies in the area covered"),
    ({"SY0200"}, "located only to the country, of which the agreement covers only a part: "
                 "too coarse a place to say whether it lies in the area covered"),
    ({"LB01"}, "located only to the country, no part of which lies in the area the agreement "
               "covers"),
])
def test_a_country_level_incident_under_an_agreement_over_part_of_it(pcodes, reason):
    agreement = make_agreement(area=Area(pcodes=frozenset(pcodes)))
    finding = assess(agreement, country_only(at(2017, 1, 15), V.SHELLING))
    assert not finding.covered and finding.reasons == (reason,)


def test_a_zone_over_the_whole_country_holds_a_country_level_incident():
    zone = Zone("everywhere", "The whole country", Period(datetime(2017, 5, 6, tzinfo=UTC)),
                Area(pcodes=SYRIA), prohibited=frozenset({V.MILITARY_BUILDUP}))
    agreement = make_agreement(area=Area(pcodes=SYRIA), zones=(zone,))
    finding = assess(agreement, country_only(at(2017, 5, 10), V.MILITARY_BUILDUP))
    assert finding.covered and finding.terms == "everywhere"
