"""The ledger's parts, side by side with their baselines (one process, one run).

- append: chaining and the Merkle update for each entry, over the entries' bytes already
  serialised, against a bare hash chain over the same bytes (SHA-256 of the previous hash
  and the entry). The aim is at least half the bare loop's rate.
- verify: the audit `ledger verify --offline` runs, over BENCH_LEDGER_ENTRIES signed
  entries (default 1,000,000): numbering, links, canonical JSON of each body, its Ed25519
  signature and the Merkle tree, against PyNaCl verifying the same bodies' signatures and
  nothing else.
- proofs: inclusion proofs made and checked over the tree of all the entries.
- in the database: entries appended through the service, one transaction each, to a
  SQLite record, and `ledger verify` over them (chain, signatures, roots, replay).

Entries are verdict-sized (incident id, position, version, comment), signed by two keys
in turn, as a party's CLI and the server would, after the two entries that register them.
"""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from nacl.signing import SigningKey, VerifyKey

from bench import PASSPHRASE
from ceasefire.ledger import trust
from ceasefire.ledger.audit import Audit
from ceasefire.ledger.entries import GENESIS, Entry, key_id, sign
from ceasefire.ledger.merkle import MerkleTree, leaf_hash, verify_inclusion

ENTRIES = int(os.environ.get("BENCH_LEDGER_ENTRIES", "1000000"))
APPENDS = 200_000
PROOFS = 20_000
ROUNDS = 5
DB_ENTRIES = 20_000
SEED = 7


def _entries(n: int) -> list[Entry]:
    """Entry 1 opens the ledger with the server's key, entry 2 registers RU's key on the
    secretariat's behalf, and the rest are verdicts signed by the two in turn."""
    server, party = (SigningKey(bytes([k]) * 32) for k in (1, 2))
    at = datetime(2017, 1, 5, tzinfo=UTC)
    opened = sign(Entry(1, at, None, None, trust.OPENED,
                        trust.key_payload(trust.OPENED, None, server, GENESIS), GENESIS,
                        key_id(server.verify_key), False), server)
    registered = sign(Entry(2, at, "SEC", "secretariat", trust.PARTY_REGISTERED,
                            trust.key_payload(trust.PARTY_REGISTERED, "RU", party,
                                              opened.hash()),
                            opened.hash(), key_id(server.verify_key), True), server)
    out, prev = [opened, registered], registered.hash()
    for seq in range(3, n + 1):
        key = (server, party)[seq % 2]
        entry = sign(Entry(seq, at + timedelta(seconds=seq), "RU", "ru-officer",
                           "verdict.cast", {"incident": f"{seq:08d}-inc", "position": "confirm",
                                            "version": seq, "comment": "seen by our team"},
                           prev, key_id(key.verify_key), key is server), key)
        out.append(entry)
        prev = entry.hash()
    return out


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s"


def main() -> None:
    print(f"\nledger: {ENTRIES:,} signed verdict-sized entries; {PROOFS:,} inclusion proofs",
          flush=True)
    started = time.perf_counter()
    entries = _entries(ENTRIES)
    print(f"  making and signing them: {time.perf_counter() - started:.1f} s", flush=True)
    leaves = [e.leaf() for e in entries[:APPENDS]]
    appends = len(leaves)

    # Alternating rounds, the median of each: the two loops meet the same machine load.
    bare_s, ours_s = [], []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        prev = GENESIS
        for leaf in leaves:
            prev = hashlib.sha256(prev + leaf).digest()
        bare_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        tree = MerkleTree()
        tree.extend(leaves)  # the entry's hash is its leaf hash: the chain and tree share it
        ours_s.append(time.perf_counter() - start)
    assert tree.root() == MerkleTree(leaf_hash(leaf) for leaf in leaves).root()
    bare, ours = statistics.median(bare_s), statistics.median(ours_s)
    print(f"  append ({appends:,}, median of {ROUNDS}): bare hash chain "
          f"{_rate(appends, bare)}, chain + Merkle update {_rate(appends, ours)}: "
          f"{bare / ours:.2f} of the bare rate (aim: at least 0.5)")

    public = [SigningKey(bytes([k]) * 32).verify_key for k in (1, 2)]
    keys = {key_id(k): k for k in public}
    start = time.perf_counter()
    # What `ledger verify --offline` does to each entry: numbering, link, canonical body,
    # signature, who may sign, and the entry's place in the Merkle tree.
    audit = Audit()  # the keys come from the entries: the root, then RU's
    for e in entries:
        audit.add(e, ())
    problem = audit.first_problem()
    chain_s = time.perf_counter() - start
    assert problem is None, problem
    bodies = [(keys[e.signer], e.body(), e.signature) for e in entries]
    start = time.perf_counter()
    for key, body, signature in bodies:
        key.verify(body, signature)
    raw_s = time.perf_counter() - start
    print(f"  verify {ENTRIES:,} entries: {chain_s:.1f} s ({_rate(ENTRIES, chain_s)}); "
          f"PyNaCl alone on the same signatures {raw_s:.1f} s ({_rate(ENTRIES, raw_s)}): "
          f"{raw_s / chain_s:.2f} of the raw rate")

    full = MerkleTree(e.hash() for e in entries)
    rng = random.Random(SEED)
    picks = [rng.randrange(len(entries)) for _ in range(PROOFS)]
    root, size = full.root(), len(full)
    start = time.perf_counter()
    proofs = [full.inclusion_proof(i) for i in picks]
    made = time.perf_counter() - start
    start = time.perf_counter()
    ok = all(verify_inclusion(entries[i].hash(), i, size, p, root)
             for i, p in zip(picks, proofs, strict=True))
    checked = time.perf_counter() - start
    assert ok
    print(f"  inclusion proofs over {size:,} entries: made {_rate(PROOFS, made)}, "
          f"checked {_rate(PROOFS, checked)} ({len(proofs[0])} hashes each)")


def in_the_database(n: int = DB_ENTRIES) -> None:
    """The product's path: entries appended one transaction each to a SQLite record
    (lock, head, canonical JSON, signature, insert), then `ledger verify` over them."""
    from ceasefire.services import ledger, ledger_checks
    from ceasefire.store import ledger as ledger_store
    from ceasefire.store.db import Database

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db", server_passphrase=PASSPHRASE)
        db.upgrade()
        ledger.prepare(db)
        start = time.perf_counter()
        for k in range(n):
            with db.session(write=True) as session:
                ledger.append(session, ledger.mechanism(session), "verdict.cast", {
                    "incident": f"{k:08d}-inc", "position": "confirm", "version": k,
                    "comment": "seen by our team"})
        appended = time.perf_counter() - start
        start = time.perf_counter()
        result = ledger_checks.verify(db)
        verified = time.perf_counter() - start
        assert result.ok, result.problem
        with db.session() as session:
            rows = [(e.body(), e.signature) for e, _ in ledger_store.entries(session)]
        key = VerifyKey(bytes.fromhex(ledger.server_public_keys(db)[0]["public"]))
        start = time.perf_counter()
        for body, signature in rows:
            key.verify(body, signature)
        raw = time.perf_counter() - start
        db.dispose()
    print(f"  SQLite record, {n:,} entries: appended one transaction each at "
          f"{_rate(n, appended)}; `ledger verify` {verified:.1f} s ({_rate(n, verified)}), "
          f"PyNaCl alone {_rate(n, raw)}: {raw / verified:.2f} of the raw rate")


if __name__ == "__main__":
    main()
    in_the_database()
