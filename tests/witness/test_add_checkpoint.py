"""add-checkpoint as c2sp.org/tlog-witness has it, against the real app on a fresh state
directory: every answer, the cosignature, append-only, the evidence a lying log leaves."""

from __future__ import annotations

import base64
import contextlib
import json
import threading

import pytest
from nacl.signing import SigningKey

from ceasefire.ledger import note
from ceasefire.witness import Logs
from ceasefire.witness.config import parse_vkey
from ceasefire.witness.state import WitnessState
from tests.witness.conftest import (
    LOG_KEY,
    NOW,
    ORIGIN,
    WITNESS,
    body,
    checkpoint,
    tree,
    verifies,
)

LOG = tree(13)  # the honest log; its first n entries are its tree of size n


def cosigned_5(witness) -> str:
    signed = checkpoint(LOG, 5)
    answer = witness.add(0, signed)
    assert answer.status_code == 200, answer.text
    return signed


def test_the_first_checkpoint_is_cosigned_and_the_cosignature_verifies(witness):
    signed = checkpoint(LOG, 5)
    answer = witness.add(0, signed)
    assert answer.status_code == 200
    assert answer.text.startswith(f"\u2014 {WITNESS.name} ") and answer.text.endswith("\n")
    assert verifies(signed, answer.text)
    # The response, added to the checkpoint, is the note a client keeps.
    both = note.add_signatures(signed, answer.text.splitlines(keepends=True))
    assert [s.name for s in note.open_note(both)[1]] == [ORIGIN, WITNESS.name]


def test_the_witness_says_its_name_and_verifier_key(witness):
    answer = witness.http.get("/")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    name, vkey = answer.text.splitlines()
    assert name == WITNESS.name
    assert vkey == WITNESS.vkey
    assert parse_vkey(vkey) == (WITNESS.name, WITNESS.key.verify_key)


def test_a_checkpoint_that_extends_the_one_held_is_cosigned(witness):
    cosigned_5(witness)
    signed = checkpoint(LOG, 7)
    answer = witness.add(5, signed, LOG.consistency_proof(5, 7))
    assert answer.status_code == 200 and verifies(signed, answer.text)
    assert witness.add(0, checkpoint(LOG, 9)).text == "7\n"


def test_the_same_checkpoint_again_is_cosigned_again(witness):
    signed = cosigned_5(witness)
    files = {p: (witness.state / p).read_bytes() for p in witness.files()}
    answer = witness.add(5, signed)
    assert answer.status_code == 200 and verifies(signed, answer.text)
    assert {p: (witness.state / p).read_bytes() for p in witness.files()} == files


def test_an_old_size_other_than_the_one_held_is_409_with_the_size_held(witness):
    assert witness.add(3, checkpoint(LOG, 5), LOG.consistency_proof(3, 5)).text == "0\n"
    cosigned_5(witness)
    for old in (0, 3, 6):
        answer = witness.add(old, checkpoint(LOG, 9), LOG.consistency_proof(old, 9)
                             if old else ())
        assert answer.status_code == 409
        assert answer.headers["content-type"] == "text/x.tlog.size"  # no charset: as the spec
        assert answer.text == "5\n"
    assert witness.evidence() == []  # a client behind the witness proves nothing


def test_a_proof_that_does_not_verify_is_422_and_kept_as_evidence(witness):
    held = cosigned_5(witness)
    proof = LOG.consistency_proof(5, 9)
    proof[0] = bytes(32)
    offered = checkpoint(LOG, 9)
    answer = witness.add(5, offered, proof)
    assert answer.status_code == 422 and "does not verify" in answer.text
    (kept,) = witness.evidence()
    data = json.loads(kept.read_text())
    assert data["kind"] == "unproven" and (data["held"], data["offered"]) == (held, offered)
    assert data["proof"] == [base64.b64encode(h).decode() for h in proof]
    assert witness.add(0, offered).text == "5\n"  # not cosigned: still 5


def test_a_forged_history_is_refused_and_both_signed_notes_are_kept(witness):
    held = cosigned_5(witness)
    forged = tree(7, fork="forged ")  # its first 5 entries are not the log's
    offered = checkpoint(forged)
    answer = witness.add(5, offered, forged.consistency_proof(5, 7))
    assert answer.status_code == 422
    (kept,) = witness.evidence()
    data = json.loads(kept.read_text())
    assert (data["origin"], data["held"], data["offered"]) == (ORIGIN, held, offered)
    assert "does not verify" in data["reason"]
    # The honest log still goes on.
    honest = witness.add(5, checkpoint(LOG, 7), LOG.consistency_proof(5, 7))
    assert honest.status_code == 200


