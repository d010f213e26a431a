"""The ledger's rows: entries with the records each wrote, signing keys, checkpoints."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, func, insert, or_, select
from sqlalchemy.orm import Session

from ceasefire.ledger.checkpoints import Checkpoint
from ceasefire.ledger.entries import GENESIS, Entry
from ceasefire.store import changes, dialects
from ceasefire.store.tables import (
    CheckpointRow,
    CosignatureRow,
    LedgerEntryRow,
    LedgerKeyRow,
    LedgerWriteRow,
)


def head(session: Session) -> tuple[int, bytes]:
    """The last entry's sequence number and hash; (0, GENESIS) for an empty ledger."""
    row = session.execute(select(LedgerEntryRow.seq, LedgerEntryRow.hash)
                          .order_by(LedgerEntryRow.seq.desc()).limit(1)).one_or_none()
    return (0, GENESIS) if row is None else (row[0], bytes.fromhex(row[1]))


_ADD_ENTRY = insert(LedgerEntryRow)


def add_entry(session: Session, entry: Entry, entry_hash: bytes, payload_json: str,
              writes: Sequence[tuple[str, str, str | None]]) -> None:
    session.execute(_ADD_ENTRY, [{
        "seq": entry.seq, "at": entry.at, "party": entry.party, "account": entry.account,
        "action": entry.action, "payload": payload_json, "prev": entry.prev.hex(),
        "hash": entry_hash.hex(), "signer": entry.signer, "on_behalf": entry.on_behalf,
        "signature": entry.signature.hex()}])
    if writes:  # an import's can be a million rows: the driver's bulk path (COPY)
        dialects.of(session).copy_in(
            session.connection().connection.driver_connection, "ledger_writes",
            _WRITE_COLUMNS, _WRITE_TYPES, [(entry.seq, k, key, d) for k, key, d in writes])


_WRITE_COLUMNS = ("seq", "kind", "key", "digest")
_WRITE_TYPES = ("int4", "varchar", "varchar", "varchar")  # PostgreSQL's, for binary COPY


def _entry(row: Sequence[Any]) -> Entry:  # a row of _ENTRY_COLUMNS
    (seq, at, party, account, action, payload, prev, _hash, signer, on_behalf,
     signature) = row
    return Entry(seq, at, party, account, action, json.loads(payload), bytes.fromhex(prev),
                 signer, bool(on_behalf), bytes.fromhex(signature))


_ENTRY_COLUMNS = [c for c in LedgerEntryRow.__table__.columns]


def entries(session: Session) -> Iterator[tuple[Entry, bytes]]:
    """Every entry with its stored hash, by sequence number."""
    query = select(*_ENTRY_COLUMNS).order_by(LedgerEntryRow.seq)
    for row in session.execute(query.execution_options(yield_per=5000)):
        yield _entry(row), bytes.fromhex(row.hash)


def entries_at(session: Session, seqs: Sequence[int]) -> list[tuple[Entry, bytes]]:
    """These entries, with their stored hashes, by sequence number."""
    found = []
    for at in range(0, len(seqs), 2000):
        query = select(*_ENTRY_COLUMNS).where(LedgerEntryRow.seq.in_(seqs[at:at + 2000]))
        found += [(_entry(row), bytes.fromhex(row.hash)) for row in session.execute(query)]
    return sorted(found, key=lambda x: x[0].seq)


def entries_of(session: Session, actions: Sequence[str]) -> list[Entry]:
    """The entries of these actions, in order (the key entries: a few)."""
    query = (select(*_ENTRY_COLUMNS).where(LedgerEntryRow.action.in_(actions))
             .order_by(LedgerEntryRow.seq))
    return [_entry(row) for row in session.execute(query)]


def writes_of(session: Session, seq: int) -> list[tuple[str, str, str | None]]:
    """The records one entry wrote (kind, key, digest)."""
    w = LedgerWriteRow
    return [(k, key, d) for k, key, d in session.execute(
        select(w.kind, w.key, w.digest).where(w.seq == seq)
        .execution_options(yield_per=50000))]


def last_written(session: Session, kind: str, keys: Sequence[str],
                 ) -> dict[str, tuple[int, str | None]]:
    """The last entry to write each of these records, and the digest it wrote."""
    w = LedgerWriteRow
    found: dict[str, tuple[int, str | None]] = {}
    for at in range(0, len(keys), 2000):
        for key, seq, digest in session.execute(
                select(w.key, w.seq, w.digest).where(w.kind == kind,
                                                     w.key.in_(keys[at:at + 2000]))
                .order_by(w.seq)):
            found[key] = (seq, digest)
    return found


