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
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import rfc8785
from nacl.signing import SigningKey
from sqlalchemy.orm import Session

from ceasefire.domain.parties import Account
from ceasefire.errors import ConfigError, InvalidInput, NotFound
from ceasefire.ledger import keys as keyfile
from ceasefire.ledger.audit import Write, writes_digest
from ceasefire.ledger.checkpoints import Checkpoint
from ceasefire.ledger.entries import Entry, key_id
from ceasefire.ledger.merkle import MerkleTree
from ceasefire.store import journal, overview
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

_HEAD = "ceasefire.ledger.head"  # session.info: the head after this transaction's appends


def append(session: Session, actor: Actor, action: str, payload: Mapping[str, Any],
           *, at: datetime | None = None) -> Entry:
    """Append one entry for the records this transaction wrote since the last entry."""
    touched = journal.take(session)
    # The pages' overview follows every change to an incident, its assessment or verdicts.
    overview.refresh(session, [key.split("/", 1)[0] for kind, key in touched
                               if kind in ("incident", "assessment", "verdict")])
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
    # Writers take turns (Database.session), so the head cannot move under us: once
    # read, this transaction's own appends keep it (a batch of submissions makes many).
    seq, prev = session.info.get(_HEAD) or store.head(session)
    unsigned = Entry(seq + 1, at or datetime.now(UTC), actor.party, actor.account, action,
                     json.loads(canonical), prev, key_id(actor.key.verify_key),
                     actor.on_behalf)
    signed_body = unsigned.body()  # canonicalised once: signed, then hashed
    entry = replace(unsigned, signature=actor.key.sign(signed_body).signature)
    entry_hash = entry.hash(signed_body)
    store.add_entry(session, entry, entry_hash, canonical.decode(), writes)
    session.info[_HEAD] = (entry.seq, entry_hash)
    return entry


# -- checkpoints and proofs -------------------------------------------------------------------

_trees_lock = threading.Lock()


def current_tree(session: Session) -> tuple[MerkleTree, int]:
    """The Merkle tree over the committed entries, kept between calls (per database),
    and the ledger's size as this session sees it. The tree only grows, and its methods
    take a size, so entries others append meanwhile do not disturb a reader."""
    memo = _database(session).memo
    size, _ = store.head(session)  # by the primary key, not a count of every row
    with _trees_lock:
        tree = memo.get("tree")
        if not isinstance(tree, MerkleTree) or size < len(tree):  # rebuilt elsewhere
            tree = memo["tree"] = MerkleTree()
        if size > len(tree):
            tree.extend(store.stored_hashes(session, after=len(tree)), hashed=True)
    return tree, size


def checkpoint(db: Database) -> Checkpoint:
    """A signed checkpoint of the ledger as it is now (the one already given for this
    size, if any)."""
    with db.session() as session:
        _, size = current_tree(session)
        found = store.checkpoint(session, size)
    if found is not None:
        return found
    with db.session(write=True) as session:
        tree, size = current_tree(session)
        found = store.checkpoint(session, size)
        if found is not None:
            return found
        key = _server_key(session)
        made = Checkpoint(size, tree.root(size), datetime.now(UTC),
                          key_id(key.verify_key)).signed_by(key)
        store.add_checkpoint(session, made)
        return made


def public_keys(session: Session) -> list[dict[str, Any]]:
    """Every key that may sign entries, as the API, the export and the audit give them."""
    return [{"key_id": r.key_id, "party": r.party, "public": r.public,
             "created_at": r.created_at.isoformat()} for r in store.keys(session)]


def server_public_keys(db: Database) -> list[dict[str, Any]]:
    with db.session() as session:
        return public_keys(session)


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
        tree, have = current_tree(session)
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
        tree, have = current_tree(session)
    second = have if second is None else second
    _check_size(second, have, "second")
    if first > second:
        raise InvalidInput(f"the earlier size {first} is above the later {second}",
                           field="first")
    _check_size(first, second, "first")
    return (first, second, tree.root(first), tree.root(second),
            tree.consistency_proof(first, second))
