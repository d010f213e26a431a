"""Armed actors on the ground, known by many names in several languages.

Reports name perpetrators as they please ("Daesh", "ISIS", "داعش", "ИГИЛ"), so every actor
carries its aliases with a language tag, and names are compared after normalisation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from ceasefire.domain.text import check_name
from ceasefire.errors import InvalidInput

CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"  # codes of actors, agreements and zones
_CODE = re.compile(CODE_PATTERN)
_LANG = re.compile(r"^[a-z]{2,3}$")  # ISO 639-1 or -3
# Letters that writers use interchangeably: Arabic alif and ya forms, ta marbuta, the
# tatweel; Turkish dotless i; and the apostrophes and ayn/hamza marks of transliteration
# (Hay'at = Hayat), which are dropped rather than read as word breaks.
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None,
                       "ı": "i", "'": None, "’": None, "‘": None, "ʿ": None, "ʾ": None,
                       "`": None})


class ActorStatus(StrEnum):
    """An actor's standing under one agreement."""

    SIGNATORY = "signatory"
    EXCLUDED = "excluded"  # e.g. groups designated by the UN Security Council
    NON_SIGNATORY = "non-signatory"


def check_code(code: str, *, field: str = "code") -> str:
    if not _CODE.match(code):
        raise InvalidInput(f"{code!r} is not a valid code (lower-case letters, digits and '-')",
                           field=field)
    return code


def normalise_name(text: str) -> str:
    """A form for comparing names: case-folded, without accents, punctuation or Arabic
    letter variants, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text).translate(_FOLD)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[\W_]+", " ", kept.casefold())
    return " ".join(words.split())


@dataclass(frozen=True, slots=True)
class ActorName:
    text: str
    lang: str

    def __post_init__(self) -> None:
        check_name(self.text, field="text")
        if not _LANG.match(self.lang):
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

    def __post_init__(self) -> None:
        check_code(self.code)
        check_name(self.name, field="name", id=self.code)
        if self.side is not None:
            check_code(self.side, field="side")
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


class ActorDirectory:
    """Finds the actor a report means, by code or by any alias in any language."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        self._by_code: dict[str, Actor] = {}
        self._by_name: dict[str, str | None] = {}  # None: two actors share the name
        for actor in actors:
            self._by_code[actor.code] = actor
            for name in {normalise_name(n) for n in actor.all_names()}:
                self._by_name[name] = None if name in self._by_name else actor.code

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Actor]:
        return iter(self._by_code.values())

    def get(self, code: str) -> Actor:
        return self._by_code[code]

    def resolve(self, name: str) -> str:
        """The code of the actor ``name`` means; InvalidInput if none or several."""
        if name in self._by_code:
            return name
        key = normalise_name(name)
        if key not in self._by_name:
            raise UnknownActor(f"unknown actor {name!r}: use an actor's code or one of its "
                               "names (GET /api/v1/actors), or add the alias to the scenario",
                               name=name)
        code = self._by_name[key]
        if code is None:
            raise InvalidInput(f"{name!r} is a name of more than one actor: use the code")
        return code


def is_civilians(name: str) -> bool:
    return normalise_name(name) in CIVILIANS
