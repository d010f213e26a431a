"""Guarantors' witnesses as real processes on loopback (`ceasefire witness serve`), each
with its own key and state directory, for the tests of a witnessed ledger."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nacl.pwhash
from nacl.signing import SigningKey, VerifyKey

from ceasefire.ledger import note
from ceasefire.ledger.witnesses import Witness, Witnesses
from ceasefire.store import ledger as store
from ceasefire.store.db import Database
from ceasefire.witness.config import PASSPHRASE_ENV, WitnessKey, seal_key

PASSPHRASE = "a witness passphrase"
PARTIES = ("RU", "TR", "IR")


def log_vkeys(db: Database) -> list[str]:
    """The verifier keys of the log: its server keys, named by its origin."""
    with db.session() as session:
        return [note.vkey(db.origin, VerifyKey(bytes.fromhex(k.public)))
                for k in store.keys(session) if k.party is None]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class WitnessProcess:
    party: str
    key: WitnessKey
    state: Path
    port: int
    key_file: Path
    logs: list[str]
    proc: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def witness(self) -> Witness:
        return Witness(self.party, self.key.name, self.url, self.key.key.verify_key)

    def start(self) -> None:
        args = [sys.executable, "-m", "ceasefire", "witness", "serve", "--key",
                str(self.key_file), "--state", str(self.state), "--port", str(self.port)]
        for vkey in self.logs:
            args += ["--log", vkey]
        self.proc = subprocess.Popen(args, env={**os.environ, PASSPHRASE_ENV: PASSPHRASE},
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # blocks until it listens, or exits
        assert re.search(r"listening on http://127\.0\.0\.1:\d+", line), \
            f"{self.party}'s witness did not listen: {line!r}"

    def kill(self) -> None:
        """SIGKILL: no chance to tidy up, as a machine losing power."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.communicate(timeout=30)
            self.proc = None


@contextmanager
def witnesses(db: Database, directory: Path, quorum: int = 3,
              parties: tuple[str, ...] = PARTIES) -> Iterator[list[WitnessProcess]]:
    """One witness per guarantor, each its own process, key and state, witnessing `db`'s
    log; `db.witnesses` names them for as long as they run."""
    running = []
    for n, party in enumerate(parties):
        key = WitnessKey(f"witness.{party.lower()}.test", SigningKey(bytes([n + 7] * 32)))
        key_file = directory / f"{party}.key"
        key_file.write_bytes(seal_key(key, PASSPHRASE,
                                      opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN,
                                      memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN))
        running.append(WitnessProcess(party, key, directory / f"{party}-state", free_port(),
                                      key_file, log_vkeys(db)))
    before = db.witnesses
    try:
        for w in running:
            w.start()
        db.witnesses = Witnesses(quorum, tuple(w.witness for w in running))
        yield running
    finally:
        db.witnesses = before
        for w in running:
            w.kill()
