"""What a transaction changed in the record, by kind and key, until a ledger entry takes it.

Repositories note each record they write here; the service that made the change appends
the ledger entry, which takes the notes. A transaction that would commit notes no entry
took is refused (`Database.session`), so no write reaches the record unlogged.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

_KEY = "ceasefire.journal"

# The kinds of record the ledger covers; derived tables (links, place names, caches) and
# secrets (token and password hashes) are not among them.
KINDS = ("party", "actor", "agreement", "account", "report", "incident", "decision",
         "assessment", "verdict", "bulletin")


def touch(session: Session, kind: str, keys: Iterable[str]) -> None:
    assert kind in KINDS, kind
    notes: dict[tuple[str, str], None] = session.info.setdefault(_KEY, {})
    for key in keys:
        notes[kind, key] = None


def take(session: Session) -> list[tuple[str, str]]:
    """The notes so far, in the order made; clears them."""
    return list(session.info.pop(_KEY, {}))


def pending(session: Session) -> list[tuple[str, str]]:
    return list(session.info.get(_KEY, {}))