def replayed(session: Session, kind: str) -> dict[str, tuple[int, str | None]]:
    """Every record of one kind the entries wrote, as the last to write each left it."""
    w = LedgerWriteRow
    return {key: (seq, digest) for key, seq, digest in session.execute(
        select(w.key, w.seq, w.digest).where(w.kind == kind).order_by(w.seq))}


def entry(session: Session, seq: int) -> Entry | None:
    row = session.execute(select(*_ENTRY_COLUMNS).where(LedgerEntryRow.seq == seq)).one_or_none()
    return None if row is None else _entry(row)


def stored_hashes(session: Session, *, after: int = 0) -> list[bytes]:
    """The stored hashes of the entries after `after`, in order (for the Merkle tree)."""
    return [bytes.fromhex(h) for h in session.scalars(
        select(LedgerEntryRow.hash).where(LedgerEntryRow.seq > after)
        .order_by(LedgerEntryRow.seq))]


def writes(session: Session, first: int = 1, last: int | None = None,
           ) -> Iterator[tuple[int, str, str, str | None]]:
    """Every (seq, kind, key, digest), ordered by entry (of entries first..last)."""
    w = LedgerWriteRow
    query = select(w.seq, w.kind, w.key, w.digest).where(w.seq >= first)
    if last is not None:
        query = query.where(w.seq <= last)
    yield from session.execute(query.order_by(w.seq, w.kind, w.key)
                               .execution_options(yield_per=20000))


def entries_between(session: Session, first: int, last: int) -> list[Entry]:
    """Entries first..last, in order."""
    query = (select(*_ENTRY_COLUMNS).where(LedgerEntryRow.seq.between(first, last))
             .order_by(LedgerEntryRow.seq))
    return [_entry(row) for row in session.execute(query)]


def last_writes(session: Session, kind: str, keys: Sequence[str], *, prefix: bool = False,
                ) -> dict[str, int]:
    """The last entry that wrote each record of one kind, by key; with `prefix`, of every
    record whose key starts with one of `keys` (a verdict's key starts with its
    assessment's)."""
    w = LedgerWriteRow
    found: dict[str, int] = {}
    for at in range(0, len(keys), 500):
        chunk = keys[at:at + 500]
        # A range, not LIKE: an index on (kind, key) serves it on both backends.
        match = (or_(*(and_(w.key >= k, w.key < k[:-1] + chr(ord(k[-1]) + 1)) for k in chunk))
                 if prefix else w.key.in_(chunk))
        found.update(session.execute(select(w.key, func.max(w.seq))
                                     .where(w.kind == kind, match).group_by(w.key)).all())
    return found


# -- keys -------------------------------------------------------------------------------------

def add_key(session: Session, *, key_id: str, party: str | None, public: bytes,
            sealed: str | None, created_at: datetime) -> None:
    session.add(LedgerKeyRow(key_id=key_id, party=party, public=public.hex(), sealed=sealed,
                             created_at=created_at, status="current"))
    session.flush()
    changes.touch(session, "key", [key_id])


def retire_key(session: Session, key_id: str, status: str) -> None:
    """Mark a key replaced ("rotated") or revoked: it signs nothing from now on."""
    row = session.get(LedgerKeyRow, key_id)
    assert row is not None and row.status == "current", key_id
    row.status = status
    session.flush()
    changes.touch(session, "key", [key_id])


class StoredKey(NamedTuple):
    key_id: str
    party: str | None  # None: the server's
    public: str  # hex
    sealed: str | None  # the server's private key, sealed with its passphrase
    created_at: datetime
    status: str  # current, rotated, revoked


_K = LedgerKeyRow
_KEY_COLUMNS = (_K.key_id, _K.party, _K.public, _K.sealed, _K.created_at, _K.status)


def _keys(session: Session, *where: Any) -> list[StoredKey]:
    return [StoredKey(*row) for row in session.execute(
        select(*_KEY_COLUMNS).where(*where).order_by(_K.created_at, _K.key_id))]


def keys(session: Session) -> list[StoredKey]:
    return _keys(session)


def key(session: Session, key_id: str) -> StoredKey | None:
    found = _keys(session, _K.key_id == key_id)
    return found[0] if found else None


def server_keys(session: Session) -> list[StoredKey]:
    """The server's current keys (one, unless the table was tampered with)."""
    return _keys(session, _K.party.is_(None), _K.status == "current")


