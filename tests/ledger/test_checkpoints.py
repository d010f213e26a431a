"""A party keeps the checkpoints it saw and proves later that the ledger only grew."""

from dataclasses import replace
from datetime import UTC, datetime

from nacl.signing import SigningKey

from ceasefire.ledger.checkpoints import Checkpoint, grew_from
from ceasefire.ledger.entries import key_id
from ceasefire.ledger.merkle import MerkleTree

SERVER = SigningKey(bytes(range(7, 39)))
OTHER = SigningKey(bytes(range(9, 41)))
AT = datetime(2017, 3, 1, tzinfo=UTC)


def checkpoint(tree: MerkleTree, size: int, key: SigningKey = SERVER) -> Checkpoint:
    return Checkpoint(size, tree.root(size), AT, key_id(key.verify_key)).signed_by(key)


def test_a_ledger_that_only_grew_is_proven_so():
    tree = MerkleTree()
    for i in range(30):
        tree.append(f"entry {i}".encode())
    old, new = checkpoint(tree, 11), checkpoint(tree, 30)
    assert grew_from(old, new, tree.consistency_proof(11, 30), SERVER.verify_key)


def test_a_rewritten_ledger_is_not():
    honest, rewritten = MerkleTree(), MerkleTree()
    for i in range(30):
        honest.append(f"entry {i}".encode())
        rewritten.append(f"entry {i}".encode() if i != 4 else b"entry 4, edited")
    old = checkpoint(honest, 11)
    new = checkpoint(rewritten, 30)
    assert not grew_from(old, new, rewritten.consistency_proof(11, 30), SERVER.verify_key)


def test_checkpoints_count_only_with_the_right_signature():
    tree = MerkleTree([bytes(32)] * 5)
    good = checkpoint(tree, 5)
    assert good.is_signed_by(SERVER.verify_key)
    assert not good.is_signed_by(OTHER.verify_key)
    assert not replace(good, size=4).is_signed_by(SERVER.verify_key)
    assert not replace(good, root=bytes(32)).is_signed_by(SERVER.verify_key)
    forged = checkpoint(tree, 5, OTHER)
    assert not grew_from(forged, good, [], SERVER.verify_key)
