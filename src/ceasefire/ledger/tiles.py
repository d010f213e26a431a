"""The ledger's Merkle tree served as C2SP tlog-tiles (c2sp.org/tlog-tiles): static,
cacheable files any tlog client can fetch and check against a checkpoint's root.

Tiles have height 8: a level-L tile N holds the 32-byte hashes of the tree's nodes at
height 8*L (each the root of 2**(8L) leaves) numbered N*256 .. N*256+W-1, W = 256 for a
full tile, 1..255 for the partial tile at the right edge. Level 0 holds the leaf hashes.
An entry bundle N holds the entries the level-0 tile N hashes, each prefixed with its
length as a big-endian uint16. Only complete subtrees go into tiles, and those never
change as the tree grows, so a tile's bytes are fixed once its path exists.

Pure: paths, tile bytes and bundles from what the caller hands in; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import sha256

from ceasefire.ledger.merkle import MerkleTree

HEIGHT = 8
WIDTH = 1 << HEIGHT  # hashes in a full tile, entries in a full bundle
MAX_LEVEL = 63  # the spec's bound: 8 * 64 bits of tree size
MAX_ENTRY = 0xFFFF  # a bundle's length prefix is a uint16
HASH_SIZE = 32

_ELEMENT = re.compile(r"[0-9]{3}")
_LEVEL = re.compile(r"0|[1-9][0-9]?")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")


@dataclass(frozen=True, slots=True)
class Tile:
    """A hash tile (level >= 0) or an entry bundle (level None)."""

    level: int | None
    index: int
    width: int = WIDTH

    def __post_init__(self) -> None:
        if self.level is not None and not 0 <= self.level <= MAX_LEVEL:
            raise ValueError(f"a tile's level is 0..{MAX_LEVEL}, not {self.level}")
        if self.index < 0:
            raise ValueError(f"a tile's index is not negative: {self.index}")
        if not 1 <= self.width <= WIDTH:
            raise ValueError(f"a tile's width is 1..{WIDTH}, not {self.width}")

    @property
    def path(self) -> str:
        return ("tile/entries/" if self.level is None else f"tile/{self.level}/") + (
            _encode_index(self.index) + ("" if self.width == WIDTH else f".p/{self.width}"))

    @property
    def partial(self) -> bool:
        return self.width < WIDTH

    @property
    def leaves(self) -> range:
        """The leaves (entries) whose hashes this tile's hashes are computed from."""
        shift = HEIGHT * (self.level or 0)
        return range(self.index * WIDTH << shift, (self.index * WIDTH + self.width) << shift)

    def in_tree(self, size: int) -> bool:
        """Whether a tree of `size` leaves fixes this tile: every node it holds is complete.
        A narrower partial tile than the tree's current one is still served, since a client
        that holds an older checkpoint asks for that one."""
        return self.leaves.stop <= size


def _encode_index(index: int) -> str:
    # Three digits a path element, so no directory holds more than 3000 names.
    parts = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        parts.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(parts))


def tile_path(level: int, index: int, width: int = WIDTH) -> str:
    """`tile/<L>/<N>[.p/<W>]`, no leading slash."""
    return Tile(level, index, width).path


def entries_path(index: int, width: int = WIDTH) -> str:
    """`tile/entries/<N>[.p/<W>]`, no leading slash."""
    return Tile(None, index, width).path


