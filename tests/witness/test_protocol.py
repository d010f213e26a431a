"""The protocol's pure decisions, without HTTP or a disk: what each request gets, and the
evidence it leaves."""

from __future__ import annotations

import pytest
from nacl.signing import SigningKey

from ceasefire.witness.protocol import (
    MAX_PROOF,
    Inconsistent,
    Malformed,
    NotSignedByLog,
    SizeConflict,
    UnknownLog,
    check_signed,
    decide,
    held,
    parse_request,
)
from tests.witness.conftest import LOG_KEY, ORIGIN, body, checkpoint, tree

LOG = tree(9)
LOGS = {ORIGIN: (LOG_KEY.verify_key,)}


def request(old: int, size: int, proof=None, log=LOG):
    if proof is None:
        proof = log.consistency_proof(old, size) if 0 < old < size else []
    return parse_request(body(old, checkpoint(log, size), proof))


def test_a_request_is_read_whole():
    got = request(5, 7)
    assert (got.old, got.proof, got.checkpoint.size) == (5, tuple(LOG.consistency_proof(5, 7)), 7)
    assert got.note == checkpoint(LOG, 7) and got.text.startswith(f"{ORIGIN}\n7\n")


def test_a_proof_of_63_lines_is_read_and_of_64_is_not():
    assert len(parse_request(body(1, checkpoint(LOG, 2), [bytes(32)] * MAX_PROOF)).proof) == 63
    with pytest.raises(Malformed, match="at most 63"):
        parse_request(body(1, checkpoint(LOG, 2), [bytes(32)] * 64))


def test_a_bad_proof_line_is_named_by_its_line():
    with pytest.raises(Malformed) as raised:
        parse_request(body(1, checkpoint(LOG, 2), [bytes(32), bytes(31)]))
    assert raised.value.line == 3 and raised.value.http_status == 400


def test_the_signature_check():
    check_signed(request(0, 5), LOGS)
    with pytest.raises(UnknownLog):
        check_signed(request(0, 5), {})
    with pytest.raises(NotSignedByLog):
        check_signed(request(0, 5), {ORIGIN: (SigningKey(bytes(32)).verify_key,)})


def test_the_first_checkpoint_advances_and_growth_with_a_proof_advances():
    assert decide(request(0, 5), latest=None).advance
    latest = held(checkpoint(LOG, 5))
    outcome = decide(request(5, 9), latest=latest)
    assert (outcome.refusal, outcome.advance, outcome.evidence) == (None, True, None)


def test_the_same_checkpoint_again_is_cosigned_without_advancing():
    outcome = decide(request(5, 5), latest=held(checkpoint(LOG, 5)))
    assert (outcome.refusal, outcome.advance) == (None, False)
    assert isinstance(decide(request(5, 5, proof=[bytes(32)]),
                             latest=held(checkpoint(LOG, 5))).refusal, Inconsistent)


@pytest.mark.parametrize(("old", "size", "refusal", "status"), [
    (3, 5, SizeConflict, 409),  # behind the witness
    (6, 9, SizeConflict, 409),  # ahead of it
    (5, 4, Malformed, 400),  # old above the checkpoint's size
])
def test_refusals(old, size, refusal, status):
    outcome = decide(request(old, size), latest=held(checkpoint(LOG, 5)))
    assert isinstance(outcome.refusal, refusal) and outcome.refusal.http_status == status
    assert outcome.evidence is None and not outcome.advance


def test_a_conflict_names_the_size_held():
    outcome = decide(request(0, 9), latest=held(checkpoint(LOG, 5)))
    assert isinstance(outcome.refusal, SizeConflict) and outcome.refusal.size == 5


def test_a_forked_log_leaves_evidence_of_each_kind():
    latest = held(checkpoint(LOG, 5))
    fork = tree(9, fork="fork ")
    unproven = decide(request(5, 9, proof=fork.consistency_proof(5, 9), log=fork),
                      latest=latest)
    assert isinstance(unproven.refusal, Inconsistent) and unproven.refusal.http_status == 422
    assert unproven.evidence is not None and unproven.evidence.kind == "unproven"
    split = decide(request(5, 5, log=fork), latest=latest)
    assert isinstance(split.refusal, SizeConflict) and split.evidence.kind == "split-view"
    assert split.evidence.held == latest.note
    rollback = decide(request(9, 3, log=fork), latest=held(checkpoint(LOG, 9)),
                      earlier=held(checkpoint(LOG, 3)))
    assert isinstance(rollback.refusal, Malformed) and rollback.evidence.kind == "rollback"
    assert rollback.evidence.held == checkpoint(LOG, 3)
