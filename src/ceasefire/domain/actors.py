"""Armed actors on the ground, known by many names in several languages.

Reports name perpetrators as they please ("Daesh", "ISIS", "داعش", "ИГИЛ"), so every actor
carries its aliases with a language tag, and names are compared after normalisation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from ceasefire.domain.actor_names import normalise_name, variant_key
from ceasefire.domain.text import check_name
from ceasefire.errors import InvalidInput

__all__ = ["CODE_PATTERN", "Actor", "ActorDirectory", "ActorName", "ActorStatus",
           "UnknownActor", "check_code", "is_civilians", "normalise_name", "surviving",
           "variant_key"]

CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"  # codes of actors, agreements and zones
_CODE = re.compile(CODE_PATTERN)
_LANG = re.compile(r"^[a-z]{2,3}$")  # ISO 639-1 or -3


class ActorStatus(StrEnum):
    """An actor's standing under one agreement."""

    SIGNATORY = "signatory"
    EXCLUDED = "excluded"  # e.g. groups designated by the UN Security Council
    NON_SIGNATORY = "non-signatory"


def check_code(code: str, *, field: str = "code") -> str:
    if not _CODE.fullmatch(code):
        raise InvalidInput(f"{code!r} is not a valid code (lower-case letters, digits and '-')",
                           field=field)
    return code


@dataclass(frozen=True, slots=True)
class ActorName:
    text: str
    lang: str

    def __post_init__(self) -> None:
        check_name(self.text, field="text")
        if not _LANG.fullmatch(self.lang):
            raise InvalidInput(f"{self.lang!r} is not an ISO 639 language code",
                               field="lang")


@dataclass(frozen=True, slots=True)
class Actor:
    code: str
    name: str  # the name the mechanism uses in its own documents (English)
    aliases: tuple[ActorName, ...] = ()
    is_state: bool = False  # a state's armed forces (matters for UCDP and ACLED mapping)
    # Who fights alongside whom ("government", "opposition"): reports that blame different
    # actors of one side can still describe one event.
    side: str | None = None
    # The actor this one was merged into (its code): two entries of the registry found to
    # be one armed group. The merged one stays, so what named it keeps naming it.
    merged_into: str | None = None

    def __post_init__(self) -> None:
        check_code(self.code)
        check_name(self.name, field="name", id=self.code)
        if self.side is not None:
            check_code(self.side, field="side")
        if self.merged_into is not None:
            check_code(self.merged_into, field="merged_into")
            if self.merged_into == self.code:
                raise InvalidInput("an actor cannot be merged into itself",
                                   field="merged_into", id=self.code)
        seen = {("en", self.name)}
        for alias in self.aliases:
            if (alias.lang, alias.text) in seen:
                raise InvalidInput(f"alias {alias.text!r} ({alias.lang}) is given twice",
                                   field="aliases", id=self.code)
            seen.add((alias.lang, alias.text))

    def all_names(self) -> tuple[str, ...]:
        return (self.name, *(a.text for a in self.aliases))

    def is_called(self, text: str) -> bool:
        wanted = normalise_name(text)
        return any(normalise_name(n) == wanted for n in self.all_names())


class UnknownActor(InvalidInput):
    """No actor is called ``name``: the name is kept, so a file check can count the rows
    that give it and suggest the actors spelled nearest."""

    def __init__(self, message: str, *, name: str, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.name = name


# Victims, not an armed actor: a report naming them as target is an attack on civilians.
CIVILIANS = frozenset({"civilians", "civilian", "مدنيين", "مدنيون", "sivil", "siviller",
                       "мирные жители"})


def surviving(actors: Mapping[str, Actor], code: str) -> str:
    """The actor ``code`` stands for now: itself, or the one it was merged into, followed
    to the end of a chain (a merged actor's survivor merged in turn). A chain that leaves
    the actors given, or loops (only a record edited behind the ledger's back can), ends
    where it would go wrong."""
    seen = {code}
    while (actor := actors.get(code)) is not None and actor.merged_into is not None:
        if actor.merged_into not in actors or actor.merged_into in seen:
            break
        code = actor.merged_into
        seen.add(code)
    return code


class ActorDirectory:
    """Finds the actor a report means, by code or by any alias in any language, then by a
    spelling variant (actor_names.variant_key) when only one actor's names have it. The
    names and code of a merged actor lead to the actor it was merged into."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        self._by_code: dict[str, Actor] = {a.code: a for a in actors}
        self._by_name: dict[str, str | None] = {}  # None: two actors share the name
        self._by_variant: dict[str, set[str]] = {}
        for actor in self._by_code.values():
            target = self.current(actor.code)
            for name in {normalise_name(n) for n in actor.all_names()}:
                # A name the merged and the surviving actor share is no clash.
                held = self._by_name.get(name, target)
                self._by_name[name] = target if held == target else None
            for key in {variant_key(n) for n in actor.all_names()} - {""}:
                self._by_variant.setdefault(key, set()).add(target)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Actor]:
        return iter(self._by_code.values())

    def get(self, code: str) -> Actor:
        return self._by_code[code]

    def current(self, code: str) -> str:
        """The code of the actor ``code`` stands for now (itself unless merged)."""
        return surviving(self._by_code, code)

    def spelled_like(self, name: str) -> set[str]:
        """The actors (as they stand now) with a name spelled like ``name``."""
        return set(self._by_variant.get(variant_key(name), ()))

    def resolve(self, name: str) -> str:
        """The code of the actor ``name`` means now; InvalidInput if none or several."""
        if name in self._by_code:
            return self.current(name)
        key = normalise_name(name)
        if key in self._by_name:
            code = self._by_name[key]
            if code is None:
                raise InvalidInput(f"{name!r} is a name of more than one actor: use the code")
            return code
        near = sorted(self._by_variant.get(variant_key(name), ()))
        if len(near) > 1:  # never a guess between two actors
            spelled = ", ".join(f"{self._by_code[c].name} ({c})" for c in near)
            raise InvalidInput(f"{name!r} is spelled like names of {spelled}: use the code")
        if not near:
            raise UnknownActor(f"unknown actor {name!r}: use an actor's code or one of its "
                               "names (GET /api/v1/actors), or have the secretariat add the "
                               "name to the actor (`ceasefire actor alias`)", name=name)
        return near[0]


def is_civilians(name: str) -> bool:
    return normalise_name(name) in CIVILIANS
