"""C2SP signed notes, checkpoints and cosignatures (ledger/note.py), and checkpoints in
both their forms: notes from now on, canonical JSON as bulletins already published them."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from nacl.signing import SigningKey

from ceasefire.errors import InvalidInput
from ceasefire.ledger import note
from ceasefire.ledger.checkpoints import (
    Checkpoint,
    checkpoint_json,
    checkpoint_of,
    checkpoint_of_note,
    signer_among,
)
from ceasefire.ledger.entries import key_id

ORIGIN = "ceasefire.example/ledger"
KEY = SigningKey(bytes(range(32)))
ROOT = bytes(range(32, 64))


@pytest.mark.parametrize("seed", range(64))
def test_a_verifier_key_round_trips_whatever_its_base64_holds(seed):
    key = SigningKey(bytes([seed]) * 32)  # about half of all keys have a '+' in base64
    name, public = note.parse_vkey(note.vkey("witness.ru", key.verify_key))
    assert (name, bytes(public)) == ("witness.ru", bytes(key.verify_key))


@pytest.mark.parametrize("vkey", [
    "", "name", "name+00000000", "na me+00000000+AQ==",
    note.vkey("other", KEY.verify_key).replace("other", "renamed", 1),  # id no longer fits
    "witness+" + "0" * 8 + "+" + base64.b64encode(b"\x02" + bytes(32)).decode(),  # not Ed25519
])
def test_a_malformed_verifier_key_is_refused(vkey):
    with pytest.raises(note.NoteError):
        note.parse_vkey(vkey)


def test_a_checkpoint_note_is_signed_by_its_origin_and_cosigned_with_a_time():
    text = note.checkpoint_text(ORIGIN, 7, ROOT)
    signed = note.sign(text, ORIGIN, KEY)
    witness = SigningKey(bytes(32))
    line = note.cosign(text, "witness.tr", witness, 1_700_000_000)
    both = note.add_signatures(signed, [line, line])  # once, however often added
    body, signatures = note.open_note(both)
    assert body == text and len(signatures) == 2
    assert note.signed_by(body, signatures[0], ORIGIN, KEY.verify_key)
    assert note.cosigned_at(body, signatures[1], "witness.tr", witness.verify_key) == 1_700_000_000
    # A cosignature is no note signature, nor a signature of another checkpoint.
    assert not note.signed_by(body, signatures[1], "witness.tr", witness.verify_key)
    other = note.checkpoint_text(ORIGIN, 8, ROOT)
    assert note.cosigned_at(other, signatures[1], "witness.tr", witness.verify_key) is None


@pytest.mark.parametrize("text", [
    "", "origin\n", "origin\n7\n", "origin\n07\n" + base64.b64encode(ROOT).decode() + "\n",
    "origin\n-1\n" + base64.b64encode(ROOT).decode() + "\n",
    "origin\n7\n" + base64.b64encode(ROOT[:31]).decode() + "\n",
    "origin\n7\n" + base64.b64encode(ROOT).decode(),  # no final newline
])
def test_a_malformed_checkpoint_is_refused(text):
    with pytest.raises(note.NoteError):
        note.parse_checkpoint(text)


@pytest.mark.parametrize("signed", [
    "origin\n", "origin\n\n", "origin\n\nno dash line\n",
    "origin\n\n\u2014 name !!!notbase64\n", "origin\n\n\u2014 name AAAA\n",  # too short
])
def test_a_malformed_note_is_refused(signed):
    with pytest.raises(note.NoteError):
        note.open_note(signed)


def _checkpoint() -> Checkpoint:
    return Checkpoint(7, ROOT, datetime(2017, 1, 20, tzinfo=UTC), key_id(KEY.verify_key))


def test_checkpoints_verify_in_both_forms_and_read_back_from_their_json():
    as_note = _checkpoint().signed_by(KEY, ORIGIN)
    as_json = _checkpoint().signed_by(KEY)  # as bulletins published before notes
    for c in (as_note, as_json):
        assert c.is_signed_by(KEY.verify_key)
        again = checkpoint_of(checkpoint_json(c))
        assert again == c and again.is_signed_by(KEY.verify_key)
    assert as_note.origin == ORIGIN and as_json.note is None


def test_a_note_checkpoint_whose_fields_or_note_were_changed_does_not_verify():
    c = _checkpoint().signed_by(KEY, ORIGIN)
    bigger = Checkpoint(8, c.root, c.at, c.signer, c.signature, c.trust, c.note)
    assert not bigger.is_signed_by(KEY.verify_key)  # the row says 8, the note 7
    edited = Checkpoint(7, c.root, c.at, c.signer, c.signature, c.trust,
                        (c.note or "").replace("\n7\n", "\n8\n"))
    assert not edited.is_signed_by(KEY.verify_key)


def test_a_note_kept_alone_finds_its_signer_among_the_ledgers_keys():
    c = _checkpoint().signed_by(KEY, ORIGIN)
    kept = checkpoint_of_note(c.note or "")
    assert kept.signer == ""
    other = SigningKey(bytes(32)).verify_key
    found = signer_among(kept, {key_id(other): other, c.signer: KEY.verify_key})
    assert found.signer == c.signer and found.is_signed_by(KEY.verify_key)
    with pytest.raises(InvalidInput, match="not a checkpoint"):
        checkpoint_of_note("not a note")
