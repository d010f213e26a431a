"""`ceasefire witness serve` as a child process (witness/process.py): ready when it says
so, on the port it was first given after a crash, and nothing left running when it fails."""

from __future__ import annotations

from pathlib import Path

import httpx2
import nacl.pwhash
import pytest

from ceasefire.errors import InvalidInput
from ceasefire.ledger import note
from ceasefire.witness.config import seal_key
from ceasefire.witness.process import WitnessProcess
from tests.witness.conftest import LOG_KEY, ORIGIN, WITNESS

PASSPHRASE = "a witness passphrase"


def witness(tmp_path: Path, passphrase: str = PASSPHRASE) -> WitnessProcess:
    key_file = tmp_path / "witness.key"
    key_file.write_bytes(seal_key(WITNESS, PASSPHRASE,
                                  opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN,
                                  memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN))
    return WitnessProcess(key_file=key_file, state=tmp_path / "state", passphrase=passphrase,
                          logs=[note.vkey(ORIGIN, LOG_KEY.verify_key)],
                          errors=tmp_path / "witness.log")


@pytest.mark.slow  # starts the witness as a process, twice
def test_it_answers_once_ready_and_again_on_its_port_after_a_kill(tmp_path):
    with witness(tmp_path) as w:
        assert w.port != 0
        assert httpx2.get(w.url + "/").status_code == 200
        first = w.url
        w.kill()
        assert not w.exited  # killed here, not stopped by itself
        w.start()
        assert w.url == first
        assert httpx2.get(w.url + "/").status_code == 200


@pytest.mark.slow  # starts the witness as a process
def test_one_that_does_not_start_says_where_its_errors_are_and_is_not_left_running(
        tmp_path):
    w = witness(tmp_path, passphrase="not the passphrase")
    with pytest.raises(InvalidInput, match=r"the witness did not start: .*witness\.log"):
        w.start()
    assert not w.exited and w.port == 0
    assert (tmp_path / "witness.log").read_text()  # why, in its own words
    w.stop()  # nothing to stop: no error
