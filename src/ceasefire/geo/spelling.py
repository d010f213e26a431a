"""How far one spelling is from another, in letters: what a reader is told before taking a
place whose name is not the one typed ("spelled 2 letters differently from 'Jawbar'")."""

from __future__ import annotations

from collections.abc import Iterable

from ceasefire.domain.actors import normalise_name
from ceasefire.geo.names import ARTICLES, is_arabic


def letters_apart(a: str, b: str, *, cap: int = 99) -> int:
    """The Levenshtein distance of ``a`` and ``b`` (insertions, deletions, changes), or
    ``cap + 1`` as soon as it must exceed ``cap``."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (x != y)))
        if min(current) > cap:
            return cap + 1
        previous = current
    return previous[-1]


def _bare(name: str) -> str:
    """A normalised name without its opening article: "al lataminah" is "lataminah"."""
    first, _, rest = name.partition(" ")
    return rest if rest and first in ARTICLES else name


def _apart(typed: str, name: str) -> int:
    name = normalise_name(name)
    return min(letters_apart(typed, name), letters_apart(_bare(typed), _bare(name)))


def nearest_spelling(text: str, names: Iterable[str]) -> tuple[str, int]:
    """The name of ``names`` closest to ``text`` (as normalised: case, accents and an
    opening article aside) and how many letters apart; names in the other script are
    compared only if no name is in the same one."""
    typed = normalise_name(text)
    pool = [n for n in names if n]
    same_script = [n for n in pool if is_arabic(n) == is_arabic(typed)] or pool
    best = min(same_script, key=lambda n: (_apart(typed, n), len(n)))
    return best, _apart(typed, best)
