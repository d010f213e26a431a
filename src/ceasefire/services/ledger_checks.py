"""Checking the ledger: verify it against the database, or an export with no database;
hold checkpoints a party kept against it; export it. The JSON forms of entries and
checkpoints that the API and the export share are here too."""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from nacl.exceptions import BadSignatureError
from sqlalchemy.orm import Session

from ceasefire.domain.parties import Role
from ceasefire.errors import CeasefireError, InvalidInput, StorageUnavailable
from ceasefire.ledger.audit import Audit, Write, writes_digest
from ceasefire.ledger.checkpoints import Checkpoint, checkpoint_json, checkpoint_of
from ceasefire.ledger.entries import Entry, Problem
from ceasefire.ledger.note import NoteError, cosigned_at, parse_vkey, signature_line
from ceasefire.ledger.trust import ACTIONS as KEY_ACTIONS
from ceasefire.ledger.trust import Trust
from ceasefire.services.correlation import links_again
from ceasefire.services.ledger import public_keys
from ceasefire.store import incidents as incidents_store
from ceasefire.store import ledger as store
from ceasefire.store import overview as overview_store
from ceasefire.store import overview_cells, overview_days
from ceasefire.store.accounts import list_accounts
from ceasefire.store.db import Database
from ceasefire.store.digests import digests
from ceasefire.store.records import KINDS, Key, text

# -- verifying --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verified:
    entries: int
    root: bytes
    checkpoints: int
    records: int  # records held against the replay (0 offline)
    problem: Problem | None
    root_key: str | None = None  # the key entry 1 registered: the ledger's trust root

    @property
    def ok(self) -> bool:
        return self.problem is None


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


def _secretariat(session: Session) -> Callable[[str], bool]:
    roles = {a.username: a.role for a in list_accounts(session)}
    return lambda username: roles.get(username) is Role.SECRETARIAT


def _check_cosignatures(audit: Audit, checkpoints: Mapping[int, Checkpoint],
                        rows: Sequence[store.StoredCosignature]) -> None:
    """Each cosignature kept must be its witness's, of the checkpoint as the server signed
    it: an edited or forged one is named, never counted toward a quorum."""
    for row in rows:
        c = checkpoints.get(row.size)
        try:
            name, key = parse_vkey(row.vkey)
            good = (c is not None and c.note is not None and name == row.witness
                    and cosigned_at(c.text(), signature_line(row.line), name, key) is not None)
        except NoteError:
            good = False
        if not good:
            audit.problems.append(Problem(None, f"checkpoint at size {row.size}: the "
                                          f"cosignature of witness {row.witness} does not "
                                          "verify"))


def verify(db: Database, saved: Sequence[Checkpoint] = ()) -> Verified:
    """Check the chain, every signature by a key the entries trust, every checkpoint's
    root, and that the database holds exactly what replaying the entries says it must;
    and that the ledger grew from each checkpoint in `saved` (ones a party kept, which
    pin the trust root). Names the first bad entry."""
    with db.session() as session:
        pinned = next((c.trust for c in saved if c.trust is not None), None)
        audit = Audit(Trust(pinned, secretariat=_secretariat(session)))
        _replay(audit, store.entries(session), _grouped(store.writes(session)))
        checkpoints = store.checkpoints(session)
        for c in [*checkpoints, *saved]:
            audit.check_checkpoint(c)
        _check_cosignatures(audit, {c.size: c for c in checkpoints},
                            store.cosignatures(session))
        records = 0
        for kind in KINDS:
            held = digests(session, kind)
            records += len(held)
            audit.compare(kind, held)
        _compare_keys(audit, public_keys(session))
        _compare_derived(audit, session)
    return Verified(audit.size, audit.tree.root(), len(checkpoints) + len(saved), records,
                    audit.first_problem(), audit.trust.root)


@dataclass(frozen=True)
class Held:
    records: int  # records checked
    entries: int  # the entries that last wrote them, each checked
    problem: Problem | None


