"""How the ledger holds each table, so that no table can change what the record says
unseen. Every table is one of:

- a record (`RECORD`): each row is a record of one kind; the entry that writes it signs its
  digest, and `ledger verify` replays the entries against the rows;
- part of a record (`PART`): rows that belong to a record of another table and are in its
  digest (a report's actors, an incident's reports);
- derived (`DERIVED`): computed from records, and recomputed and compared by `ledger
  verify` (services/ledger_checks.py), so an edit is named as an edit of a record is; the
  pages' overview is kept in step by a hook after each ledger entry (`AFTER_APPEND`);
- the ledger itself (`LEDGER`): hash-linked, signed entries, the records each wrote, and
  signed checkpoints;
- access (`ACCESS`): who may act and the server's memory of requests; nothing the record
  says rests on them (docs/ledger.md says what someone who edits them can and cannot do).

Records and their parts are as store/records.py declares each kind.
tests/store/test_integrity.py fails when a table is in none of these, and docs/ledger.md
lists the same classes table by table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from ceasefire.store import overview
from ceasefire.store.records import KINDS, Key

RECORD, PART, DERIVED, LEDGER, ACCESS = "record", "part", "derived", "ledger", "access"


class Held(NamedTuple):
    how: str  # one of the classes above
    kind: str | None = None  # the record kind (RECORD), or the record it belongs to (PART)


TABLES: dict[str, Held] = {
    **{k.table.name: Held(RECORD, k.name) for k in KINDS.values() if k.where is None},
    **{p.table.name: Held(PART, k.name) for k in KINDS.values() for p in k.parts},
    "report_links": Held(DERIVED),  # scored by the engine; forced ones: records ("joined")
    "incident_overview": Held(DERIVED),
    "overview_days": Held(DERIVED),
    "overview_cells": Held(DERIVED),
    "ledger_entries": Held(LEDGER),
    "ledger_writes": Held(LEDGER),
    "ledger_checkpoints": Held(LEDGER),
    "ledger_cosignatures": Held(LEDGER),
    "idempotency_keys": Held(ACCESS),
    "web_sessions": Held(ACCESS),
    "login_failures": Held(ACCESS),
}


class Hook(NamedTuple):
    """What keeps derived tables in step with the records of some kinds."""

    tables: tuple[str, ...]  # the derived tables it keeps
    follows: tuple[str, ...]  # the kinds of record whose writes it follows
    run: Callable[[Session, Sequence[tuple[str, Any]]], None]  # with (kind, key) written


# Run by `ledger.append` after each entry that wrote records of the kinds they follow, in
# the entry's transaction: a write path cannot leave them behind.
AFTER_APPEND: tuple[Hook, ...] = (
    Hook(("incident_overview", "overview_days", "overview_cells"), overview.FOLLOWS,
         overview.follow),
)


def after_append(session: Session, written: Sequence[tuple[str, str]]) -> None:
    """Run the hooks that follow the kinds of these records (kind, key as stored)."""
    for hook in AFTER_APPEND:
        mine: list[tuple[str, Key]] = [(kind, KINDS[kind].parse(key)) for kind, key in written
                                       if kind in hook.follows]
        if mine:
            hook.run(session, mine)
