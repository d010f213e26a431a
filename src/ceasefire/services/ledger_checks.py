"""Checking the ledger: verify it against the database, or an export with no database;
hold checkpoints a party kept against it; export it. The JSON forms of entries and
checkpoints that the API and the export share are here too."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from nacl.signing import VerifyKey
from sqlalchemy.orm import Session

from ceasefire.errors import InvalidInput
from ceasefire.ledger.audit import Audit, Signer, Write
from ceasefire.ledger.checkpoints import Checkpoint
from ceasefire.ledger.entries import Entry, Problem
from ceasefire.services.ledger import current_tree, public_keys
from ceasefire.store import journal
from ceasefire.store import ledger as store
from ceasefire.store.db import Database
from ceasefire.store.digests import digests

# -- verifying --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verified:
    entries: int
    root: bytes
    checkpoints: int
    records: int  # records held against the replay (0 offline)
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _signers(rows: list[Any]) -> dict[str, Signer]:
    return {r["key_id"]: Signer(VerifyKey(bytes.fromhex(r["public"])), r["party"])
            for r in rows}


def _stored_signers(session: Session) -> dict[str, Signer]:
    return _signers(public_keys(session))


def _grouped(writes: Iterator[tuple[int, str, str, str | None]]) -> Iterator[
        tuple[int, list[Write]]]:
    seq, group = None, []
    for s, kind, key, record in writes:
        if s != seq and seq is not None:
            yield seq, group
            group = []
        seq = s
        group.append((kind, key, record))
    if seq is not None:
        yield seq, group


def _replay(audit: Audit, entries: Iterator[tuple[Entry, bytes | None]],
            writes: Iterator[tuple[int, list[Write]]]) -> None:
    pending = next(writes, None)
    for entry, stored_hash in entries:
        while pending is not None and pending[0] < entry.seq:
            audit.problems.append(Problem(pending[0], "records are listed for an entry the "
                                          "ledger does not hold"))
            pending = next(writes, None)
        mine: list[Write] = []
        if pending is not None and pending[0] == entry.seq:
            mine, pending = pending[1], next(writes, None)
        audit.add(entry, mine, stored_hash)
    if pending is not None:
        audit.problems.append(Problem(pending[0], "records are listed for an entry the "
                                      "ledger does not hold"))


def verify(db: Database) -> Verified:
    """Check the chain, every signature, every checkpoint's root, and that the database
    holds exactly what replaying the entries says it must; name the first bad entry."""
    with db.session() as session:
        audit = Audit(_stored_signers(session))
        _replay(audit, store.entries(session), _grouped(store.writes(session)))
        checkpoints = store.checkpoints(session)
        for c in checkpoints:
            audit.check_checkpoint(c)
        records = 0
        for kind in journal.KINDS:
            held = digests(session, kind)
            records += len(held)
            audit.compare(kind, held)
    return Verified(audit.size, audit.tree.root(), len(checkpoints), records,
                    audit.first_problem())


def verify_saved(db: Database, saved: list[Checkpoint]) -> Verified:
    """Whether the ledger grew from each checkpoint a party kept: each is signed by a
    server key, and the entries it covers still give the root it signed."""
    with db.session() as session:
        audit = Audit(_stored_signers(session), tree=current_tree(session)[0])
    for c in saved:
        audit.check_checkpoint(c)
    return Verified(audit.size, audit.tree.root(), len(saved), 0, audit.first_problem())


# -- export and offline verification ----------------------------------------------------------

ENTRIES, WRITES, KEYS, CHECKPOINTS = ("entries.jsonl", "writes.jsonl", "keys.json",
                                      "checkpoints.jsonl")


def export(db: Database, directory: Path) -> int:
    """Write the ledger, the records each entry wrote, the public keys and the
    checkpoints to `directory` (made here; it must not exist). Returns the entries."""
    if directory.exists():
        raise InvalidInput(f"{directory} exists; name a new directory", field="DIR")
    partial = directory.with_name(directory.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    n = 0
    with db.session() as session:  # one snapshot for all four files
        with (partial / ENTRIES).open("wb") as out:
            for entry, _ in store.entries(session):
                out.write(entry.leaf() + b"\n")
                n += 1
        with (partial / WRITES).open("w") as out:
            for row in store.writes(session):
                out.write(json.dumps(list(row)) + "\n")
        (partial / KEYS).write_text(json.dumps(public_keys(session), indent=2) + "\n")
        with (partial / CHECKPOINTS).open("w") as out:
            for c in store.checkpoints(session):
                out.write(json.dumps(checkpoint_json(c)) + "\n")
    partial.rename(directory)  # the export appears whole or not at all
    return n


def entry_json(entry: Entry) -> dict[str, Any]:
    """The entry as signed, with its signature: what `entries.jsonl` holds."""
    return json.loads(entry.leaf())


def checkpoint_json(c: Checkpoint) -> dict[str, Any]:
    return {"size": c.size, "root": c.root.hex(), "at": c.at.isoformat(), "signer": c.signer,
            "signature": c.signature.hex()}


def checkpoint_of(data: Mapping[str, Any]) -> Checkpoint:
    try:
        return Checkpoint(int(data["size"]), bytes.fromhex(data["root"]),
                          datetime.fromisoformat(data["at"]), str(data["signer"]),
                          bytes.fromhex(data["signature"]))
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidInput(f"not a checkpoint: {exc}", field="checkpoint") from None


def _entry_of(line: bytes, number: int) -> Entry:
    try:
        d = json.loads(line)
        return Entry(int(d["seq"]), datetime.fromisoformat(d["at"]), d["party"], d["account"],
                     d["action"], d["payload"], bytes.fromhex(d["prev"]), d["signer"],
                     bool(d["on_behalf"]), bytes.fromhex(d["signature"]))
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidInput(f"line {number} is not a ledger entry: {exc}",
                           field=ENTRIES) from None


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                yield number, line


def verify_export(directory: Path, *, saved: list[Checkpoint] = ()) -> Verified:
    """Verify an export with no database: the chain, signatures, written-record lists and
    checkpoints; and that the ledger grew from each checkpoint in `saved` (ones a party
    kept), which must be signed by a key of the export."""
    for name in (ENTRIES, WRITES, KEYS, CHECKPOINTS):
        if not (directory / name).is_file():
            raise InvalidInput(f"{directory} has no {name}; is it a ledger export?",
                               field="DIR")
    try:
        signers = _signers(json.loads((directory / KEYS).read_text()))
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"{KEYS} is not a list of keys: {exc}", field=KEYS) from None
    audit = Audit(signers)
    writes = ((int(w[0]), w[1], w[2], w[3]) for w in (json.loads(line) for _, line in
                                                        _lines(directory / WRITES)))
    _replay(audit, ((_entry_of(line, n), None) for n, line in _lines(directory / ENTRIES)),
            _grouped(writes))
    kept = [checkpoint_of(json.loads(line)) for _, line in _lines(directory / CHECKPOINTS)]
    for c in [*kept, *saved]:
        audit.check_checkpoint(c)
    return Verified(audit.size, audit.tree.root(), len(kept) + len(saved), 0,
                    audit.first_problem())