def records_hold(session: Session, wanted: Mapping[str, Sequence[Key]]) -> Held:
    """Whether these records (kind -> keys) are as the ledger last wrote them, and each
    entry that wrote them last is whole: hashed as stored, signed by a key the ledger's
    key entries trusted then, its list of records as signed. What a bulletin checks of
    the records its counts rest on, without replaying the whole ledger."""
    last: dict[tuple[str, str], int] = {}
    problems: list[Problem] = []
    count = 0
    for kind, typed in wanted.items():
        keys = sorted({text(k) for k in typed})
        count += len(keys)
        held = digests(session, kind, keys)
        written = store.last_written(session, kind, keys)
        for key in keys:
            seq, digest = written.get(key, (None, None))
            if seq is None:
                problems.append(Problem(None, f"{kind} {key} is in the database, but no "
                                        "ledger entry wrote it"))
            elif held.get(key) != digest:
                problems.append(Problem(seq, f"{kind} {key} differs in the database from "
                                        "what it wrote"))
            else:
                last[kind, key] = seq
    seqs = sorted(set(last.values()))
    trusted = _key_history(session)
    for entry, stored_hash in store.entries_at(session, seqs):
        if (problem := _whole(session, trusted, entry, stored_hash)) is not None:
            problems.append(problem)
    first = min(problems, key=lambda p: (p.seq is None, p.seq or 0)) if problems else None
    return Held(count, len(seqs), first)


def _key_history(session: Session) -> Trust:
    """The keys as the ledger's key entries register them (their own signatures checked)."""
    found = Trust(secretariat=_secretariat(session))
    for e in store.entries_of(session, KEY_ACTIONS):
        if found.admit(e) is not None:
            continue
        try:
            found.current[e.signer].verify(e.body(), e.signature)
        except (KeyError, BadSignatureError):
            continue
        found.apply(e)
    return found


def _whole(session: Session, trusted: Trust, e: Entry, stored_hash: bytes) -> Problem | None:
    held = trusted.signer_at(e.signer, e.seq)
    if held is None:
        return Problem(e.seq, f"signed with key {e.signer}, which the ledger did not trust "
                       "then")
    if held.party is not None and (e.on_behalf or e.party != held.party):
        return Problem(e.seq, f"signed with {held.party}'s key for "
                       f"{e.party or 'the mechanism'}")
    try:
        held.key.verify(e.body(), e.signature)
    except BadSignatureError:
        return Problem(e.seq, "the signature does not match the entry: a field or the "
                       "signature was changed")
    if e.hash() != stored_hash:
        return Problem(e.seq, "its stored hash is not the hash of its fields: the row was "
                       "edited")
    said = e.payload.get("writes") if isinstance(e.payload, Mapping) else None
    if said != writes_digest(store.writes_of(session, e.seq)):
        return Problem(e.seq, "the records it wrote are not those it signed: the list of "
                       "written records was edited")
    return None


def _compare_derived(audit: Audit, session: Session) -> None:
    """The derived tables against what the record gives them again (store/integrity.py):
    the pages' overview and its counts by day and by map cell, and the links the engine
    scored."""
    for found in (overview_store.differences(session), overview_days.differences(session),
                  overview_cells.differences(session)):
        audit.problems.extend(Problem(None, what) for what in found)
    try:
        held, wanted = incidents_store.scored_links(session), links_again(session)
    except CeasefireError as exc:  # records edited so that they no longer make sense
        audit.problems.append(Problem(None, f"report_links: cannot be scored again: {exc}"))
        return
    for pair in sorted(held.keys() ^ wanted.keys())[:5] + sorted(
            p for p in held.keys() & wanted.keys() if held[p] != wanted[p])[:5]:
        a, b = incidents_store.pair_keys(session, [pair])[pair]
        if pair not in wanted:
            what = "is not one the engine gives"
        elif pair not in held:
            what = "is missing"
        else:
            what = f"has score {held[pair]} where the engine gives {wanted[pair]}"
        audit.problems.append(Problem(None, f"report_links: the link of reports {a} and {b} "
                                      f"{what}"))


def _compare_keys(audit: Audit, listed: Sequence[Mapping[str, Any]]) -> None:
    """The key table (or an export's keys.json) against the keys the entries registered:
    a key the entries never registered, or listed with another party or status, is
    named."""
    want = audit.trust.table()
    for row in listed:
        kid = row.get("key_id")
        said = (row.get("party"), row.get("public"), row.get("status", "current"))
        if kid not in want:
            audit.problems.append(Problem(None, f"key {kid} is listed, but no ledger entry "
                                          "registered it"))
        elif said != want[kid]:
            listed_as = f"{said[0] or 'the server'}'s, {said[2]}"
            ledgered = f"{want[kid][0] or 'the server'}'s, {want[kid][2]}"
            audit.problems.append(Problem(None, f"key {kid} is listed as {listed_as}; the "
                                          f"ledger has it {ledgered}"))
    missing = want.keys() - {row.get("key_id") for row in listed}
    for kid in sorted(missing):
        audit.problems.append(Problem(None, f"key {kid}, which the ledger registered, is "
                                      "not listed"))


