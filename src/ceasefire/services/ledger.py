"""Appending to the ledger, checkpoints and proofs, verifying, exporting.

Every service that changes the record ends its transaction with `append`: the entry
takes the records the transaction wrote (store.journal), with the digest of each as it
will be committed, and is signed by whoever acts. The CLI signs with the party's own key
when it was given one; otherwise, and for the web and the API, the server's key signs on
the account's behalf and the entry says so. Work the mechanism does by itself (correlating
and assessing after a change) is signed by the server for no party.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import rfc8785
from nacl.signing import SigningKey, VerifyKey
from sqlalchemy.orm import Session

from ceasefire.domain.parties import Account
from ceasefire.errors import ConfigError, InvalidInput, NotFound
from ceasefire.ledger import keys as keyfile
from ceasefire.ledger.audit import Audit, Signer, Write, writes_digest
from ceasefire.ledger.checkpoints import Checkpoint
from ceasefire.ledger.entries import Entry, Problem, key_id
from ceasefire.ledger.merkle import MerkleTree, verify_consistency, verify_inclusion
from ceasefire.store import journal
from ceasefire.store import ledger as store
from ceasefire.store.db import Database
from ceasefire.store.digests import digests
from ceasefire.store.parties import get_party, set_public_key

# -- who signs --------------------------------------------------------------------------------

_unsealed: dict[tuple[str, str], SigningKey] = {}  # (sealed key, passphrase) -> key
_unsealed_lock = threading.Lock()


def _database(session: Session) -> Database:
    return session.info["database"]


def _passphrase(db: Database) -> str:
    if not db.server_passphrase:
        raise ConfigError("the server's signing key needs its passphrase: set "
                          "CEASEFIRE_SERVER_PASSPHRASE", field="CEASEFIRE_SERVER_PASSPHRASE")
    return db.server_passphrase


def ensure_server_key(session: Session, passphrase: str) -> str:
    """The server's key id, making and sealing the key first if the database has none."""
    row = store.server_key(session)
    if row is not None:
        return row.key_id
    key = SigningKey.generate()
    sealed = keyfile.seal(key, passphrase)
    store.add_key(session, key_id=key_id(key.verify_key), party=None,
                  public=bytes(key.verify_key), sealed=sealed.decode(),
                  created_at=datetime.now(UTC))
    with _unsealed_lock:
        _unsealed[sealed.decode(), passphrase] = key
    return key_id(key.verify_key)


def _server_key(session: Session) -> SigningKey:
    db = _database(session)
    known = db.memo.get("server_key")
    if isinstance(known, SigningKey):
        return known
    key = _open_server_key(session)
    db.memo["server_key"] = key
    return key


def _open_server_key(session: Session) -> SigningKey:
    passphrase = _passphrase(_database(session))
    row = store.server_key(session)
    if row is None:
        ensure_server_key(session, passphrase)
        row = store.server_key(session)
    cache_key = (row.sealed, passphrase)
    with _unsealed_lock:
        key = _unsealed.get(cache_key)
    if key is None:  # argon2id takes about a second: once per process
        try:
            key = keyfile.unseal(row.sealed.encode(), passphrase)
        except InvalidInput:
            raise ConfigError("CEASEFIRE_SERVER_PASSPHRASE does not open the server's "
                              "signing key", field="CEASEFIRE_SERVER_PASSPHRASE") from None
        with _unsealed_lock:
            _unsealed[cache_key] = key
    return key


@dataclass(frozen=True)
class Actor:
    """Who an entry is for (party, account) and the key that signs it."""

    party: str | None
    account: str | None
    key: SigningKey
    on_behalf: bool


def mechanism(session: Session) -> Actor:
    """The server acting for no party: correlation and assessment after a change."""
    return Actor(None, None, _server_key(session), on_behalf=False)