def parse_tile_path(path: str) -> Tile:
    """The tile a path names; ValueError unless it is the one canonical path of a tile, so
    that one tile has one URL (and one cache entry)."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise ValueError(f"not a tile path (tile/<L>/<N> or tile/entries/<N>): {path!r}")
    level: int | None
    if parts[1] == "entries":
        level = None
    elif _LEVEL.fullmatch(parts[1]) and int(parts[1]) <= MAX_LEVEL:
        level = int(parts[1])
    else:
        raise ValueError(f"a tile's level is 0..{MAX_LEVEL} without leading zeros or"
                         f" 'entries', not {parts[1]!r}: {path!r}")
    elements = parts[2:]
    width = WIDTH
    if elements[-1].endswith(".p") or len(elements) > 1 and elements[-2].endswith(".p"):
        if len(elements) < 2 or not elements[-2].endswith(".p"):
            raise ValueError(f"a partial tile's path ends in .p/<W>: {path!r}")
        w = elements.pop()
        if not _WIDTH.fullmatch(w) or int(w) >= WIDTH:
            raise ValueError(f"a partial tile's width is 1..{WIDTH - 1} without leading"
                             f" zeros, not {w!r}: {path!r}")
        width = int(w)
        elements[-1] = elements[-1].removesuffix(".p")
    index = 0
    for i, element in enumerate(elements):
        digits = element[1:] if i < len(elements) - 1 and element.startswith("x") else element
        if (i < len(elements) - 1) != element.startswith("x") or not _ELEMENT.fullmatch(digits):
            raise ValueError(f"a tile's index is 3-digit path elements, all but the last"
                             f" starting with 'x', not {element!r}: {path!r}")
        index = index * 1000 + int(digits)
    tile = Tile(level, index, width)
    if tile.path != path:  # e.g. x000/005 for 005: a number has one spelling
        raise ValueError(f"not the canonical path of {tile.path!r}: {path!r}")
    return tile


def _level_tiles(level: int | None, nodes: int) -> list[Tile]:
    full, rest = divmod(nodes, WIDTH)
    tiles = [Tile(level, n) for n in range(full)]
    return tiles + [Tile(level, full, rest)] if rest else tiles


def tiles_for(size: int) -> list[Tile]:
    """The hash tiles of a tree of `size` leaves, level by level: each level's full tiles
    and, if its complete nodes do not fill them, the partial tile as wide as it is now."""
    if size < 0:
        raise ValueError(f"a tree's size is not negative: {size}")
    tiles: list[Tile] = []
    level = 0
    while size >> (HEIGHT * level):
        tiles += _level_tiles(level, size >> (HEIGHT * level))
        level += 1
    return tiles


def entry_bundles_for(size: int) -> list[Tile]:
    """The entry bundles of a tree of `size` leaves: the full ones and the partial one."""
    if size < 0:
        raise ValueError(f"a tree's size is not negative: {size}")
    return _level_tiles(None, size)


def hash_tile(leaf_hashes: MerkleTree | Sequence[bytes], level: int, index: int,
              width: int = WIDTH) -> bytes:
    """The bytes of hash tile (level, index, width): its nodes' hashes, concatenated.

    From a MerkleTree the nodes are looked up; from a sequence of leaf hashes only the
    leaves under the tile are hashed, pairwise up to height 8*level."""
    tile = Tile(level, index, width)
    first = index * WIDTH
    height = HEIGHT * level
    if isinstance(leaf_hashes, MerkleTree):
        return b"".join(leaf_hashes.nodes(height, first, first + width))
    leaves = tile.leaves
    if leaves.stop > len(leaf_hashes):
        raise ValueError(f"tile {tile.path} covers leaves {leaves.start}..{leaves.stop - 1},"
                         f" beyond the {len(leaf_hashes)} given")
    row = list(leaf_hashes[leaves.start:leaves.stop])
    if any(len(h) != HASH_SIZE for h in row):
        raise ValueError(f"a leaf hash is {HASH_SIZE} bytes")
    for _ in range(height):
        row = [sha256(b"\x01" + a + b).digest() for a, b in zip(row[::2], row[1::2],
                                                                  strict=True)]
    return b"".join(row)


def entry_bundle(entries: Sequence[bytes]) -> bytes:
    """The bundle of 1..256 entries: each as its uint16 big-endian length, then itself."""
    if not 1 <= len(entries) <= WIDTH:
        raise ValueError(f"an entry bundle holds 1..{WIDTH} entries, not {len(entries)}")
    out = bytearray()
    for i, entry in enumerate(entries):
        if len(entry) > MAX_ENTRY:
            raise ValueError(f"entry {i} of the bundle is {len(entry)} bytes: a bundle's"
                             f" uint16 length prefix holds at most {MAX_ENTRY}")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def read_entry_bundle(data: bytes, width: int | None = None) -> list[bytes]:
    """The entries of a bundle; ValueError if it is truncated, has bytes after its last
    entry, or (given `width`) holds another number of entries."""
    entries: list[bytes] = []
    at = 0
    while at < len(data):
        if len(entries) == (WIDTH if width is None else width):
            raise ValueError(f"the bundle has bytes after its {len(entries)} entries")
        if at + 2 > len(data):
            raise ValueError(f"the bundle is truncated in the length of entry {len(entries)}")
        end = at + 2 + int.from_bytes(data[at:at + 2], "big")
        if end > len(data):
            raise ValueError(f"the bundle is truncated in entry {len(entries)}")
        entries.append(bytes(data[at + 2:end]))
        at = end
    if width is not None and len(entries) != width:
        raise ValueError(f"the bundle holds {len(entries)} entries, not {width}")
    if not entries:
        raise ValueError("an entry bundle holds at least one entry")
    return entries
