"""The digest of each record as the database holds it: the ledger notes it when an entry
writes the record, and `ledger verify` reads it again to see that nothing changed since.

A record is its row and the rows that belong to it, as its kind declares them
(store/records.py). Its digest is SHA-256 over the sorted-key JSON (orjson: one spelling of
every value) of an object keyed by table name: the row as {column: value}, and each part
as a list of such objects, in a stable order (a part with no rows is left out). Values are
as the database's driver returns them, times in UTC. A column added to a table after its
records were signed is left out of a row that holds what rows written before it hold
(`Added.before`), so the digest of a record written then is the digest it was signed
with (docs/decisions.md).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Select, literal, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from ceasefire.store.records import KINDS, Added, Kind, Part, text

_CHUNK = 2000  # keys per IN (...): within every backend's limit on parameters


def _default(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, datetime):  # PostgreSQL gives them in the session's time zone
        return value.astimezone(UTC).isoformat()
    raise TypeError(type(value))


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, default=_default,
                        option=orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME)


def digest(record: Any) -> str:
    return hashlib.sha256(_canonical(record)).hexdigest()


def _raw(column: Any, name: str) -> Any:
    """A column as the driver gives it: no conversion to Python types on the way, which
    would cost more than the digest (a million reports at an import's end)."""
    return type_coerce(column, NullType()).label(name)


def _chunks(keys: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(keys), _CHUNK):
        yield keys[start:start + _CHUNK]


def _row(names: Sequence[str], values: Sequence[Any], added: Sequence[Added]) -> dict[str, Any]:
    """A row as {column: value}, without the added columns that hold what rows written
    before them hold."""
    row = dict(zip(names, values, strict=False))  # as many: the query selects them so
    for a in added:
        value = row[a.column]
        if (value is None) if a.before is None else (value == a.before):
            del row[a.column]
    return row


class Written:
    """Digests of records of one kind from the values a writer has just written.

    `columns` names a row's values as the writer gives them, `parts` each part's (in the
    kind's order); the surrogate id, the columns left out and each part's parent are
    skipped. Unless the writer gives every column the digest holds (`complete`: a column
    added to a table, and not yet to its writer, holds what the database put there), its
    records are read back instead."""

    def __init__(self, kind: str, columns: Sequence[str],
                 parts: Sequence[Sequence[str]] = ()) -> None:
        k = KINDS[kind]
        read = reader(k)
        self._table = str(k.table.name)
        self._at = tuple((c, i) for i, c in enumerate(columns) if c in read.names)
        self._added = k.added
        self.complete = ({c for c, _ in self._at} == set(read.names)
                         and len(parts) == len(read.parts))
        self._parts = []
        for given, part in zip(parts, read.parts, strict=False):
            skip = tuple(c for c in given if c not in part.names)
            # A part naming other rows is digested with their codes: read back.
            self.complete &= not part.part.named and set(given) - set(skip) == set(part.names)
            self._parts.append((str(part.part.table.name), tuple(given), skip,
                                part.part.added))

    def __call__(self, values: Sequence[Any], parts: Sequence[Sequence[Sequence[Any]]] = ()
                 ) -> str:
        """The digest of the record whose row holds `values` and whose parts hold the rows
        `parts` (a list per part)."""
        row = {c: values[i] for c, i in self._at}
        for a in self._added:  # as `_row`
            if (row[a.column] is None) if a.before is None else (row[a.column] == a.before):
                del row[a.column]
        record: dict[str, Any] = {self._table: row}
        for (table, columns, skip, added), rows in zip(self._parts, parts, strict=True):
            if not rows:
                continue
            found = []
            for values_of in rows:
                part_row = _row(columns, values_of, added)
                for name in skip:
                    del part_row[name]
                found.append(part_row)
            record[table] = sorted(found, key=_canonical) if len(found) > 1 else found
        return digest(record)


@dataclass(frozen=True)
class _PartReader:
    part: Part
    names: tuple[str, ...]
    query: Select[Any]  # (the record's row id, columns…)

    def read(self, session: Session, ids: Sequence[int]) -> dict[int, list[Any]]:
        grouped: dict[int, list[Any]] = defaultdict(list)
        where = self.part.table.c[self.part.parent].in_(ids)
        for r in session.execute(self.query.where(where)):
            grouped[r[0]].append(_row(self.names, r[1:], self.part.added))
        return {k: sorted(v, key=_canonical) if len(v) > 1 else v for k, v in grouped.items()}


def _part_reader(part: Part) -> _PartReader:
    t, named = part.table, dict(part.named)
    names: list[str] = []
    selected: list[Any] = []
    joins: list[tuple[Any, Any]] = []
    for c in t.columns:
        if c.name in ("id", part.parent):
            continue
        if c.name in named:
            code = named[c.name]
            other = code.table.alias()
            joins.append((other, other.c.id == c))
            names.append(str(c.name).removesuffix("_id"))
            selected.append(_raw(other.c[code.name], names[-1]))
        else:
            names.append(str(c.name))  # a plain str: orjson takes no subclass as a key
            selected.append(_raw(c, c.name))
    query = select(t.c[part.parent], *selected).select_from(t)
    for other, on in joins:
        query = query.join(other, on)
    return _PartReader(part, tuple(names), query)


@dataclass(frozen=True)
class _Reader:
    """How to read one kind of record: a query of (key parts…, row id, columns…), narrowed
    to some keys by the key's first part, and the parts of each row."""

    kind: Kind
    width: int  # how many key parts lead each row
    names: tuple[str, ...]
    query: Select[Any]
    parts: tuple[_PartReader, ...]

    def key_text(self, row: Sequence[Any]) -> str:
        if self.width == 1:
            return text(row[0])
        return text(self.kind.key(*row[:self.width]))

    def read(self, session: Session, keys: Sequence[str] | None) -> dict[str, str]:
        if keys is None:
            return self._digests(session, session.execute(self.query).all())
        wanted = set(keys)
        firsts = sorted({self._first(self.kind.parse(k)) for k in wanted})
        lookup = self.query.selected_columns[0]
        found: dict[str, str] = {}
        for chunk in _chunks(firsts):
            found.update(self._digests(session, session.execute(
                self.query.where(lookup.in_(chunk))).all()))
        return {k: v for k, v in found.items() if k in wanted}

    def _first(self, key: Any) -> Any:
        return key[0] if self.width > 1 else key

    def _digests(self, session: Session, rows: Sequence[Any]) -> dict[str, str]:
        at = self.width + 1
        parts: list[tuple[str, dict[int, list[Any]]]] = []
        ids = [r[self.width] for r in rows]
        for reader in self.parts:
            found: dict[int, list[Any]] = {}
            for chunk in _chunks(ids):
                found.update(reader.read(session, chunk))
            parts.append((str(reader.part.table.name), found))
        table, added = str(self.kind.table.name), self.kind.added
        out = {}
        for r in rows:
            record: dict[str, Any] = {table: _row(self.names, r[at:], added)}
            for name, found in parts:
                if r[self.width] in found:
                    record[name] = found[r[self.width]]
            out[self.key_text(r)] = digest(record)
        return out


@cache
def _reader(kind: Kind, shape: tuple[tuple[str, ...], ...]) -> _Reader:
    """`shape`: the columns of its tables, so a column added to one makes a new reader."""
    t = kind.table
    source = kind.source()
    digested = [c for c in t.columns if c.name not in ("id", *kind.left_out)]
    row_id = t.c.id if "id" in t.c else literal(0)
    query = source.add_columns(row_id, *(_raw(c, c.name) for c in digested))
    parts = tuple(_part_reader(p) for p in kind.parts)
    return _Reader(kind, len(source.selected_columns), tuple(str(c.name) for c in digested), query,
                   parts)


def reader(kind: Kind) -> _Reader:
    """The kind's reader, made again when one of its tables has gained a column."""
    tables = (kind.table, *(p.table for p in kind.parts))
    return _reader(kind, tuple(tuple(t.c.keys()) for t in tables))


def digests(session: Session, kind: str, keys: Iterable[str] | None = None) -> dict[str, str]:
    """The digest of each record of `kind` with one of `keys` (as the ledger spells them;
    every record: None) that the database holds; keys it does not hold are absent."""
    return reader(KINDS[kind]).read(session, None if keys is None else list(keys))
