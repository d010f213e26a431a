"""Our violation types, and how they map to ACLED and UCDP.

The mechanism needs its own list: ACLED's sub-event types mix what happened with who did
it (Government regains territory / Non-state actor overtakes territory), and UCDP's
type_of_violence says only who fought whom. The mapping tables below are the documented
bridge (docs/taxonomy.md); both directions are total over the lists they cover.
"""

from __future__ import annotations

from enum import StrEnum


class ViolationType(StrEnum):
    AIR_STRIKE = "air_strike"
    SHELLING = "shelling"
    EXPLOSIVE_DEVICE = "explosive_device"
    SUICIDE_BOMBING = "suicide_bombing"
    CHEMICAL_ATTACK = "chemical_attack"
    ARMED_CLASH = "armed_clash"
    GROUND_OFFENSIVE = "ground_offensive"
    ARMED_VIOLENCE = "armed_violence"  # fighting of unknown kind, as UCDP reports it
    ATTACK_ON_CIVILIANS = "attack_on_civilians"
    ABDUCTION = "abduction"
    SEXUAL_VIOLENCE = "sexual_violence"
    PROPERTY_DESTRUCTION = "property_destruction"
    OBSTRUCTION_OF_AID = "obstruction_of_aid"
    MILITARY_BUILDUP = "military_buildup"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS: dict[ViolationType, str] = {
    ViolationType.AIR_STRIKE: "Air or drone strike",
    ViolationType.SHELLING: "Shelling, artillery or missile attack",
    ViolationType.EXPLOSIVE_DEVICE: "Remote explosive, landmine, IED or grenade",
    ViolationType.SUICIDE_BOMBING: "Suicide bombing",
    ViolationType.CHEMICAL_ATTACK: "Chemical weapon attack",
    ViolationType.ARMED_CLASH: "Armed clash",
    ViolationType.GROUND_OFFENSIVE: "Ground offensive taking territory",
    ViolationType.ARMED_VIOLENCE: "Armed violence, kind unknown",
    ViolationType.ATTACK_ON_CIVILIANS: "Attack on civilians",
    ViolationType.ABDUCTION: "Abduction or forced disappearance",
    ViolationType.SEXUAL_VIOLENCE: "Sexual violence",
    ViolationType.PROPERTY_DESTRUCTION: "Looting or destruction of property",
    ViolationType.OBSTRUCTION_OF_AID: "Obstruction of humanitarian access",
    ViolationType.MILITARY_BUILDUP: "Military build-up or new position",
}

# ACLED (event_type, sub_event_type) -> our type; None: not a ceasefire violation as such.
# Covers all 25 ACLED sub-event types.
FROM_ACLED: dict[tuple[str, str], ViolationType | None] = {
    ("Battles", "Armed clash"): ViolationType.ARMED_CLASH,
    ("Battles", "Government regains territory"): ViolationType.GROUND_OFFENSIVE,
    ("Battles", "Non-state actor overtakes territory"): ViolationType.GROUND_OFFENSIVE,
    ("Explosions/Remote violence", "Chemical weapon"): ViolationType.CHEMICAL_ATTACK,
    ("Explosions/Remote violence", "Air/drone strike"): ViolationType.AIR_STRIKE,
    ("Explosions/Remote violence", "Suicide bomb"): ViolationType.SUICIDE_BOMBING,
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"): ViolationType.SHELLING,
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"):
        ViolationType.EXPLOSIVE_DEVICE,
    ("Explosions/Remote violence", "Grenade"): ViolationType.EXPLOSIVE_DEVICE,
    ("Violence against civilians", "Sexual violence"): ViolationType.SEXUAL_VIOLENCE,
    ("Violence against civilians", "Attack"): ViolationType.ATTACK_ON_CIVILIANS,
    ("Violence against civilians", "Abduction/forced disappearance"): ViolationType.ABDUCTION,
    ("Protests", "Peaceful protest"): None,
    ("Protests", "Protest with intervention"): None,
    ("Protests", "Excessive force against protesters"): ViolationType.ATTACK_ON_CIVILIANS,
    ("Riots", "Violent demonstration"): None,
    ("Riots", "Mob violence"): None,
    ("Strategic developments", "Agreement"): None,
    ("Strategic developments", "Arrests"): None,
    ("Strategic developments", "Change to group/activity"): None,
    ("Strategic developments", "Disrupted weapons use"): None,
    ("Strategic developments", "Headquarters or base established"):
        ViolationType.MILITARY_BUILDUP,
    ("Strategic developments", "Looting/property destruction"):
        ViolationType.PROPERTY_DESTRUCTION,
    ("Strategic developments", "Non-violent transfer of territory"): None,
    ("Strategic developments", "Other"): None,
}

