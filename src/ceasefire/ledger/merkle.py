"""A Merkle tree over the ledger's entries, hashed as RFC 6962 (Certificate Transparency)
hashes it: leaves SHA-256(0x00 || entry), nodes SHA-256(0x01 || left || right), a tree of
n leaves split at the largest power of two below n. With it a party can check that an
entry is in the tree a checkpoint signs (inclusion proof), and that a later checkpoint's
tree extends an earlier one's (consistency proof), holding only the two roots.

The tree keeps every complete perfect subtree's hash, level by level, so an append costs
O(log n) hashes and a proof O(log n) look-ups; only the subtrees on the right edge of a
tree that is not a power of two are hashed again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


_sha256 = hashlib.sha256


def leaf_hash(entry: bytes) -> bytes:
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        # levels[h][i]: the hash of the perfect subtree of 2**h leaves starting at i * 2**h.
        self._levels: list[list[bytes]] = [[]]
        self.extend(leaves, hashed=True)

    def __len__(self) -> int:
        return len(self._levels[0])

    def append(self, entry: bytes) -> int:
        """Add an entry; returns its index."""
        return self.append_hash(leaf_hash(entry))

    def extend(self, entries: Iterable[bytes], *, hashed: bool = False) -> None:
        """Append many entries (or, `hashed`, their leaf hashes) at once: the leaves, then
        each level's new nodes, a level at a time. The same tree as `append` one by one,
        without a call per entry, which costs as much as a hash."""
        sha = _sha256
        levels = self._levels
        below = levels[0]
        start = len(below)
        below.extend(entries if hashed else [sha(b"\x00" + e).digest() for e in entries])
        h = 0
        while True:
            first = start & ~1  # the first pair that may be new (its right one is)
            end = len(below) & ~1
            if first >= end:
                return
            if h + 1 == len(levels):
                levels.append([])
            above = levels[h + 1]
            above.extend([sha(b"\x01" + a + b).digest()
                          for a, b in zip(below[first:end:2], below[first + 1:end:2],
                                          strict=True)])
            below, start, h = above, first >> 1, h + 1

    def append_hash(self, leaf: bytes) -> int:
        """Add a leaf by its leaf hash; returns its index."""
        levels = self._levels
        below = levels[0]
        index = len(below)
        below.append(leaf)
        h, i = 0, index
        while i & 1:  # this leaf completes subtrees: hash them up
            h += 1
            if h == len(levels):
                levels.append([])
            above = levels[h]
            above.append(_sha256(b"\x01" + below[i - 1] + below[i]).digest())
            below, i = above, i >> 1
        return index

    def root(self, size: int | None = None) -> bytes:
        """The root of the tree of the first `size` leaves (all by default)."""
        size = len(self) if size is None else size
        self._check_size(size)
        return EMPTY_ROOT if size == 0 else self._hash(0, size)

    def nodes(self, height: int, start: int, end: int) -> list[bytes]:
        """The hashes of the perfect subtrees of 2**height leaves numbered start..end-1
        (height 0: the leaf hashes), each complete in the tree as it stands. A complete
        subtree never changes as the tree grows, which is what lets tiles be served."""
        levels = self._levels
        have = len(levels[height]) if 0 <= height < len(levels) else 0
        if height < 0 or not 0 <= start <= end <= have:
            raise ValueError(f"the tree has {have} complete subtrees of height {height},"
                             f" not {start}..{end - 1}")
        return levels[height][start:end] if have else []

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= len(self):
            raise ValueError(f"the tree has {len(self)} leaves, not {size}")

    def _hash(self, start: int, end: int) -> bytes:
        """The root of leaves start..end-1, a subtree as RFC 6962 splits it."""
        n = end - start
        if n & (n - 1) == 0 and start % n == 0:  # a perfect subtree: stored
            return self._levels[n.bit_length() - 1][start // n]
        k = _split(n)
        return node_hash(self._hash(start, start + k), self._hash(start + k, end))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 6962 PATH(index, D[size]): the hashes that lead from leaf `index` to the root
        of the first `size` leaves."""
        size = len(self) if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise ValueError(f"no leaf {index} in a tree of {size}")
        proof: list[bytes] = []
        start, end = 0, size
        while end - start > 1:  # PATH descends; the proof lists the siblings bottom-up
            k = _split(end - start)
            if index < start + k:
                proof.append(self._hash(start + k, end))
                end = start + k
            else:
                proof.append(self._hash(start, start + k))
                start += k
        return proof[::-1]

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """RFC 6962 PROOF(old_size, D[new_size]): the hashes that show the tree of the first
        `old_size` leaves is a prefix of the tree of the first `new_size`."""
        new_size = len(self) if new_size is None else new_size
        self._check_size(new_size)
        if not 0 < old_size <= new_size:
            raise ValueError(f"no consistency proof from {old_size} to {new_size} leaves")
        return self._subproof(old_size, 0, new_size, True)

    def _subproof(self, m: int, start: int, end: int, complete: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if complete else [self._hash(start, end)]
        k = _split(n)
        if m <= k:
            return [*self._subproof(m, start, start + k, complete), self._hash(start + k, end)]
        return [*self._subproof(m - k, start + k, end, False), self._hash(start, start + k)]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes],
                     root: bytes) -> bool:
    """RFC 9162 2.1.3.2: whether `proof` shows leaf hash `leaf` at `index` in the tree of
    `size` leaves whose root is `root`."""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162 2.1.4.2: whether `proof` shows the tree of `old_size` leaves (root
    `old_root`) is a prefix of the tree of `new_size` leaves (root `new_root`)."""
    if not 0 < old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root starts the path
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn % 2 == 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root
