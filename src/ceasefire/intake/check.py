"""What a check of an import file finds, so a user can fix the registry and the file in one
round: every unknown actor name with the rows that give it and the known actors spelled
nearest, and the other problems counted by the file's column."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ceasefire.domain.actors import Actor, UnknownActor, normalise_name, surviving
from ceasefire.errors import CeasefireError
from ceasefire.geo.spelling import letters_apart

NEAREST = 3  # known actors suggested for each unknown name


@dataclass(frozen=True, slots=True)
class Near:
    """A known actor spelled near an unknown name."""

    code: str
    name: str  # the actor's name (or alias, or code) nearest the unknown one
    letters: int  # how many letters apart, as normalised (case, accents, punctuation aside)


@dataclass(frozen=True, slots=True)
class UnknownName:
    name: str  # as the file first spells it
    rows: int
    nearest: tuple[Near, ...]


@dataclass(frozen=True, slots=True)
class ColumnProblems:
    column: str
    count: int
    line: int | None  # of the first
    first: str  # the first one's message


@dataclass(frozen=True)
class FileCheck:
    file: str
    format: str
    read: int
    bad_rows: int
    unknown: tuple[UnknownName, ...]  # most rows first
    problems: tuple[ColumnProblems, ...]  # most problems first

    @property
    def clean(self) -> bool:
        return self.bad_rows == 0


class Tally:
    """Counts a file's problems row by row; ``result`` names them."""

    def __init__(self) -> None:
        self.read = 0
        self.bad_rows = 0
        self._unknown: Counter[str] = Counter()  # by normalised name: rows
        self._spelled: dict[str, str] = {}  # normalised -> first spelling
        self._columns: Counter[str] = Counter()
        self._first: dict[str, CeasefireError] = {}

    def add(self, problems: Sequence[CeasefireError]) -> None:
        """The problems of one bad row (fields already named as the file names them)."""
        self.bad_rows += 1
        names = set()
        for p in problems:
            if isinstance(p, UnknownActor):
                key = normalise_name(p.name)
                self._spelled.setdefault(key, p.name)
                names.add(key)
            else:
                column = p.field or "(row)"
                self._columns[column] += 1
                self._first.setdefault(column, p)
        self._unknown.update(names)  # a row naming one twice counts once

    def result(self, actors: Iterable[Actor], *, file: str, format: str  # noqa: A002
               ) -> FileCheck:
        by_code = {a.code: a for a in actors}
        # A merged actor's names suggest the actor it was merged into: the code to use.
        known = [(surviving(by_code, a.code), n, normalise_name(n)) for a in by_code.values()
                 for n in dict.fromkeys((*a.all_names(), a.code))]
        unknown = tuple(
            UnknownName(self._spelled[key], rows, nearest_actors(key, known))
            for key, rows in sorted(self._unknown.items(), key=lambda kv: (-kv[1], kv[0])))
        problems = tuple(
            ColumnProblems(column, count, self._first[column].line,
                           self._first[column].message)
            for column, count in sorted(self._columns.items(), key=lambda kv: (-kv[1], kv[0])))
        return FileCheck(file, format, self.read, self.bad_rows, unknown, problems)


def nearest_actors(typed: str, known: Sequence[tuple[str, str, str]], *,
                   limit: int = NEAREST) -> tuple[Near, ...]:
    """The actors whose names are spelled nearest ``typed`` (normalised), each by its
    nearest name (its own name first on a tie); only those at most a third of the letters
    apart (at least 2), so that a short code is not offered for any short name.
    ``known``: (code, name, normalised name), an actor's names before its code."""
    cap = max(2, len(typed) // 3)
    best: dict[str, Near] = {}
    for code, name, normal in known:
        letters = letters_apart(typed, normal, cap=cap)
        if letters <= cap and (code not in best or letters < best[code].letters):
            best[code] = Near(code, name, letters)
    return tuple(sorted(best.values(), key=lambda n: (n.letters, n.code))[:limit])