def party_keys(session: Session, party: str) -> list[StoredKey]:
    """The party's current keys (one at most, unless the table was tampered with)."""
    return _keys(session, _K.party == party, _K.status == "current")


def last_digest(session: Session, kind: str, key: str) -> str | None:
    """The digest the last entry to write this record gave it (None: none wrote it)."""
    w = LedgerWriteRow
    return session.scalar(select(w.digest).where(w.kind == kind, w.key == key)
                          .order_by(w.seq.desc()).limit(1))


def first_written(session: Session, kind: str, key: str) -> int | None:
    """The entry that first wrote this record (a key: the one that registered it)."""
    w = LedgerWriteRow
    return session.scalar(select(func.min(w.seq)).where(w.kind == kind, w.key == key))


def root_key_id(session: Session) -> str | None:
    """The key that signed entry 1: the ledger's trust root."""
    return session.scalar(select(LedgerEntryRow.signer).where(LedgerEntryRow.seq == 1))


# -- checkpoints ------------------------------------------------------------------------------

def _checkpoint(row: CheckpointRow) -> Checkpoint:
    return Checkpoint(row.size, bytes.fromhex(row.root), row.at, row.signer,
                      bytes.fromhex(row.signature), row.trust, row.note)


def add_checkpoint(session: Session, checkpoint: Checkpoint) -> None:
    session.add(CheckpointRow(size=checkpoint.size, root=checkpoint.root.hex(),
                              at=checkpoint.at, signer=checkpoint.signer,
                              signature=checkpoint.signature.hex(), trust=checkpoint.trust,
                              note=checkpoint.note))
    session.flush()


def checkpoint(session: Session, size: int) -> Checkpoint | None:
    row = session.get(CheckpointRow, size)
    return None if row is None else _checkpoint(row)


def checkpoints(session: Session) -> list[Checkpoint]:
    return [_checkpoint(r) for r in session.scalars(select(CheckpointRow)
                                                    .order_by(CheckpointRow.size))]


# -- cosignatures -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class StoredCosignature:
    size: int
    witness: str
    vkey: str
    line: str
    cosigned_at: datetime


def add_cosignature(session: Session, c: StoredCosignature) -> None:
    session.merge(CosignatureRow(size=c.size, witness=c.witness, vkey=c.vkey, line=c.line,
                                 cosigned_at=c.cosigned_at))
    session.flush()


def cosignatures(session: Session, size: int | None = None) -> list[StoredCosignature]:
    """The cosignatures of the checkpoint of `size` (None: of every checkpoint)."""
    query = select(CosignatureRow).order_by(CosignatureRow.size, CosignatureRow.witness)
    if size is not None:
        query = query.where(CosignatureRow.size == size)
    return [StoredCosignature(r.size, r.witness, r.vkey, r.line, r.cosigned_at)
            for r in session.scalars(query)]


def latest_cosigned(session: Session) -> tuple[int | None, int]:
    """The largest size cosigned and how many cosignatures it has: changes whenever one
    is kept (read through the primary key, not by counting every row)."""
    c = CosignatureRow
    latest = select(func.max(c.size)).scalar_subquery()
    row = session.execute(select(func.max(c.size), func.count()).where(c.size == latest)).one()
    return row[0], row[1]


def cosignature_counts(session: Session, quorum: int) -> tuple[int, int]:
    """How many cosignatures are kept, and how many checkpoints have `quorum` of them (as
    stored; for measuring, not for trusting)."""
    c = CosignatureRow
    per_size = select(c.size).group_by(c.size).having(func.count() >= quorum).subquery()
    total = session.scalar(select(func.count()).select_from(c)) or 0
    return total, session.scalar(select(func.count()).select_from(per_size)) or 0


def cosigned_size(session: Session, witness: str) -> int:
    """The largest checkpoint the witness has cosigned (0: none)."""
    c = CosignatureRow
    found = session.scalar(select(c.size).where(c.witness == witness)
                           .order_by(c.size.desc()).limit(1))
    return found or 0


def witnessed_sizes(session: Session, witnesses: Sequence[str], quorum: int,
                    at_least: int = 0, limit: int = 20) -> list[int]:
    """The largest sizes (from `at_least`, descending, at most `limit`) of checkpoints
    cosigned by `quorum` of these witnesses, as stored: callers check each line before
    they rely on it. Grouped in the primary key's order, so the newest come first and the
    rest are not read."""
    c = CosignatureRow
    return list(session.scalars(
        select(c.size).where(c.witness.in_(witnesses), c.size >= at_least).group_by(c.size)
        .having(func.count() >= quorum).order_by(c.size.desc()).limit(limit)))
