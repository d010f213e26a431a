"""Appending to the ledger, checkpoints and proofs, verifying, exporting.

Every service that changes the record ends its transaction with `append`: the entry
takes the records the transaction wrote (store.changes), with the digest of each as it
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

from ceasefire.domain import words
from ceasefire.domain.parties import Account, Role
from ceasefire.errors import ConfigError, Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.ledger import keys as keyfile
from ceasefire.ledger import trust
from ceasefire.ledger.audit import Write, writes_digest
from ceasefire.ledger.checkpoints import Checkpoint
from ceasefire.ledger.entries import GENESIS, Entry, key_id
from ceasefire.ledger.merkle import MerkleTree
from ceasefire.store import changes, integrity
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
    """The server's key id, making and sealing the key first if the database has none:
    then it opens the ledger (entry 1, signed by it), which makes it the trust root."""
    rows = store.server_keys(session)
    if rows:
        return _one_server_key(rows).key_id
    seq, _ = head(session)
    if seq:
        raise ConfigError(f"the ledger has {seq} entries but no current server key: the "
                          "key table was changed behind the ledger's back; `ceasefire "
                          "ledger verify` says how", field="ledger_keys")
    key = SigningKey.generate()
    sealed = keyfile.seal(key, passphrase)
    kid = key_id(key.verify_key)
    # This may run inside another change's transaction: entry 1 takes only the key.
    notes = changes.take(session)
    store.add_key(session, key_id=kid, party=None, public=bytes(key.verify_key),
                  sealed=sealed.decode(), created_at=datetime.now(UTC))
    append(session, Signer(None, None, key, on_behalf=False), trust.OPENED,
           trust.key_payload(trust.OPENED, None, key, GENESIS))
    changes.put_back(session, notes)
    with _unsealed_lock:
        _unsealed[sealed.decode(), passphrase] = key
    return kid


def _one_server_key(rows: list[store.StoredKey]) -> store.StoredKey:
    if len(rows) > 1:
        raise ConfigError(f"the key table holds {len(rows)} current server keys "
                          f"({', '.join(r.key_id for r in rows)}); the ledger registers one "
                          "at a time: `ceasefire ledger verify` names the one it did not",
                          field="ledger_keys")
    return rows[0]


_CHECKED = "server key checked"  # session.info: the key id whose row this transaction read


def _server_key(session: Session) -> SigningKey:
    db = _database(session)
    known = db.memo.get("server_key")
    # Kept per process, so another process replacing the key must be noticed: one look
    # at its row per transaction (the session keeps it after the first).
    if isinstance(known, SigningKey):
        kid = key_id(known.verify_key)
        if session.info.get(_CHECKED) == kid:  # looked at in this transaction already
            return known
        row = store.key(session, kid)
        if row is not None and row.status == trust.CURRENT:
            session.info[_CHECKED] = kid
            return known
    key, made = _open_server_key(session)
    if not made:  # a key made in this transaction is kept once it is committed
        db.memo["server_key"] = key
    return key


def _registered(session: Session, row: store.StoredKey) -> None:
    """Refuse a key whose row is not as the ledger last wrote it (one added or changed
    behind the ledger's back): nothing is signed with it."""
    kid = row.key_id
    if digests(session, "key", [kid]).get(kid) != store.last_digest(session, "key", kid):
        raise ConfigError(f"key {kid} is not as the ledger registered it; nothing is "
                          "signed with it (`ceasefire ledger verify` says more)", field="key",
                          id=kid)


def _open_server_key(session: Session) -> tuple[SigningKey, bool]:
    """The server's key, and whether this transaction made it."""
    passphrase = _passphrase(_database(session))
    rows = store.server_keys(session)
    made = not rows
    if made:
        ensure_server_key(session, passphrase)
        rows = store.server_keys(session)
    row = _one_server_key(rows)
    _registered(session, row)
    sealed = row.sealed or ""
    cache_key = (sealed, passphrase)
    with _unsealed_lock:
        key = _unsealed.get(cache_key)
    if key is None:  # argon2id takes about a second: once per process
        try:
            key = keyfile.unseal(sealed.encode(), passphrase)
        except InvalidInput:
            raise ConfigError("CEASEFIRE_SERVER_PASSPHRASE does not open the server's "
                              "signing key", field="CEASEFIRE_SERVER_PASSPHRASE") from None
        with _unsealed_lock:
            _unsealed[cache_key] = key
    return key, made


def open_server_key(db: Database) -> bool:
    """Open the server's key now (argon2id: about a second), before the first write needs
    it: a server process opening it inside its first write transaction would hold every
    other process's writers back that long. Whether there was a key to open."""
    if not db.server_passphrase:
        return False
    with db.session() as session:
        if not store.server_keys(session):
            return False
        _server_key(session)
    return True


@dataclass(frozen=True)
class Signer:
    """Who an entry is for (party, account) and the key that signs it: the party's own,
    or the server's (for the mechanism, or on the account's behalf)."""

    party: str | None
    account: str | None
    key: SigningKey
    on_behalf: bool


def mechanism(session: Session) -> Signer:
    """The server acting for no party: correlation and assessment after a change."""
    return Signer(None, None, _server_key(session), on_behalf=False)


def _party_key_row(session: Session, party: str) -> store.StoredKey | None:
    rows = store.party_keys(session, party)
    if len(rows) > 1:
        raise ConfigError(f"the key table holds {len(rows)} current keys of {party}; the "
                          "ledger registers one at a time: `ceasefire ledger verify` names "
                          "the one it did not", field="ledger_keys", id=party)
    return rows[0] if rows else None


def acting(session: Session, *, party: str, account: str | None = None) -> Signer:
    """A party (and account) acting: signed with the party's own key when the caller
    holds it (the CLI's --key), else by the server on its behalf."""
    own = _database(session).party_key
    if isinstance(own, SigningKey):
        kid = key_id(own.verify_key)
        row = store.key(session, kid)
        if row is None or row.party is None:
            raise InvalidInput("this key is not registered for any party; the secretariat "
                               "registers a party's first key (`ceasefire party keygen`)",
                               field="key")
        if row.status != trust.CURRENT:
            raise InvalidInput(f"this key of {row.party}'s was {row.status}; it signs "
                               "nothing more", field="key", id=kid)
        if row.party != party:
            raise InvalidInput(f"the key given is {row.party}'s; it cannot sign for {party}",
                               field="key")
        _registered(session, row)
        return Signer(party, account, own, on_behalf=False)
    return Signer(party, account, _server_key(session), on_behalf=True)


def acting_as(session: Session, account: Account) -> Signer:
    return acting(session, party=account.party, account=account.username)


def _secretariat(session: Session, account: Account) -> Signer:
    """The server, on a secretariat account's behalf: who registers and revokes keys."""
    if account.role is not Role.SECRETARIAT or not account.active:
        raise Forbidden(f"{words.an_account(account.role)} cannot register or revoke keys; "
                        "the secretariat does")
    return Signer(account.party, account.username, _server_key(session), on_behalf=True)


def _bring_in(session: Session, signer: Signer, action: str, party: str | None,
              new: SigningKey, *, previous: str | None = None) -> tuple[str, Entry]:
    """Register `new` (its row, the party's public key) with the entry that says so."""
    kid = key_id(new.verify_key)
    if store.key(session, kid) is not None:
        raise Conflict(f"key {kid} is registered already", field="key", id=kid)
    _, prev = head(session)
    extra = {} if previous is None else {"previous": previous}
    payload = trust.key_payload(action, party, new, prev, **extra)
    store.add_key(session, key_id=kid, party=party, public=bytes(new.verify_key),
                  sealed=None, created_at=datetime.now(UTC))
    if party is not None:
        set_public_key(session, code=party, public_key=bytes(new.verify_key))
    return kid, append(session, signer, action, payload)


def register_party_key(db: Database, party: str, key: SigningKey, *,
                       account: Account) -> str:
    """Make `key` the party's first signing key (or its first since one was revoked), on
    the secretariat's authority: the server signs the entry on its account's behalf."""
    with db.session(write=True) as session:
        get_party(session, code=party)
        signer = _secretariat(session, account)
        held = _party_key_row(session, party)
        if held is not None:
            raise Conflict(f"{party} holds key {held.key_id}: a new key replaces it only "
                           "when signed with it (`--key` the current key file), or once the "
                           "secretariat has revoked it", field="party", id=party)
        kid, _ = _bring_in(session, signer, trust.PARTY_REGISTERED, party, key)
    return kid


def rotate_party_key(db: Database, party: str, current: SigningKey, new: SigningKey) -> str:
    """Replace the party's key with `new`; the entry is signed with the key it replaces."""
    with db.session(write=True) as session:
        get_party(session, code=party)
        held = _party_key_row(session, party)
        old = key_id(current.verify_key)
        if held is None or held.key_id != old:
            raise InvalidInput(f"the key given is not {party}'s current key"
                               + (f" ({held.key_id})" if held else ""), field="key", id=old)
        _registered(session, held)
        store.retire_key(session, old, trust.ROTATED)
        kid, _ = _bring_in(session, Signer(party, None, current, on_behalf=False),
                           trust.PARTY_ROTATED, party, new, previous=old)
    return kid


def revoke_party_key(db: Database, party: str, *, reason: str,
                     account: Account | None = None, own: SigningKey | None = None) -> str:
    """Revoke the party's current key: by the secretariat (`account`), or by the party
    with that key itself (`own`). It signs nothing afterwards."""
    with db.session(write=True) as session:
        get_party(session, code=party)
        held = _party_key_row(session, party)
        if held is None:
            raise NotFound(f"{party} holds no key", field="party", id=party)
        if own is not None:
            if key_id(own.verify_key) != held.key_id:
                raise InvalidInput(f"the key given is not {party}'s current key "
                                   f"({held.key_id})", field="key")
            signer = Signer(party, None, own, on_behalf=False)
        elif account is not None:
            signer = _secretariat(session, account)
        else:
            raise InvalidInput("a key is revoked by the secretariat or with the key itself",
                               field="account")
        store.retire_key(session, held.key_id, trust.REVOKED)
        set_public_key(session, code=party, public_key=None)
        append(session, signer, trust.PARTY_REVOKED,
               {"party": party, "key_id": held.key_id, "reason": reason})
    return held.key_id


def rotate_server_key(db: Database) -> str:
    """A new server key, sealed with the same passphrase, registered by an entry the key
    it replaces signs; checkpoints from now on are signed with it."""
    passphrase = _passphrase(db)
    new = SigningKey.generate()
    sealed = keyfile.seal(new, passphrase).decode()
    with db.session(write=True) as session:
        old = _server_key(session)
        old_id = key_id(old.verify_key)
        store.retire_key(session, old_id, trust.ROTATED)
        session.info.pop(_CHECKED, None)  # the old key signs this entry and nothing after
        kid = key_id(new.verify_key)
        _, prev = head(session)
        payload = trust.key_payload(trust.SERVER_ROTATED, None, new, prev, previous=old_id)
        store.add_key(session, key_id=kid, party=None, public=bytes(new.verify_key),
                      sealed=sealed, created_at=datetime.now(UTC))
        append(session, Signer(None, None, old, on_behalf=False), trust.SERVER_ROTATED,
               payload)
    with _unsealed_lock:
        _unsealed[sealed, passphrase] = new
    db.memo["server_key"] = new
    return kid


def prepare(db: Database) -> str | None:
    """Make the server's signing key and open the ledger with it, if the database has
    none (at `db upgrade`)."""
    if not db.server_passphrase:
        return None
    with db.session(write=True) as session:
        return ensure_server_key(session, _passphrase(db))


# -- appending --------------------------------------------------------------------------------

_HEAD = "ceasefire.ledger.head"  # session.info: the head after this transaction's appends


def head(session: Session) -> tuple[int, bytes]:
    """The last entry's number and hash, as this write transaction sees them. Writers
    take turns (Database.session), so the head cannot move under us: once read, this
    transaction's own appends keep it (a batch of submissions makes many)."""
    return session.info.get(_HEAD) or store.head(session)


def append(session: Session, signer: Signer, action: str, payload: Mapping[str, Any],
           *, at: datetime | None = None) -> Entry:
    """Append one entry for the records this transaction wrote since the last entry; then
    the derived tables that follow them are brought in step (store/integrity.py)."""
    noted = changes.take_digested(session)
    touched = list(noted)
    # The digests their writers made from the values written, and the rest read back.
    writes: list[Write] = [(kind, key, d) for (kind, key), d in noted.items() if d is not None]
    by_kind: dict[str, list[str]] = {}
    for (kind, key), d in noted.items():
        if d is None:
            by_kind.setdefault(kind, []).append(key)
    for kind, keys in by_kind.items():
        found = digests(session, kind, keys)
        writes += [(kind, k, found.get(k)) for k in keys]
    body = dict(payload)
    if writes:
        body["writes"] = writes_digest(writes)
    # The payload as signed: canonical JSON, read back to plain JSON values.
    canonical = rfc8785.dumps(body)
    seq, prev = head(session)
    unsigned = Entry(seq + 1, at or datetime.now(UTC), signer.party, signer.account, action,
                     json.loads(canonical), prev, key_id(signer.key.verify_key),
                     signer.on_behalf)
    signed_body = unsigned.body()  # canonicalised once: signed, then hashed
    entry = replace(unsigned, signature=signer.key.sign(signed_body).signature)
    entry_hash = entry.hash(signed_body)
    store.add_entry(session, entry, entry_hash, canonical.decode(), writes)
    session.info[_HEAD] = (entry.seq, entry_hash)
    integrity.after_append(session, touched)
    return entry


def kind_holds(session: Session, kind: str) -> None:
    """Refuse to go on when the records of one (small) kind are not those the ledger
    wrote: what a batch run would build on them would be built on an edit."""
    held = digests(session, kind)
    for key, (seq, digest) in store.replayed(session, kind).items():
        now = held.pop(key, None)
        if now != digest:
            what = ("is missing from the database" if now is None else "was deleted by it"
                    if digest is None else "differs in the database from what it wrote")
            raise Conflict(f"entry {seq}: {kind} {key} {what}; nothing is built on a "
                           "record changed behind the ledger's back (`ceasefire ledger "
                           "verify` says more)", field=kind, id=key)
    for key in held:
        raise Conflict(f"{kind} {key} is in the database, but no ledger entry wrote it",
                       field=kind, id=key)


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


def checkpoint(db: Database, *, size: int | None = None) -> Checkpoint:
    """A signed checkpoint of the ledger as it is now, or as it was at `size` entries
    (the one already given for that size, if any)."""
    with db.session() as session:
        _, now = current_tree(session)
        size = now if size is None else size
        if size:
            _check_size(size, now, "size")
        found = store.checkpoint(session, size)
    if found is not None:
        return found
    with db.session(write=True) as session:
        tree, _ = current_tree(session)
        found = store.checkpoint(session, size)
        if found is not None:
            return found
        key = _server_key(session)
        kid = key_id(key.verify_key)
        if size < (store.first_written(session, "key", kid) or 0):
            # Only the key that was the server's at that size signs its checkpoint.
            raise Conflict(f"the server's key was replaced after entry {size}; a "
                           "checkpoint of that size is one given then", field="size")
        made = Checkpoint(size, tree.root(size), datetime.now(UTC), kid,
                          trust=store.root_key_id(session)).signed_by(key, db.origin)
        store.add_checkpoint(session, made)
        return made


def public_keys(session: Session) -> list[dict[str, Any]]:
    """Every key the ledger registered, with its status now, as the API and the export
    give them (the audit trusts the entries, not this list)."""
    return [{"key_id": r.key_id, "party": r.party, "public": r.public,
             "created_at": r.created_at.isoformat(), "status": r.status}
            for r in store.keys(session)]


def log_vkeys(db: Database) -> list[str]:
    """The server's keys as verifier keys named by the log's origin, as witnesses and
    C2SP tools take them: every key it has had, since each signed the checkpoints of its
    time."""
    from nacl.signing import VerifyKey

    from ceasefire.ledger.note import vkey

    with db.session() as session:
        return [vkey(db.origin, VerifyKey(bytes.fromhex(k.public)))
                for k in store.keys(session) if k.party is None]


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
        entry = store.entry(session, seq) if 1 <= seq <= size else None
        if entry is None:
            raise NotFound(f"no entry {seq} in a ledger of {size} entries", field="seq",
                           id=str(seq))
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
