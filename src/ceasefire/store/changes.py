"""What a transaction changed in the record, by kind and key, until a ledger entry takes it.

Repositories note each record they write here; the service that made the change appends
the ledger entry, which takes the notes. A transaction that would commit notes no entry
took is refused (`Database.session`), so no write reaches the record unlogged. The kinds,
and how each key is spelt in the ledger, are declared in store/records.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from ceasefire.store.records import KINDS, Key, text

_KEY = "ceasefire.changes"


def _texts(kind: str, keys: Iterable[Key]) -> Iterable[str]:
    """The keys as the ledger spells them; an unknown kind, or a key of another type than
    its kind's, fails."""
    declared = KINDS[kind].key
    if declared is str:  # most keys, a million at an import's end: as they are
        return keys  # type: ignore[return-value]

    def spelt(key: Key) -> str:
        if not isinstance(key, declared):
            raise TypeError(f"a {kind} is keyed by a {declared.__name__}, not {key!r}")
        return text(key)
    return map(spelt, keys)


def touch(session: Session, kind: str, keys: Iterable[Key],
          digests: Iterable[str] | None = None) -> None:
    """Note that this transaction wrote these records of `kind` (their keys as values).
    `digests`: each one's digest as the writer made it from the values it has just
    written (store/digests.Written); without them, and once noted again without them, the
    entry reads the records back to digest them."""
    notes: dict[tuple[str, str], str | None] = session.info.setdefault(_KEY, {})
    if digests is None:
        for key in _texts(kind, keys):
            notes[kind, key] = None
        return
    for key, digest in zip(_texts(kind, keys), digests, strict=True):
        notes[kind, key] = digest


def untouch(session: Session, kind: str, keys: Iterable[Key]) -> None:
    """Forget notes of records this transaction made and then removed again."""
    notes: dict[tuple[str, str], str | None] = session.info.get(_KEY, {})
    for key in _texts(kind, keys):
        notes.pop((kind, key), None)


def take(session: Session) -> list[tuple[str, str]]:
    """The notes so far (kind, key as the ledger spells it), in the order made; clears
    them."""
    return list(session.info.pop(_KEY, {}))


def take_digested(session: Session) -> dict[tuple[str, str], str | None]:
    """As `take`, with the digest each writer gave (None: to be read back)."""
    return session.info.pop(_KEY, {})


def put_back(session: Session, notes: Iterable[tuple[str, str]]) -> None:
    """Notes `take` returned, noted again (an entry that must take only its own)."""
    found: dict[tuple[str, str], str | None] = session.info.setdefault(_KEY, {})
    found.update(dict.fromkeys(notes))  # their digests, if given, are read back


def pending(session: Session) -> list[tuple[str, str]]:
    return list(session.info.get(_KEY, {}))