# -- export and offline verification ----------------------------------------------------------

ENTRIES, WRITES, KEYS, CHECKPOINTS = ("entries.jsonl", "writes.jsonl", "keys.json",
                                      "checkpoints.jsonl")


def export(db: Database, directory: Path) -> int:
    """Write the ledger, the records each entry wrote, the public keys and the
    checkpoints to `directory` (made here; it must not exist). Returns the entries.

    The files go into a fresh directory of this export's own beside `directory`, renamed
    to it at the end: the export appears whole or not at all, and a failure removes that
    directory and nothing else."""
    if directory.exists():
        raise InvalidInput(f"{directory} exists; name a new directory", field="DIR")
    # A new name: mkdir fails rather than take a directory someone else made. Made with
    # the umask's mode, as `mkdir DIR` would be (tempfile.mkdtemp's is 0700).
    partial = directory.with_name(f".{directory.name}.{secrets.token_hex(8)}.partial")

    def cannot_write(exc: OSError) -> StorageUnavailable:  # a full disk, say
        return StorageUnavailable(f"cannot write the export: {exc.strerror or exc}",
                                  source=str(directory))

    try:
        partial.mkdir(parents=True)
    except OSError as exc:
        raise cannot_write(exc) from exc
    try:
        n = 0
        with db.session() as session:  # one snapshot for all four files
            with (partial / ENTRIES).open("wb") as leaves:
                for entry, _ in store.entries(session):
                    leaves.write(entry.leaf() + b"\n")
                    n += 1
            with (partial / WRITES).open("w") as out:
                for row in store.writes(session):
                    out.write(json.dumps(list(row)) + "\n")
            (partial / KEYS).write_text(json.dumps(public_keys(session), indent=2) + "\n")
            with (partial / CHECKPOINTS).open("w") as out:
                for c in store.checkpoints(session):
                    out.write(json.dumps(checkpoint_json(c)) + "\n")
        partial.rename(directory)  # fails if DIR appeared meanwhile with something in it
    except BaseException as exc:
        shutil.rmtree(partial, ignore_errors=True)  # ours alone: made by mkdir above
        if isinstance(exc, OSError):
            raise cannot_write(exc) from exc
        raise
    return n


def entry_json(entry: Entry) -> dict[str, Any]:
    """The entry as signed, with its signature: what `entries.jsonl` holds."""
    return json.loads(entry.leaf())


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


def verify_export(directory: Path, *, saved: Sequence[Checkpoint] = ()) -> Verified:
    """Verify an export with no database: the chain, signatures, written-record lists and
    checkpoints; and that the ledger grew from each checkpoint in `saved` (ones a party
    kept), which must be signed by a key of the export."""
    for name in (ENTRIES, WRITES, KEYS, CHECKPOINTS):
        if not (directory / name).is_file():
            raise InvalidInput(f"{directory} has no {name}; is it a ledger export?",
                               field="DIR")
    try:
        listed = json.loads((directory / KEYS).read_text())
        if not isinstance(listed, list) or not all(isinstance(k, dict) for k in listed):
            raise TypeError("not a list of objects")
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"{KEYS} is not a list of keys: {exc}", field=KEYS) from None
    pinned = next((c.trust for c in saved if c.trust is not None), None)
    audit = Audit(Trust(pinned))
    writes = ((int(w[0]), w[1], w[2], w[3]) for w in (json.loads(line) for _, line in
                                                        _lines(directory / WRITES)))
    _replay(audit, ((_entry_of(line, n), None) for n, line in _lines(directory / ENTRIES)),
            _grouped(writes))
    kept = [checkpoint_of(json.loads(line)) for _, line in _lines(directory / CHECKPOINTS)]
    for c in [*kept, *saved]:
        audit.check_checkpoint(c)
    _compare_keys(audit, listed)
    return Verified(audit.size, audit.tree.root(), len(kept) + len(saved), 0,
                    audit.first_problem(), audit.trust.root)


