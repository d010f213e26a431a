"""The Merkle tree against RFC 6962 written out again here, as the RFC's text defines it
(section 2.1): the tree hash, the audit path and the consistency proof, by recursion over
the entries themselves. Proofs are checked with the RFC 9162 algorithms, and must fail
for any other leaf, index, size or root."""

import hashlib

import pytest

from ceasefire.ledger.merkle import (
    MerkleTree,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def k_of(n: int) -> int:
    """"the largest power of two smaller than n" (2.1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return sha(b"")
    if n == 1:
        return sha(b"\x00" + d[0])
    k = k_of(n)
    return sha(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) (2.1.1)."""
    n = len(d)
    if n == 1:
        return []
    k = k_of(n)
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def proof(m: int, d: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (2.1.2)."""
    def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
        n = len(d)
        if m == n:
            return [] if b else [mth(d)]
        k = k_of(n)
        if m <= k:
            return subproof(m, d[:k], b) + [mth(d[k:])]
        return subproof(m - k, d[k:], False) + [mth(d[:k])]
    return subproof(m, d, True)


ENTRIES = [f"entry {i}".encode() for i in range(40)]


def test_roots_match_the_rfc_for_every_size():
    tree = MerkleTree()
    assert tree.root() == mth([])
    for n, entry in enumerate(ENTRIES, 1):
        assert tree.append(entry) == n - 1
        assert tree.root() == mth(ENTRIES[:n])
    for n in range(len(ENTRIES) + 1):  # and the roots of every earlier size
        assert tree.root(n) == mth(ENTRIES[:n])


def test_inclusion_proofs_match_the_rfc_and_verify():
    tree = MerkleTree(leaf_hash(e) for e in ENTRIES)
    for n in range(1, len(ENTRIES) + 1):
        root = mth(ENTRIES[:n])
        for m in range(n):
            got = tree.inclusion_proof(m, n)
            assert got == path(m, ENTRIES[:n])
            assert verify_inclusion(leaf_hash(ENTRIES[m]), m, n, got, root)
            # Any other leaf, index or root fails. (The size is bound by the signed
            # checkpoint that gives the root, not by the path.)
            assert not verify_inclusion(leaf_hash(b"forged"), m, n, got, root)
            assert not verify_inclusion(leaf_hash(ENTRIES[m]), m, n, got, mth(ENTRIES[:n - 1]))
            if n > 1:
                other = (m + 1) % n
                assert not verify_inclusion(leaf_hash(ENTRIES[m]), other, n, got, root)


def test_consistency_proofs_match_the_rfc_and_verify():
    tree = MerkleTree(leaf_hash(e) for e in ENTRIES)
    for n in range(1, len(ENTRIES) + 1):
        for m in range(1, n + 1):
            got = tree.consistency_proof(m, n)
            assert got == proof(m, ENTRIES[:n])
            old, new = mth(ENTRIES[:m]), mth(ENTRIES[:n])
            assert verify_consistency(m, n, old, new, got)
            if m < n:
                # A rewritten history is not consistent with the old root.
                forged = mth([*ENTRIES[:m - 1], b"rewritten", *ENTRIES[m:n]])
                assert not verify_consistency(m, n, old, forged, got)
                assert not verify_consistency(m, n, mth([b"x"] * m), new, got)
                if got:
                    flipped = [bytes([got[0][0] ^ 1]) + got[0][1:], *got[1:]]
                    assert not verify_consistency(m, n, old, new, flipped)


def test_sizes_outside_the_tree_are_refused():
    tree = MerkleTree(leaf_hash(e) for e in ENTRIES[:5])
    for call in (lambda: tree.root(6), lambda: tree.inclusion_proof(5),
                 lambda: tree.consistency_proof(0, 5), lambda: tree.consistency_proof(3, 6)):
        with pytest.raises(ValueError):
            call()


def test_extending_in_batches_builds_the_tree_one_append_at_a_time_builds():
    import random

    rng = random.Random(3)
    for _ in range(200):
        entries = [bytes([rng.randrange(256)]) * rng.randrange(1, 9)
                   for _ in range(rng.randrange(0, 70))]
        one_by_one, batched = MerkleTree(), MerkleTree()
        for e in entries:
            one_by_one.append(e)
        start = 0
        while start < len(entries):
            step = rng.randrange(1, 12)
            batched.extend(entries[start:start + step])
            start += step
        assert len(batched) == len(entries)
        assert batched.root() == one_by_one.root() == mth(entries)
        if entries:
            assert batched.inclusion_proof(len(entries) - 1) == path(len(entries) - 1, entries)
