"""Guarantors' witnesses as real processes on loopback (`ceasefire witness serve`), each
with its own key and state directory, for the tests of a witnessed ledger."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nacl.pwhash
from nacl.signing import SigningKey

from ceasefire.ledger.witnesses import Witness, Witnesses
from ceasefire.services.ledger import log_vkeys
from ceasefire.store.db import Database
from ceasefire.witness.config import WitnessKey, seal_key
from ceasefire.witness.process import WitnessProcess

PASSPHRASE = "a witness passphrase"
PARTIES = ("RU", "TR", "IR")


@dataclass(kw_only=True)
class Guarantor(WitnessProcess):
    """A guarantor's witness; `kill` then `start` is a crash and a restart on its state."""

    party: str
    key: WitnessKey

    @property
    def witness(self) -> Witness:
        return Witness(self.party, self.key.name, self.url, self.key.key.verify_key)


@contextmanager
def witnesses(db: Database, directory: Path, quorum: int = 3,
              parties: tuple[str, ...] = PARTIES) -> Iterator[list[Guarantor]]:
    """One witness per guarantor, each its own process, key and state, witnessing `db`'s
    log; `db.witnesses` names them for as long as they run."""
    running = []
    for n, party in enumerate(parties):
        key = WitnessKey(f"witness.{party.lower()}.test", SigningKey(bytes([n + 7] * 32)))
        key_file = directory / f"{party}.key"
        key_file.write_bytes(seal_key(key, PASSPHRASE,
                                      opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN,
                                      memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN))
        running.append(Guarantor(party=party, key=key, key_file=key_file,
                                 state=directory / f"{party}-state", passphrase=PASSPHRASE,
                                 logs=log_vkeys(db), errors=directory / f"{party}.log",
                                 name=f"{party}'s witness"))
    before = db.witnesses
    try:
        for w in running:
            w.start()
        db.witnesses = Witnesses(quorum, tuple(w.witness for w in running))
        yield running
    finally:
        db.witnesses = before
        for w in running:
            w.kill()  # their state is on disk whole at any point: no need to wait on them
