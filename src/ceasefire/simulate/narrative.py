"""Short English narratives from templates: the place, the act, the actors and the toll,
with some filler, so that accounts of one event share words but never all of them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from ceasefire.domain.taxonomy import ViolationType

T = ViolationType
ACTS: dict[ViolationType, tuple[str, ...]] = {
    T.SHELLING: ("{perp} shelled {target} {where}", "{perp} fired mortar rounds at {target} "
                 "{where}", "Rockets fired by {perp} hit {target} {where}"),
    T.AIR_STRIKE: ("{perp} carried out air strikes on {target} {where}",
                   "Warplanes of {perp} bombed {target} {where}",
                   "{perp} launched air raids against {target} {where}"),
    T.ARMED_CLASH: ("{perp} clashed with {target} {where}",
                    "Fighting broke out between {perp} and {target} {where}",
                    "{perp} exchanged fire with {target} {where}"),
    T.ARMED_VIOLENCE: ("{perp} attacked {target} {where}",
                       "Violence between {perp} and {target} was reported {where}"),
    T.GROUND_OFFENSIVE: ("{perp} advanced on {target} {where}",
                         "{perp} launched a ground assault on {target} {where}"),
    T.EXPLOSIVE_DEVICE: ("A bomb planted by {perp} hit {target} {where}",
                         "{perp} detonated an explosive device against {target} {where}"),
    T.SUICIDE_BOMBING: ("A suicide bomber sent by {perp} struck {target} {where}",
                        "{perp} attacked {target} with a car bomb {where}"),
    T.CHEMICAL_ATTACK: ("{perp} used toxic gas against {target} {where}",),
    T.ATTACK_ON_CIVILIANS: ("{perp} opened fire on {target} {where}",
                            "{perp} attacked {target} {where}"),
    T.ABDUCTION: ("{perp} abducted {target} {where}", "{perp} detained {target} {where}"),
    T.SEXUAL_VIOLENCE: ("{perp} committed sexual violence against {target} {where}",),
    T.PROPERTY_DESTRUCTION: ("{perp} looted and burned property of {target} {where}",
                             "{perp} destroyed homes of {target} {where}"),
    T.OBSTRUCTION_OF_AID: ("{perp} blocked an aid convoy to {target} {where}",),
    T.MILITARY_BUILDUP: ("{perp} reinforced positions facing {target} {where}",
                         "{perp} moved armour towards {target} {where}"),
}
TARGET_FORMS = ("{name}", "positions of {name}")
NO_TARGET = ("opposing positions", "positions", "fighters")
CIVILIANS_FORMS = ("civilians", "residents", "a residential area", "local people")
NOBODY_FORMS = ("unidentified attackers", "unknown forces", "an unknown party")
PLACE_FORMS = ("in {name}", "near {name}", "on the outskirts of {name}")
DISTRICT_FORMS = ("in {name} district", "in the {name} area")
GOVERNORATE_FORMS = ("in {name} governorate", "in the {name} countryside")
_PLACE_LEVELS = (PLACE_FORMS, GOVERNORATE_FORMS, DISTRICT_FORMS)  # by place_level
WEEK_FORMS = ("earlier this week", "in recent days", "")
DEATHS = ("{n} people were killed.", "The attack left {n} dead.",
          "At least {n} were reported killed.", "Local sources put the death toll at {n}.")
ONE_DEATH = ("One person was killed.", "One death was reported.")
NO_DEATHS = ("No casualties were reported.", "There were no reported casualties.")
UNKNOWN_DEATHS = ("Casualties are not yet known.", "There was no word on casualties.", "")
FILLER = ("Local sources confirmed the report.", "Residents fled the area.",
          "The situation remained tense.", "Details are being verified.",
          "Damage to buildings was reported.", "Ambulances were seen at the scene.",
          "The report could not be independently confirmed.",
          "Communications in the area were cut.", "", "")
LOCAL = timedelta(hours=2)  # Damascus time in winter
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def part_of_day(moment: datetime) -> str:
    hour = (moment + LOCAL).hour
    if 4 <= hour < 6:
        return "at dawn"
    if 6 <= hour < 12:
        return "in the morning"
    if 12 <= hour < 17:
        return "in the afternoon"
    if 17 <= hour < 21:
        return "in the evening"
    return "overnight"


def _pick(options: Sequence[str], draw: int) -> str:
    return options[draw % len(options)]


def narrative(kind: ViolationType, *, perp: str | None, target: str | None,
              civilians: bool, place: str, place_level: int, when: str,
              killed: int | None, draws: Sequence[int]) -> str:
    """One narrative. ``place_level``: 0 a town, 2 a district, 1 a governorate;
    ``when``: a phrase or ""; ``killed`` None: no figure given; ``draws``: six random
    non-negative integers choosing the wording."""
    where = _pick(_PLACE_LEVELS[place_level], draws[0]).format(name=place)
    if civilians:
        whom = _pick(CIVILIANS_FORMS, draws[1])
    elif target:
        whom = _pick(TARGET_FORMS, draws[1]).format(name=target)
    else:
        whom = _pick(NO_TARGET, draws[1])
    act = _pick(ACTS.get(kind) or ACTS[T.ARMED_VIOLENCE], draws[2]).format(
        perp=perp or _pick(NOBODY_FORMS, draws[3]), target=whom, where=where)
    if killed is None:
        toll = _pick(UNKNOWN_DEATHS, draws[4])
    elif killed > 1:
        toll = _pick(DEATHS, draws[4]).format(n=killed)
    else:
        toll = _pick(ONE_DEATH if killed else NO_DEATHS, draws[4])
    text = f"{act} {when}." if when else f"{act}."
    if toll:
        text = f"{text} {toll}"
    filler = _pick(FILLER, draws[5])
    if filler:
        text = f"{text} {filler}"
    return text[0].upper() + text[1:]

