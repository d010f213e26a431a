"""What a transaction changed in the record, by kind and key, until a ledger entry takes it.

Repositories note each record they write here; the service that made the change appends
the ledger entry, which takes the notes. A transaction that would commit notes no entry
took is refused (`Database.session`), so no write reaches the record unlogged.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

_KEY = "ceasefire.changes"

# The kinds of record the ledger covers (store/integrity.py: which table holds each).
KINDS = ("party", "actor", "agreement", "account", "token", "import", "report", "place",
         "incident", "decision", "apart", "joined", "assessment", "verdict", "bulletin", "key")


def touch(session: Session, kind: str, keys: Iterable[str]) -> None:
    assert kind in KINDS, kind
    notes: dict[tuple[str, str], None] = session.info.setdefault(_KEY, {})
    for key in keys:
        notes[kind, key] = None


def untouch(session: Session, kind: str, keys: Iterable[str]) -> None:
    """Forget notes of records this transaction made and then removed again."""
    notes: dict[tuple[str, str], None] = session.info.get(_KEY, {})
    for key in keys:
        notes.pop((kind, key), None)


def take(session: Session) -> list[tuple[str, str]]:
    """The notes so far, in the order made; clears them."""
    return list(session.info.pop(_KEY, {}))


def pending(session: Session) -> list[tuple[str, str]]:
    return list(session.info.get(_KEY, {}))