# Our type -> ACLED (event_type, sub_event_type). Ground offensives split by actor kind,
# so they go through acled_event() below.
_TO_ACLED: dict[ViolationType, tuple[str, str]] = {
    ViolationType.AIR_STRIKE: ("Explosions/Remote violence", "Air/drone strike"),
    ViolationType.SHELLING: ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ViolationType.EXPLOSIVE_DEVICE: ("Explosions/Remote violence",
                                     "Remote explosive/landmine/IED"),
    ViolationType.SUICIDE_BOMBING: ("Explosions/Remote violence", "Suicide bomb"),
    ViolationType.CHEMICAL_ATTACK: ("Explosions/Remote violence", "Chemical weapon"),
    ViolationType.ARMED_CLASH: ("Battles", "Armed clash"),
    ViolationType.ARMED_VIOLENCE: ("Battles", "Armed clash"),
    ViolationType.ATTACK_ON_CIVILIANS: ("Violence against civilians", "Attack"),
    ViolationType.ABDUCTION: ("Violence against civilians", "Abduction/forced disappearance"),
    ViolationType.SEXUAL_VIOLENCE: ("Violence against civilians", "Sexual violence"),
    ViolationType.PROPERTY_DESTRUCTION: ("Strategic developments",
                                         "Looting/property destruction"),
    ViolationType.OBSTRUCTION_OF_AID: ("Strategic developments", "Other"),
    ViolationType.MILITARY_BUILDUP: ("Strategic developments",
                                     "Headquarters or base established"),
}


def acled_event(kind: ViolationType, *, perpetrator_is_state: bool) -> tuple[str, str]:
    """The ACLED (event_type, sub_event_type) for one of our types."""
    if kind is ViolationType.GROUND_OFFENSIVE:
        sub = ("Government regains territory" if perpetrator_is_state
               else "Non-state actor overtakes territory")
        return ("Battles", sub)
    return _TO_ACLED[kind]


# UCDP type_of_violence: 1 state-based, 2 non-state, 3 one-sided (against civilians).
UCDP_STATE_BASED, UCDP_NON_STATE, UCDP_ONE_SIDED = 1, 2, 3

# Our types that are violence against civilians by definition.
_ONE_SIDED = frozenset({ViolationType.ATTACK_ON_CIVILIANS, ViolationType.ABDUCTION,
                        ViolationType.SEXUAL_VIOLENCE})
# Our types with no UCDP counterpart: UCDP records only events with deaths in fighting.
_NO_UCDP = frozenset({ViolationType.OBSTRUCTION_OF_AID, ViolationType.MILITARY_BUILDUP,
                      ViolationType.PROPERTY_DESTRUCTION})

FROM_UCDP: dict[int, ViolationType] = {
    UCDP_STATE_BASED: ViolationType.ARMED_VIOLENCE,
    UCDP_NON_STATE: ViolationType.ARMED_VIOLENCE,
    UCDP_ONE_SIDED: ViolationType.ATTACK_ON_CIVILIANS,
}


def ucdp_type_of_violence(kind: ViolationType, *, state_involved: bool,
                          target_is_civilian: bool = False) -> int | None:
    """UCDP's type_of_violence for one of our types; it depends on who fought whom."""
    if kind in _NO_UCDP:
        return None
    if kind in _ONE_SIDED or target_is_civilian:
        return UCDP_ONE_SIDED
    return UCDP_STATE_BASED if state_involved else UCDP_NON_STATE


# How far two reports' types can describe one event, in -1..1. Witnesses on the ground
# often cannot tell an air strike from shelling, and "armed violence" (UCDP's kind-unknown)
# fits any fighting; but an abduction is not an air strike. Symmetric; 1 on the diagonal.
_REMOTE = frozenset({ViolationType.AIR_STRIKE, ViolationType.SHELLING,
                     ViolationType.EXPLOSIVE_DEVICE, ViolationType.SUICIDE_BOMBING,
                     ViolationType.CHEMICAL_ATTACK})
_FIGHTING = frozenset({ViolationType.ARMED_CLASH, ViolationType.GROUND_OFFENSIVE,
                       ViolationType.ARMED_VIOLENCE})
_AGAINST_CIVILIANS = frozenset({ViolationType.ATTACK_ON_CIVILIANS, ViolationType.ABDUCTION,
                                ViolationType.SEXUAL_VIOLENCE})
_CONFUSED = {frozenset({ViolationType.AIR_STRIKE, ViolationType.SHELLING}): 0.6,
             frozenset({ViolationType.ARMED_CLASH, ViolationType.GROUND_OFFENSIVE}): 0.6,
             frozenset({ViolationType.EXPLOSIVE_DEVICE, ViolationType.SUICIDE_BOMBING}): 0.6}


def type_similarity(a: ViolationType, b: ViolationType) -> float:
    """How well two violation types can describe the same event, in -1..1."""
    if a is b:
        return 1.0
    if (pair := frozenset({a, b})) in _CONFUSED:
        return _CONFUSED[pair]
    violent = _REMOTE | _FIGHTING | _AGAINST_CIVILIANS
    if ViolationType.ARMED_VIOLENCE in pair and pair <= violent:
        return 0.5  # kind unknown: fits any violence
    if ViolationType.ATTACK_ON_CIVILIANS in pair and pair <= violent:
        return 0.3  # shelling a market is both
    for family in (_REMOTE, _FIGHTING, _AGAINST_CIVILIANS):
        if pair <= family:
            return 0.3
    if pair <= _REMOTE | _FIGHTING:
        return 0.0  # a clash with shelling in support: possible, no evidence either way
    return -1.0
