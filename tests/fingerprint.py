"""A digest of everything a database holds, to show that a failed operation changed nothing."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from ceasefire.store.db import Database
from ceasefire.store.tables import Base


def row_counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) or 0
                for t in Base.metadata.sorted_tables}


def fingerprint(db: Database, *, skip: tuple[str, ...] = ()) -> tuple[dict[str, int], str]:
    """(row counts per table, SHA-256 over every row of every table in key order)."""
    digest = hashlib.sha256()
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in skip:
                continue
            digest.update(table.name.encode())
            for row in session.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    counts = {k: v for k, v in row_counts(db).items() if k not in skip}
    return counts, digest.hexdigest()