def acting(session: Session, *, party: str, account: str | None = None) -> Actor:
    """A party (and account) acting: signed with the party's own key when the caller
    holds it (the CLI's --key), else by the server on its behalf."""
    own = _database(session).party_key
    if isinstance(own, SigningKey):
        registered = {r.key_id: r.party for r in store.keys(session)}
        mine = registered.get(key_id(own.verify_key))
        if mine is None:
            raise InvalidInput("this key is not registered for any party; register it with "
                               "`ceasefire party keygen`", field="key")
        if mine == party:
            return Actor(party, account, own, on_behalf=False)
        raise InvalidInput(f"the key given is {mine}'s; it cannot sign for {party}",
                           field="key")
    return Actor(party, account, _server_key(session), on_behalf=True)


def acting_as(session: Session, account: Account) -> Actor:
    return acting(session, party=account.party, account=account.username)


def register_party_key(db: Database, party: str, key: SigningKey) -> str:
    """Make `key` the party's signing key; the entry that says so is signed with it."""
    with db.session(write=True) as session:
        get_party(session, code=party)
        kid = key_id(key.verify_key)
        store.add_key(session, key_id=kid, party=party, public=bytes(key.verify_key),
                      sealed=None, created_at=datetime.now(UTC))
        set_public_key(session, code=party, public_key=bytes(key.verify_key))
        append(session, Actor(party, None, key, on_behalf=False), "party.key_registered",
               {"party": party, "key_id": kid, "public": bytes(key.verify_key).hex()})
    return kid


def prepare(db: Database) -> str | None:
    """Make the server's signing key if the database has none (at `db upgrade`)."""
    if not db.server_passphrase:
        return None
    with db.session(write=True) as session:
        return ensure_server_key(session, _passphrase(db))


# -- appending --------------------------------------------------------------------------------

def append(session: Session, actor: Actor, action: str, payload: Mapping[str, Any],
           *, at: datetime | None = None) -> Entry:
    """Append one entry for the records this transaction wrote since the last entry."""
    # Writers take turns (Database.session), so the head cannot move under us.
    touched = journal.take(session)
    writes: list[Write] = []
    by_kind: dict[str, list[str]] = {}
    for kind, key in touched:
        by_kind.setdefault(kind, []).append(key)
    for kind, keys in by_kind.items():
        found = digests(session, kind, keys)
        writes += [(kind, k, found.get(k)) for k in keys]
    body = dict(payload)
    if writes:
        body["writes"] = writes_digest(writes)
    # The payload as signed: canonical JSON, read back to plain JSON values.
    canonical = rfc8785.dumps(body)
    seq, prev = store.head(session)
    unsigned = Entry(seq + 1, at or datetime.now(UTC), actor.party, actor.account, action,
                     json.loads(canonical), prev, key_id(actor.key.verify_key),
                     actor.on_behalf)
    signed_body = unsigned.body()  # canonicalised once: signed, then hashed
    entry = replace(unsigned, signature=actor.key.sign(signed_body).signature)
    store.add_entry(session, entry, entry.hash(signed_body), canonical.decode(), writes)
    return entry


# -- checkpoints and proofs -------------------------------------------------------------------

_trees: dict[int, MerkleTree] = {}  # per engine: the tree over the committed entries
_trees_lock = threading.Lock()


def _tree(session: Session) -> tuple[MerkleTree, int]:
    """The Merkle tree over the committed entries, kept between calls, and the ledger's
    size as this session sees it. The tree only grows, and its methods take a size, so
    entries others append meanwhile do not disturb a reader."""
    engine = id(session.get_bind().engine)
    size = store.size(session)
    with _trees_lock:
        tree = _trees.get(engine)
        if tree is None or size < len(tree):  # a new database behind a reused engine id
            tree = _trees[engine] = MerkleTree()
        if size > len(tree):
            tree.extend(store.stored_hashes(session, after=len(tree)), hashed=True)
    return tree, size


def checkpoint(db: Database) -> Checkpoint:
    """A signed checkpoint of the ledger as it is now (the one already given for this
    size, if any)."""
    with db.session() as session:
        _, size = _tree(session)
        found = store.checkpoint(session, size)
    if found is not None:
        return found
    with db.session(write=True) as session:
        tree, size = _tree(session)
        found = store.checkpoint(session, size)
        if found is not None:
            return found
        key = _server_key(session)
        made = Checkpoint(size, tree.root(size), datetime.now(UTC),
                          key_id(key.verify_key)).signed_by(key)
        store.add_checkpoint(session, made)
        return made


