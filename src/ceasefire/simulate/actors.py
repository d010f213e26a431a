"""Who fights whom, where, and with what: the plausible dyads of Syria in 2016-17, and the
names sources call the actors by."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ceasefire.domain.actors import Actor
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.errors import InvalidInput

T = ViolationType
# Kinds of violence that share their dyads.
FAMILY: dict[ViolationType, str] = {
    T.SHELLING: "remote", T.AIR_STRIKE: "air", T.ARMED_CLASH: "ground",
    T.GROUND_OFFENSIVE: "ground", T.MILITARY_BUILDUP: "ground", T.ARMED_VIOLENCE: "ground",
    T.EXPLOSIVE_DEVICE: "bomb", T.SUICIDE_BOMBING: "bomb", T.ATTACK_ON_CIVILIANS: "civilians",
    T.ABDUCTION: "civilians", T.PROPERTY_DESTRUCTION: "civilians",
    T.CHEMICAL_ATTACK: "air", T.SEXUAL_VIOLENCE: "civilians",
    T.OBSTRUCTION_OF_AID: "civilians",
}
_FAMILIES = ("remote", "air", "ground", "bomb", "civilians")

# Governorates (OCHA P-codes) where each front ran.
WEST = frozenset({"SY01", "SY02", "SY03", "SY04", "SY05", "SY06", "SY07", "SY10", "SY12",
                  "SY13", "SY14"})
NORTH_WEST = frozenset({"SY02", "SY05", "SY06", "SY07"})
DAMASCUS = frozenset({"SY01", "SY03"})
SOUTH = frozenset({"SY12", "SY13", "SY14"})
ISIL_LANDS = frozenset({"SY02", "SY04", "SY05", "SY08", "SY09", "SY11", "SY13"})
EAST = frozenset({"SY02", "SY08", "SY09", "SY11"})
ALEPPO = frozenset({"SY02"})


@dataclass(frozen=True, slots=True)
class Dyad:
    perpetrator: str
    target: str | None  # None: civilians
    weights: dict[str, float]  # family -> relative weight
    regions: frozenset[str] = frozenset()  # governorates; empty: anywhere


def _d(perpetrator: str, target: str | None, regions: frozenset[str] = frozenset(),
       **weights: float) -> Dyad:
    return Dyad(perpetrator, target, weights, regions)


DYADS: tuple[Dyad, ...] = (
    _d("syrian-government", "syrian-opposition", WEST, remote=30, air=25, ground=30),
    _d("syrian-government", "jabhat-fatah-al-sham", WEST, remote=10, air=8, ground=8),
    _d("syrian-government", "ahrar-al-sham", NORTH_WEST, remote=6, air=4, ground=5),
    _d("syrian-government", "jaysh-al-islam", DAMASCUS, remote=5, air=3, ground=4),
    _d("syrian-government", "faylaq-al-rahman", DAMASCUS, remote=4, ground=3),
    _d("syrian-government", "southern-front", SOUTH, remote=5, air=2, ground=4),
    _d("syrian-government", "isil", ISIL_LANDS, remote=8, air=8, ground=12),
    _d("ndf", "syrian-opposition", WEST, remote=3, ground=3),
    _d("hezbollah", "syrian-opposition", DAMASCUS | SOUTH, ground=3),
    _d("syrian-opposition", "syrian-government", WEST, remote=10, ground=6, bomb=2),
    _d("ahrar-al-sham", "syrian-government", NORTH_WEST, remote=3, ground=3),
    _d("jaysh-al-islam", "syrian-government", DAMASCUS, remote=4, ground=2),
    _d("jabhat-fatah-al-sham", "syrian-government", WEST, remote=4, ground=4, bomb=6),
    _d("russian-forces", "syrian-opposition", WEST, air=15),
    _d("russian-forces", "jabhat-fatah-al-sham", NORTH_WEST, air=10),
    _d("russian-forces", "isil", ISIL_LANDS, air=10),
    _d("us-led-coalition", "isil", EAST | {"SY04"}, air=12),
    _d("isil", "syrian-government", ISIL_LANDS | DAMASCUS, remote=5, ground=8, bomb=10),
    _d("isil", "sdf", EAST, remote=2, ground=6, bomb=6),
    _d("isil", "syrian-opposition", SOUTH | ALEPPO | DAMASCUS, ground=3, bomb=3),
    _d("sdf", "isil", EAST, remote=4, ground=15),
    _d("turkish-forces", "isil", ALEPPO, remote=4, air=4),
    _d("turkish-forces", "ypg", ALEPPO | {"SY08"}, remote=4, air=2),
    _d("hawar-kilis", "isil", ALEPPO, ground=6),
    _d("hawar-kilis", "sdf", ALEPPO, remote=2, ground=3),
    _d("ypg", "hawar-kilis", ALEPPO, remote=2, ground=2),
    _d("ahrar-al-sham", "jabhat-fatah-al-sham", NORTH_WEST, ground=3),
    _d("jabhat-fatah-al-sham", "ahrar-al-sham", NORTH_WEST, ground=3, bomb=1),
    _d("jaysh-al-islam", "faylaq-al-rahman", DAMASCUS, ground=2),
    _d("israeli-forces", "hezbollah", DAMASCUS | {"SY14"}, air=1),
    _d("unidentified-armed-group", "syrian-government", WEST, bomb=4),
    _d("unidentified-armed-group", "syrian-opposition", NORTH_WEST | SOUTH, bomb=4),
    # One-sided violence: the target is civilians.
    _d("syrian-government", None, WEST, civilians=30),
    _d("russian-forces", None, WEST, civilians=8),
    _d("isil", None, ISIL_LANDS, civilians=30),
    _d("syrian-opposition", None, WEST, civilians=8),
    _d("jabhat-fatah-al-sham", None, NORTH_WEST, civilians=6),
    _d("sdf", None, EAST, civilians=4),
    _d("us-led-coalition", None, EAST, civilians=6),
    _d("turkish-forces", None, ALEPPO, civilians=2),
    _d("unidentified-armed-group", None, civilians=6),
)

# Names sources use besides the scenario's own, by actor, and those one party prefers.
EXTRA_NAMES: dict[str, tuple[str, ...]] = {
    "syrian-government": ("government forces", "Syrian troops"),
    "syrian-opposition": ("armed opposition", "opposition fighters"),
    "russian-forces": ("Russian warplanes", "Russian forces"),
    "isil": ("ISIL fighters",),
    "unidentified-armed-group": ("unidentified gunmen", "an unknown armed group"),
    "us-led-coalition": ("coalition aircraft",),
}
PARTY_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "RU": {"syrian-opposition": ("illegal armed groups", "militants"),
           "jabhat-fatah-al-sham": ("Jabhat al-Nusra terrorists",),
           "isil": ("ISIL terrorists",)},
    "TR": {"syrian-government": ("regime forces", "Assad regime forces"),
           "ypg": ("PYD/YPG terrorists",), "isil": ("DEAŞ",)},
    "IR": {"syrian-opposition": ("armed groups",), "syrian-government": ("the Syrian army",)},
}


def _plain_names(actor: Actor) -> tuple[str, ...]:
    """The actor's English names that read well in a sentence (not UCDP's file labels)."""
    names = [actor.name] + [a.text for a in actor.aliases if a.lang == "en"]
    return tuple(n for n in names if "?" not in n and "(" not in n
                 and not n.startswith(("Military Forces", "Government of")))


class Dyads:
    """The dyads whose actors are all known, drawn per family and governorate."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        known = {a.code for a in actors}
        self.dyads = [d for d in DYADS
                      if d.perpetrator in known and (d.target is None or d.target in known)]
        for family in _FAMILIES:
            if not any(d.weights.get(family) for d in self.dyads):
                raise InvalidInput(f"the actors given make no {family} dyad: use a scenario "
                                   "with the actors of syria-2016", field="actors")

    def _cumulative(self, family: str, region: str) -> np.ndarray:
        w = np.array([d.weights.get(family, 0.0) if not d.regions or region in d.regions
                      else 0.0 for d in self.dyads])
        if not w.sum():  # no front runs there: any dyad of the family
            w = np.array([d.weights.get(family, 0.0) for d in self.dyads])
        return np.cumsum(w) / w.sum()

    def draw(self, rng: np.random.Generator, kinds: Sequence[ViolationType],
             regions: Sequence[str]) -> list[tuple[tuple[str, ...], tuple[str, ...], bool]]:
        """(perpetrators, targets, civilians_targeted) per event."""
        u = rng.random(len(kinds))
        keys = [(FAMILY.get(k, "ground"), r) for k, r in zip(kinds, regions, strict=True)]
        groups = {key: i for i, key in enumerate(dict.fromkeys(keys))}
        group = np.array([groups[k] for k in keys], dtype=np.int64)
        chosen = np.empty(len(kinds), dtype=np.int64)
        for key, i in groups.items():
            members = group == i
            chosen[members] = np.searchsorted(self._cumulative(*key), u[members], side="right")
        sides = [((d.perpetrator,), (d.target,) if d.target else (), d.target is None)
                 for d in self.dyads]
        last = len(sides) - 1
        return [sides[min(c, last)] for c in chosen.tolist()]


class ActorNames:
    """The names a source writes for each actor; a party uses its own wording, where it
    has one, for half its reports."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        self._names = {a.code: _plain_names(a) + EXTRA_NAMES.get(a.code, ()) for a in actors}

    def pick(self, code: str, party: str, draw: int) -> str:
        """One of the names, chosen by ``draw`` (a non-negative random integer)."""
        own = PARTY_NAMES.get(party, {}).get(code, ())
        if own and draw % 2:
            return own[(draw >> 1) % len(own)]
        names = self._names.get(code) or (code.replace("-", " "),)
        return names[(draw >> 1) % len(names)]
