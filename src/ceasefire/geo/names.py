"""Place names as reports write them: a transliteration-tolerant key, and the words around
a name ("X Governorate", "northern X countryside") that say what kind of place is meant.

The key is a skeleton of the romanised Arabic: writers disagree on articles (Al-/Ar-/Ez),
vowels (Idlib, Idleb), y and w (Dayr, Deir), doubled letters (Raqqa, Raqa) and the letters
English lacks (kh, q, dh), so those are folded away while consonants are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ceasefire.domain.actors import normalise_name

# Kinds of entry a descriptive word restricts a name to.
GOVERNORATE, DISTRICT, SUB_DISTRICT = "governorate", "district", "sub-district"
TOWN, IMPORTED = "town", "imported"
# Named places of data/syria beyond GeoNames (geo.named_places).
LOCALITY, NEIGHBOURHOOD, REGION, LANDMARK = "locality", "neighbourhood", "region", "landmark"
PLACES = frozenset({TOWN, IMPORTED, LOCALITY, NEIGHBOURHOOD})

# The Arabic article as romanised, assimilated to sun letters (ash-Sham, az-Zabadani).
ARTICLES = frozenset(["al", "el", "il", "ul", "l", "ar", "er", "as", "es", "ash", "esh", "ech",
                       "at", "et", "ath", "eth", "az", "ez", "ad", "ed", "adh", "edh", "an",
                       "en", "ej"])
_NOISE = frozenset(["markaz", "مركز"])  # "centre": OCHA's name for a capital's own area
_JOINED = re.compile(r"^[ae]l(?=...)")  # Ein Elfijeh, Haran Al'awameed: the article run in
_PRE = str.maketrans({"ʻ": None, "ʼ": None, "ؤ": "و", "ئ": "ي", "ء": None})

# Applied in order to each Latin word: digraphs first, then doubled letters, then y/w.
_LATIN = [(re.compile(p), r) for p, r in (
    (r"dsch|dzh|dj|zh", "j"),  # German, Russian and French spellings of j
    (r"sch|tch|ch", "sh"),  # French Cheikh, German Scheich
    (r"qu(?=[aeio])", "k"),  # Quamishli
    (r"kh|q|ck", "k"),  # خ ق ك are told apart inconsistently
    (r"gh", "g"),
    (r"th", "t"),
    (r"dh", "z"),  # ذ is said z in Syria: Ladhiqiyah = Laziqiyah
    (r"ph", "f"),
    (r"ou(?=[aeiy])", "w"),  # French Soueida
    (r"ou|oo", "u"),
    (r"([aeiou])h$", r"\1"),  # ta marbuta: Hamah = Hama, Jableh = Jable
    (r"(.)\1+", r"\1"),  # Raqqa = Raqa, Darayya = Daraya
    (r"[ie]y", "y"),  # Salamiyeh = Salamyeh, Malikeyyeh
    (r"uw", "w"),  # Suwayda = Sweida
    (r"i(?=[aeou])", "y"),  # Abiad = Abyad, Latakia = Latakiya
    (r"(?<=.)[yw](?![aeiou])", "a"),  # y, w closing a syllable are vowels: Dayr = Deir
    (r"[aeiou]+", "a"),  # vowels carry little: Idlib = Idleb, Homs = Hims
    (r"^a", ""),  # an opening vowel, alif or ayn: Edleb, Izaz = Azaz, Ezzor = Zor
)]


def _latin_key(word: str) -> str:
    for pattern, replacement in _LATIN:
        word = pattern.sub(replacement, word)
    return word


def _arabic_key(word: str) -> str:
    return word[2:] if word.startswith("ال") and len(word) > 3 else word


def place_key(text: str) -> str:
    """A key under which transliterations of one Arabic name meet: Dayr az Zawr,
    Deir-ez-Zor and Deir Ezzor all give ``darzar``; Arabic script is keyed without its
    article. Empty when nothing is left."""
    words = normalise_name(text.translate(_PRE)).split()
    keys = []
    for i, word in enumerate(words):
        if (word in ARTICLES or word in _NOISE) and i < len(words) - 1:
            continue
        if "\u0600" <= word[0] <= "\u06ff":
            keys.append(_arabic_key(word))
        else:  # a joined article only after the first word: Elias and Aleppo stay whole
            keys.append(_latin_key(_JOINED.sub("", word) if i else word))
    return "".join(keys)


# Arabic letters as romanised (UNGEGN-like, as the press writes them); ع and ء leave no
# letter, as they mostly leave none, or only an apostrophe, in Latin spellings.
_ROMAN = str.maketrans({
    "ا": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d",
    "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t",
    "ظ": "z", "ع": None, "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m",
    "ن": "n", "ه": "h", "ء": None, "ک": "k", "گ": "g", "پ": "p", "چ": "ch", "ڤ": "v"})
_BEFORE_VOWEL = frozenset("اوي")  # a و or ي before these is a consonant: حيان is "hyan"
_DIGRAPH_FIRST = frozenset("cdgkpstz")  # the first letters of kh, sh, th...


def is_arabic(text: str) -> bool:
    """Whether ``text`` has a letter in Arabic script."""
    return any("\u0600" <= c <= "\u06ff" for c in text)


def romanise(text: str) -> str:
    """A Latin spelling of Arabic script, for comparing with names known only in Latin:
    سقبا is "sqba", الرقة "al rqa". Short vowels are not written in Arabic, so it has
    only the long ones; و and ي are read as w and y at a word's start, before a vowel
    or before a closing ة, else as u and i; a closing ة (or ه) is "a", and "at" before
    another word. Latin words come back as ``normalise_name`` gives them."""
    words = normalise_name(text.translate(_PRE).replace("ی", "ي")).split()
    out = []
    for n, word in enumerate(words):
        if not "\u0600" <= word[0] <= "\u06ff":
            out.append(word)
            continue
        if word in _NOISE and n < len(words) - 1:
            continue
        article = word.startswith("ال") and len(word) > 3
        if article:
            word = word[2:]
        letters: list[str] = []
        for i, c in enumerate(word):
            after = word[i + 1:i + 2]
            if c in "وي":
                consonant = (i == 0 or after in _BEFORE_VOWEL
                             or (after == "ه" and i + 2 == len(word)))
                letters.append(("w" if c == "و" else "y") if consonant else
                               ("u" if c == "و" else "i"))
            elif c == "ه" and i == len(word) - 1 and i:
                letters.append("a" if n == len(words) - 1 else "at")
            else:
                letter = c.translate(_ROMAN)
                # A vowel between letters that would read as one: سهل is "sahl", not "shl".
                if letters and (letter == "h" and letters[-1][-1:] in _DIGRAPH_FIRST
                                or letter == "j" and letters[-1] == "d"):
                    letters.append("a")
                letters.append(letter)
        out.append(("al " if article else "") + "".join(letters))
    return " ".join(out)


@dataclass(frozen=True, slots=True)
class Query:
    """A place name stripped of the words that describe it."""

    name: str  # normalised
    kinds: frozenset[str] | None = None  # the kinds of entry meant; None: any
    area: bool = False  # "countryside", "northern …": the area named, not its town
    near: bool = False  # "outskirts", "near …", or an area: a town's point is approximate
    rural: bool = False  # "countryside", "rural", "ريف": what lies around the place named
    part: bool = False  # "northern …", "western …": a part of the place named


_KIND_WORDS = {
    GOVERNORATE: ["governorate", "province", "muhafaza", "muhafazah", "محافظه"],
    DISTRICT: ["district", "mantiqa", "mantiqah", "منطقه"],
    SUB_DISTRICT: ["sub district", "subdistrict", "nahiya", "nahiyah", "nahia", "ناحيه"],
    TOWN: ["town", "city", "village", "camp", "mountain", "mount", "hill", "neighbourhood",
           "neighborhood", "مدينه", "بلده", "قريه", "مخيم", "حي"],
}
_DIRECTIONS = [f"{a}{b}{c}" for a in ("north", "south") for b in ("", " ", "-")
               for c in ("east", "west", "eastern", "western")] + [
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central"]
_ARABIC_DIRECTIONS = ["شمال", "جنوب", "شرق", "غرب"]
_RURAL_WORDS = ["countryside", "rural", "ريف"]
_PART_WORDS = [*(normalise_name(d) for d in _DIRECTIONS), *_ARABIC_DIRECTIONS,
               *(f"ال{d}{e}" for d in _ARABIC_DIRECTIONS for e in ("ي", "يه"))]
_NEAR_WORDS = ["near", "around", "outskirts", "suburbs", "vicinity", "محيط", "اطراف",
               # An airbase bears the name of the town it lies by, a few km out: "Menagh
               # airbase" is near Menagh, unless the whole text names the base itself.
               "airbase", "air base", "airport", "airfield", "military airport", "مطار"]
_FILLERS = ["of", "the", "in"]
# Longest first, so "sub district" is taken before "district".
_WORDS = sorted({(w, k) for k, ws in _KIND_WORDS.items() for w in ws}
                | {(w, "rural") for w in _RURAL_WORDS} | {(w, "part") for w in _PART_WORDS}
                | {(w, "near") for w in _NEAR_WORDS}
                | {(w, "") for w in _FILLERS}, key=lambda p: (-len(p[0]), p))


def parse_query(text: str) -> Query:
    """Strip descriptive words from either end of ``text``: "Northeastern Daraa
    Governorate" is Daraa, a governorate, in part; "Aleppo town" is Aleppo, a place."""
    name = normalise_name(text)
    kinds: frozenset[str] | None = None
    near = rural = part = False
    stripped = True
    while stripped:
        stripped = False
        for word, what in _WORDS:
            rest = _strip(name, word)
            if rest is None:
                continue
            name, stripped = rest, True
            if what in ("rural", "part", "near"):
                near, rural, part = True, rural or what == "rural", part or what == "part"
            elif what:
                kinds = PLACES if what == TOWN else frozenset({what})
            break
    return Query(name, kinds, rural or part, near, rural, part)


def _strip(name: str, word: str) -> str | None:
    if name.startswith(word + " "):
        return name[len(word) + 1:]
    if name.endswith(" " + word):
        return name[:-len(word) - 1]
    return None
