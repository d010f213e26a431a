"""How names of armed actors are compared: exactly after normalisation, and, failing that,
by a variant key under which the common transliterations of one Arabic name meet.

Writers disagree on the article (al-Sham, ash-Sham, el Sham, alSham), on vowels and
semivowels (Jaysh, Jaish, Jeish; Hayat, Hay'at, Haiat), on the closing ta marbuta
(al-Jabha, al-Jabhat; Shamiya, Shamiyah) and on doubled letters (Shamiyya). The key folds
those away and keeps the consonants, as place names are keyed (geo/names.py). Names too
short to carry a skeleton (IS, SDF) get no key: their letters say too little.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that writers use interchangeably: Arabic alif and ya forms, ta marbuta, the
# tatweel; Turkish dotless i; and the apostrophes and ayn/hamza marks of transliteration
# (Hay'at = Hayat), which are dropped rather than read as word breaks.
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None,
                       "ı": "i", "'": None, "’": None, "‘": None, "ʿ": None, "ʾ": None,
                       "`": None})


def normalise_name(text: str) -> str:
    """A form for comparing names: case-folded, without accents, punctuation or Arabic
    letter variants, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text).translate(_FOLD)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[\W_]+", " ", kept.casefold())
    return " ".join(words.split())


# Before accents go: Turkish ş, ç and ğ are sh, ch and g (Heyet Tahrir el Şam); hamza
# seats and Persian letters are their plain Arabic letters.
_BEFORE = str.maketrans({"ş": "sh", "Ş": "sh", "ç": "ch", "Ç": "ch", "ğ": "g", "Ğ": "g",
                         "ؤ": "و", "ئ": "ي", "ء": None, "ی": "ي", "ک": "ك"})
# The Arabic article as romanised, assimilated to sun letters (ash-Sham, az-Zawiya), and
# as Russian writes it (аль-Ислам, аш-Шам).
_ARTICLES = frozenset([
    "al", "el", "il", "ul", "l", "ar", "er", "as", "es", "ash", "esh", "ech", "at", "et",
    "ath", "eth", "az", "ez", "ad", "ed", "adh", "edh", "an", "en", "ej",
    "аль", "ал", "эль", "аш", "ас", "ан", "ар", "ат", "аз", "ад", "эш"])
_JOINED = re.compile(r"^[ae]l(?=...)")  # Tahrir alSham: the article run into the word
# Applied in order to each Latin word: digraphs first, then the closing ta marbuta,
# doubled letters, semivowels, and last the vowels, which carry little.
_LATIN = [(re.compile(p), r) for p, r in (
    (r"dsch|dzh|dj|zh", "j"),
    (r"sch|tch|ch", "sh"),  # French Cheikh, German Scheich
    (r"qu(?=[aeio])", "k"),
    (r"kh|q|ck", "k"),  # خ ق ك are told apart inconsistently
    (r"gh", "g"),
    (r"th", "t"),
    (r"dh", "z"),
    (r"ph", "f"),
    (r"ou(?=[aeiy])", "w"),  # French Soueida
    (r"ou|oo", "u"),
    (r"(?<=...)([aeiou])[ht]$", r"\1"),  # ta marbuta: Shamiyah, Jabhat = Shamiya, Jabha
    (r"(.)\1+", r"\1"),  # Shamiyya = Shamiya
    (r"iy", "y"),  # Shamiya = Shamya; not "ey": Turkish Heyet is Hayat
    (r"uw", "w"),
    (r"i(?=[aeou])", "y"),  # Haiat = Hayat
    (r"(?<=.)[yw](?![aeiou])", "a"),  # y, w closing a syllable are vowels: Jaysh = Jaish
    (r"[aeiou]+", "a"),
    (r"^a", ""),  # an opening vowel, alif or ayn
)]
_CYRILLIC = [(re.compile(p), r) for p, r in (
    (r"(.)\1+", r"\1"),
    (r"[аеёиоуыэюяй]+", "а"),
    (r"^а", ""),
)]
_SHORTEST = 5  # letters a name needs for a key: "IS" or "SDF" must not match "US"


def _latin(word: str, rules: list[tuple[re.Pattern[str], str]]) -> str:
    for pattern, replacement in rules:
        word = pattern.sub(replacement, word)
    return word


def _word_key(word: str, *, first: bool) -> str:
    if "\u0600" <= word[0] <= "\u06ff":  # Arabic script: without its article
        return word[2:] if word.startswith("ال") and len(word) > 3 else word
    if "\u0400" <= word[0] <= "\u04ff":
        return _latin(word, _CYRILLIC)
    return _latin(word if first else _JOINED.sub("", word), _LATIN)


def variant_key(text: str) -> str:
    """The key under which spellings of one name meet: Hay'at Tahrir al-Sham, Haiat Tahrir
    ash-Sham and Hayat Tahrir alSham give one key. Empty for a name too short to have one."""
    words = normalise_name(text.translate(_BEFORE)).split()
    if sum(len(w) for w in words) < _SHORTEST:
        return ""
    kept = [w for i, w in enumerate(words) if w not in _ARTICLES or i == len(words) - 1]
    key = "".join(_word_key(w, first=i == 0) for i, w in enumerate(kept))
    return key if len(key) >= _SHORTEST - 1 else ""
