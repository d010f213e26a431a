"""The state directory and the configuration: files written whole, a history a crash cut
short still read, keys and log keys read or refused by name."""

from __future__ import annotations

import json

import nacl.pwhash
import pytest
from nacl.signing import SigningKey

from ceasefire.errors import InvalidInput
from ceasefire.ledger import note
from ceasefire.witness.config import (
    WitnessKey,
    log_file_lines,
    open_key,
    parse_logs,
    seal_key,
)
from ceasefire.witness.protocol import held
from ceasefire.witness.state import WitnessState, log_file_name
from tests.witness.conftest import LOG_KEY, ORIGIN, WITNESS, checkpoint, tree

LOG = tree(9)
CHEAP = {"opslimit": nacl.pwhash.argon2id.OPSLIMIT_MIN,
         "memlimit": nacl.pwhash.argon2id.MEMLIMIT_MIN}


def test_advancing_writes_the_latest_note_and_the_history(tmp_path):
    state = WitnessState(tmp_path / "state")
    for size in (3, 5):
        with state.locked():
            state.advance(held(checkpoint(LOG, size)))
    name = log_file_name(ORIGIN)
    assert (tmp_path / "state" / "checkpoints" / f"{name}.note").read_text() == \
        checkpoint(LOG, 5)
    assert state.latest(ORIGIN) == held(checkpoint(LOG, 5))
    assert state.accepted(ORIGIN, 3) == held(checkpoint(LOG, 3))
    assert state.accepted(ORIGIN, 4) is None and state.latest("other") is None
    assert [h.size for h in state.logs()] == [5]
    assert not list((tmp_path / "state").rglob("*.tmp"))  # no temporary file left


def test_a_history_line_cut_short_by_a_crash_is_skipped(tmp_path):
    state = WitnessState(tmp_path)
    state.advance(held(checkpoint(LOG, 3)))
    history = tmp_path / "history" / f"{log_file_name(ORIGIN)}.jsonl"
    with history.open("a") as f:
        f.write('{"size": 4, "root": "AAA')  # killed mid-line
    state.advance(held(checkpoint(LOG, 5)))
    assert state.accepted(ORIGIN, 5) == held(checkpoint(LOG, 5))
    assert state.accepted(ORIGIN, 3) == held(checkpoint(LOG, 3))
    assert len(history.read_text().splitlines()) == 3


def test_origins_are_kept_apart_in_file_names():
    names = {log_file_name(o) for o in ("a/b", "a_b", "a b", "../../etc", "x" * 500)}
    assert len(names) == 5
    assert all("/" not in n and len(n) < 120 and not n.startswith(".") for n in names)


def test_a_state_directory_that_cannot_be_made_is_named(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(InvalidInput, match="not writable") as raised:
        WitnessState(tmp_path / "file" / "state")
    assert str(tmp_path / "file" / "state") in str(raised.value)


def test_a_key_file_round_trip_and_its_refusals(tmp_path):
    sealed = seal_key(WITNESS, "a witness passphrase", **CHEAP)
    assert json.loads(sealed)["witness"] == WITNESS.name
    assert open_key(sealed, "a witness passphrase", source="w.key") == WITNESS
    with pytest.raises(InvalidInput, match="w.key, passphrase: wrong passphrase"):
        open_key(sealed, "another passphrase", source="w.key")
    party = json.loads(sealed)
    del party["witness"]
    with pytest.raises(InvalidInput, match="not a witness key file"):
        open_key(json.dumps(party).encode(), "a witness passphrase", source="w.key")


def test_log_keys_are_read_several_to_an_origin(tmp_path):
    rotated = SigningKey(bytes(range(7, 39)))
    listed = tmp_path / "logs.txt"
    listed.write_text(f"# the ledger, before and after its key was rotated\n"
                      f"{note.vkey(ORIGIN, LOG_KEY.verify_key)}\n\n"
                      f"{note.vkey(ORIGIN, rotated.verify_key)}\n")
    logs = parse_logs(log_file_lines(listed) + [("--log", None,
                                                  note.vkey(ORIGIN, LOG_KEY.verify_key))])
    assert dict(logs.keys) == {ORIGIN: (LOG_KEY.verify_key, rotated.verify_key)}


def test_every_vkey_is_read_whatever_its_base64_holds():
    for seed in range(64):  # about half of all keys have a '+' in their base64
        key = WitnessKey("w", SigningKey(bytes([seed]) * 32))
        logs = parse_logs([("--log", None, key.vkey)])
        assert logs.keys == {"w": (key.key.verify_key,)}


@pytest.mark.parametrize(("text", "said"), [
    ("garbage", "not a verifier key"),
    (note.vkey(ORIGIN, LOG_KEY.verify_key).replace("+", "+00", 1), "key id"),
    (note.vkey(ORIGIN, LOG_KEY.verify_key)[:-4], "not a verifier key"),
])
def test_a_malformed_log_key_is_named_by_its_line(tmp_path, text, said):
    listed = tmp_path / "logs.txt"
    listed.write_text(f"{note.vkey(ORIGIN, LOG_KEY.verify_key)}\n{text}\n")
    with pytest.raises(InvalidInput, match=said) as raised:
        parse_logs(log_file_lines(listed))
    assert str(raised.value).startswith(f"{listed}, line 2: ")


def test_no_log_at_all_is_refused():
    with pytest.raises(InvalidInput, match="no log to witness"):
        parse_logs([])