@pytest.mark.parametrize("old", [5, 0])
def test_a_split_view_is_refused_and_kept_as_evidence(witness, old):
    held = cosigned_5(witness)
    other = checkpoint(tree(5, fork="other "))
    answer = witness.add(old, other)
    # Same size, another root: 409 (the spec's answer), whatever the old size said.
    assert (answer.status_code, answer.text) == (409, "5\n")
    (kept,) = witness.evidence()
    data = json.loads(kept.read_text())
    assert data["kind"] == "split-view" and (data["held"], data["offered"]) == (held, other)
    assert kept.name.startswith("split-view-") and "-5-" in kept.name
    witness.add(old, other)
    assert len(witness.evidence()) == 1  # the same conflict again is the same file
    listed = witness.http.get("/evidence").json()
    assert listed == [{"name": kept.name, "kind": "split-view", "reason": data["reason"],
                       "origin": ORIGIN}]


def test_a_smaller_checkpoint_with_another_history_is_kept_as_evidence(witness):
    first = cosigned_5(witness)
    assert witness.add(5, checkpoint(LOG, 7), LOG.consistency_proof(5, 7)).status_code == 200
    # The log's own older checkpoint: refused (old above its size), but no evidence.
    assert witness.add(7, first).status_code == 400
    assert witness.evidence() == []
    rewritten = checkpoint(tree(5, fork="rewritten "))
    assert witness.add(7, rewritten).status_code == 400
    assert witness.add(0, rewritten).text == "7\n"
    (kept,) = witness.evidence()
    data = json.loads(kept.read_text())
    assert data["kind"] == "rollback" and (data["held"], data["offered"]) == (first, rewritten)


def test_an_empty_first_checkpoint_then_any_growth_from_it(witness):
    assert witness.add(0, checkpoint(LOG, 0)).status_code == 200
    assert witness.add(0, checkpoint(LOG, 3)).status_code == 200
    assert witness.add(0, checkpoint(LOG, 4)).text == "3\n"


def test_a_proof_from_size_0_is_refused(witness):
    answer = witness.add(0, checkpoint(LOG, 5), [bytes(32)])
    assert answer.status_code == 400 and witness.files() == []


def test_an_old_size_above_the_checkpoint_is_400(witness):
    cosigned_5(witness)
    assert witness.add(5, checkpoint(LOG, 3)).status_code == 400


def test_an_unknown_origin_is_404(witness):
    key = SigningKey(bytes(range(2, 34)))
    answer = witness.add(0, checkpoint(LOG, 5, key=key, origin="other.example/log"))
    assert answer.status_code == 404 and "other.example/log" in answer.text
    assert witness.files() == []


def test_a_checkpoint_not_signed_by_the_log_is_403_and_not_evidence(witness):
    cosigned_5(witness)
    impostor = SigningKey(bytes(range(3, 35)))
    forged = checkpoint(tree(5, fork="forged "), key=impostor)  # the log's name, not its key
    assert witness.add(5, forged).status_code == 403
    # The log's key id on a signature that is not the log's.
    text, (signature,) = note.open_note(checkpoint(LOG, 7))
    bad = text + "\n" + note.Signature(ORIGIN, signature.key_id, bytes(64)).line()
    assert witness.add(5, bad, LOG.consistency_proof(5, 7)).status_code == 403
    assert witness.evidence() == []


def test_signatures_by_unknown_keys_are_ignored(witness):
    signed = checkpoint(LOG, 5)
    text, _ = note.open_note(signed)
    other = note.sign(text, "someone.else", SigningKey(bytes(range(4, 36))))
    both = note.add_signatures(other, note.open_note(signed)[1][0].line().splitlines(True))
    assert witness.add(0, both).status_code == 200


def test_a_rotated_log_key_is_trusted_alongside_the_first(open_witness):
    new_key = SigningKey(bytes(range(5, 37)))
    witness = open_witness(logs=Logs({ORIGIN: (LOG_KEY.verify_key, new_key.verify_key)}))
    cosigned_5(witness)
    signed = checkpoint(LOG, 7, key=new_key)
    assert witness.add(5, signed, LOG.consistency_proof(5, 7)).status_code == 200