def server_public_keys(db: Database) -> list[dict[str, Any]]:
    with db.session() as session:
        return [{"key_id": r.key_id, "party": r.party, "public": r.public,
                 "created_at": r.created_at.isoformat()} for r in store.keys(session)]


@dataclass(frozen=True)
class Inclusion:
    entry: Entry
    size: int
    root: bytes
    proof: list[bytes]


def _check_size(size: int, have: int, field: str) -> None:
    if size > have:  # not yet, or never: there is no such tree to prove anything about
        raise NotFound(f"the ledger has {have} entries; it has not had {size}", field=field,
                       id=str(size))
    if size < 1:
        raise InvalidInput(f"a ledger size is at least 1, not {size}", field=field)


def inclusion(db: Database, seq: int, size: int | None = None) -> Inclusion:
    with db.session() as session:
        tree, have = _tree(session)
        size = have if size is None else size
        _check_size(size, have, "size")
        if not 1 <= seq <= size:
            raise NotFound(f"no entry {seq} in a ledger of {size} entries", field="seq",
                           id=str(seq))
        entry = store.entry(session, seq)
    proof = tree.inclusion_proof(seq - 1, size)
    return Inclusion(entry, size, tree.root(size), proof)


def consistency(db: Database, first: int, second: int | None = None,
                ) -> tuple[int, int, bytes, bytes, list[bytes]]:
    """(first, second, root at first, root at second, proof) that the ledger at `second`
    entries extends the ledger at `first`."""
    with db.session() as session:
        tree, have = _tree(session)
    second = have if second is None else second
    _check_size(second, have, "second")
    if first > second:
        raise InvalidInput(f"the earlier size {first} is above the later {second}",
                           field="first")
    _check_size(first, second, "first")
    return (first, second, tree.root(first), tree.root(second),
            tree.consistency_proof(first, second))


def proves_inclusion(entry: Entry, size: int, root: bytes, proof: list[bytes]) -> bool:
    return verify_inclusion(entry.hash(), entry.seq - 1, size, proof, root)


def proves_growth(first: int, second: int, old: bytes, new: bytes, proof: list[bytes]) -> bool:
    return verify_consistency(first, second, old, new, proof)


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
        audit = Audit(_signers([{"key_id": r.key_id, "public": r.public, "party": r.party}
                                for r in store.keys(session)]))
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
    """Whether the ledger grew from each checkpoint a party kept: each is signed by the
    server, and a consistency proof leads from its root to the root now."""
    with db.session() as session:
        signers = _signers([{"key_id": r.key_id, "public": r.public, "party": r.party}
                            for r in store.keys(session)])
        tree, size = _tree(session)
    audit = Audit(signers)
    for c in saved:
        signer = signers.get(c.signer)
        if signer is None or signer.party is not None or not c.is_signed_by(signer.key):
            audit.problems.append(Problem(None, f"the checkpoint at size {c.size} is not "
                                          "signed by a server key of this ledger"))
        elif c.size > size:
            audit.problems.append(Problem(size + 1, f"the checkpoint at size {c.size} is "
                                          f"beyond the ledger's {size} entries: entries "
                                          "were removed"))
        elif c.size and not verify_consistency(c.size, size, c.root, tree.root(size),
                                    tree.consistency_proof(c.size, size)):
            audit.problems.append(Problem(None, f"the ledger did not only grow since the "
                                          f"checkpoint at size {c.size}: an entry it "
                                          "covered was changed"))
    return Verified(size, tree.root(size), len(saved), 0, audit.first_problem())


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
        (partial / KEYS).write_text(json.dumps(
            [{"key_id": r.key_id, "party": r.party, "public": r.public}
             for r in store.keys(session)], indent=2) + "\n")
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


