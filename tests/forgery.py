"""What a host that holds the server's passphrase can do to its own ledger, for the tests
that show the witnesses and the mirrors catch it."""

from __future__ import annotations

from dataclasses import replace

import rfc8785
from sqlalchemy import text

from ceasefire.ledger.entries import GENESIS, key_id, sign
from ceasefire.services import ledger
from ceasefire.store import ledger as ledger_store
from ceasefire.store.db import Database


def rewrite(db: Database, seq: int) -> None:
    """What a host holding the server's passphrase can do: edit entry `seq`, sign it again
    with the server's key, and every entry after it, so that the chain holds; the stored
    hashes and checkpoints made to match, and the tree the server keeps dropped."""
    with db.session() as session:
        key = ledger._server_key(session)
        entries = [e for e, _ in ledger_store.entries(session)]
    prev = entries[seq - 2].hash() if seq > 1 else GENESIS
    with db.engine.begin() as c:
        for e in entries[seq - 1:]:
            assert e.signer == key_id(key.verify_key)
            payload = {**e.payload, "comment": "as the host now says"} if e.seq == seq \
                else e.payload
            again = sign(replace(e, payload=payload, prev=prev), key)
            prev = again.hash()
            c.execute(text("UPDATE ledger_entries SET payload = :payload, prev = :prev, "
                           "hash = :hash, signature = :signature WHERE seq = :seq"),
                      {"payload": rfc8785.dumps(dict(payload)).decode(),
                       "prev": again.prev.hex(), "hash": prev.hex(),
                       "signature": again.signature.hex(), "seq": e.seq})
        c.execute(text("DELETE FROM ledger_cosignatures"))
        c.execute(text("DELETE FROM ledger_checkpoints"))
    db.memo.pop("tree", None)