GARBAGE = [
    b"",
    b"garbage",
    b"old 5\n",
    b"\xff\xfe\n\n",
    body(0, "not a note\n"),
    body(0, "ceasefire.example/ledger\n5\n\n\u2014 x AAAA\n"),  # no root line
    body(0, checkpoint(LOG, 5)).replace(b"old 0", b"old 00"),
    body(0, checkpoint(LOG, 5)).replace(b"old 0", b"old -1"),
    body(0, checkpoint(LOG, 5)).replace(b"old 0", b"new 0"),
    body(0, checkpoint(LOG, 5)).replace(b"old 0", b"old 99999999999999999999"),
    body(0, checkpoint(LOG, 5)).replace(b"old 0", b"old " + b"9" * 5000),
    body(0, checkpoint(LOG, 5)).replace(b"old 0", b"old 0\r"),
    body(0, checkpoint(LOG, 5)).replace(b"old 0\n", b"old 0\nnot base64!\n"),
    body(0, checkpoint(LOG, 5)).replace(b"old 0\n", b"old 0\nAAAA\n"),  # 3 bytes, not 32
    body(0, checkpoint(LOG, 5)).replace(b"old 0\n\n", b"old 0\n\n\n"),
    body(0, checkpoint(LOG, 5) + "trailing"),
    body(5, checkpoint(LOG, 9), [bytes(32)] * 64),  # a proof of more than 63 lines
]


@pytest.mark.parametrize("garbage", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_is_400_and_writes_nothing(witness, garbage):
    answer = witness.http.post("/add-checkpoint", content=garbage)
    assert answer.status_code == 400, answer.text
    assert witness.files() == []


def test_a_body_over_the_limit_is_413_and_writes_nothing(witness):
    signed = checkpoint(LOG, 5)
    answer = witness.http.post("/add-checkpoint", content=body(0, signed) + b"x" * 70_000)
    assert answer.status_code == 413 and witness.files() == []
    streamed = witness.http.post("/add-checkpoint",
                                 content=iter([b"old 0\n", b"x" * 40_000, b"y" * 40_000]))
    assert streamed.status_code == 413 and witness.files() == []


def test_only_post_adds_a_checkpoint(witness):
    assert witness.http.get("/add-checkpoint").status_code == 405


def test_what_it_cosigned_survives_a_restart(open_witness):
    first = open_witness()
    cosigned_5(first)
    again = open_witness()  # a new app on the same directory
    assert again.add(0, checkpoint(LOG, 7)).text == "5\n"
    assert again.add(5, checkpoint(LOG, 7), LOG.consistency_proof(5, 7)).status_code == 200
    assert first.add(0, checkpoint(LOG, 9)).text == "7\n"  # both read the one state


def test_of_requests_racing_from_one_old_size_exactly_one_is_cosigned(witness, monkeypatch):
    cosigned_5(witness)
    sizes = range(6, 14)
    start = threading.Barrier(len(sizes))
    # Each request, having read what is held, waits for the others: without the lock all
    # would then advance from 5. With it the first waits alone, up to the timeout.
    read = threading.Barrier(len(sizes), timeout=0.5)
    latest = WitnessState.latest

    def stalled(self, origin):
        held = latest(self, origin)
        with contextlib.suppress(threading.BrokenBarrierError):
            read.wait()
        return held

    monkeypatch.setattr(WitnessState, "latest", stalled)
    statuses: dict[int, int] = {}

    def offer(size: int) -> None:
        start.wait()
        answer = witness.add(5, checkpoint(LOG, size), LOG.consistency_proof(5, size))
        statuses[size] = answer.status_code

    threads = [threading.Thread(target=offer, args=(s,)) for s in sizes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses.values()) == [200] + [409] * (len(sizes) - 1)
    (won,) = [s for s, status in statuses.items() if status == 200]
    assert witness.add(0, checkpoint(LOG, 13)).text == f"{won}\n"


def test_the_cosignature_is_timestamped_by_the_clock(open_witness):
    witness = open_witness()
    signed = checkpoint(LOG, 5)
    line = witness.add(0, signed).text
    assert verifies(signed, line, at=NOW) and not verifies(signed, line, at=NOW + 1)
