"""C2SP tlog-tiles: tile paths both ways (and every malformed one refused), which tiles a
tree has, each tile's hashes against roots computed by MerkleTree over the leaves it
covers, and entry bundles. tests/interop/test_go_tlog.py checks the same files with Go's
golang.org/x/mod/sumdb/tlog."""

import pytest

from ceasefire.ledger.merkle import MerkleTree, leaf_hash
from ceasefire.ledger.tiles import (
    WIDTH,
    Tile,
    entries_path,
    entry_bundle,
    entry_bundles_for,
    hash_tile,
    parse_tile_path,
    read_entry_bundle,
    tile_path,
    tiles_for,
)


@pytest.mark.parametrize(("level", "index", "width", "path"), [
    (0, 0, 256, "tile/0/000"),
    (0, 5, 256, "tile/0/005"),
    (1, 999, 256, "tile/1/999"),
    (2, 1000, 256, "tile/2/x001/000"),
    (3, 1234067, 256, "tile/3/x001/x234/067"),
    (3, 1234067, 1, "tile/3/x001/x234/067.p/1"),
    (0, 7, 255, "tile/0/007.p/255"),
    (63, 10**12, 42, "tile/63/x001/x000/x000/x000/000.p/42"),
    (None, 5, 256, "tile/entries/005"),
    (None, 1234067, 17, "tile/entries/x001/x234/067.p/17"),
])
def test_paths_encode_and_parse_back(level, index, width, path):
    made = entries_path(index, width) if level is None else tile_path(level, index, width)
    assert made == path
    assert parse_tile_path(path) == Tile(level, index, width)
    assert Tile(level, index, width).path == path


def test_every_index_and_width_round_trips():
    for index in [*range(0, 2100, 7), 999_999, 1_000_000, 123_456_789_012]:
        for width in (1, 2, 128, 255, 256):
            for level in (None, 0, 1, 9, 63):
                tile = Tile(level, index, width)
                assert parse_tile_path(tile.path) == tile


@pytest.mark.parametrize("path", [
    "",
    "tile",
    "tile/0",
    "tile/0/",
    "/tile/0/005",  # no leading slash
    "tiles/0/005",
    "tile/0/5",  # three digits an element
    "tile/0/0005",
    "tile/0/05",
    "tile/0/x000/005",  # 5 is 005: no leading zero elements
    "tile/0/x001/05",
    "tile/0/001/234",  # all but the last start with x
    "tile/0/x001/x234",  # the last does not
    "tile/0/x001/234/x067",
    "tile/0/x1/005",
    "tile/0/xx01/005",
    "tile/0/+05",
    "tile/0/-05",
    "tile/0/0x5",
    "tile/0/ 05",
    "tile/0/005 ",
    "tile/0/\u0660\u0660\u0665",  # Arabic-Indic digits are digits to int(), not to a path
    "tile/01/005",  # levels have no leading zeros
    "tile/00/005",
    "tile/-1/005",
    "tile/64/005",  # 0..63
    "tile/data/005",  # Go's name for the entries level, with a height in the path
    "tile/8/0/005",  # Go's layout, height first: 0/005 reads as extra segments
    "tile/Entries/005",
    "tile/entries",
    "tile/0/005.p",  # partial without a width
    "tile/0/005.p/",
    "tile/0/005.p/0",  # 1..255
    "tile/0/005.p/256",  # a full tile has no .p
    "tile/0/005.p/300",
    "tile/0/005.p/007",  # no leading zeros
    "tile/0/005.p/-1",
    "tile/0/005.p/3/4",  # extra segments
    "tile/0/005/006",
    "tile/0/005/",
    "tile/0/005/extra",
    "tile/0/.p/3",
    "tile/0/x001.p/3",
    "tile/0/x001.p/005",
    "tile/0/005.q/3",
    "tile/0//005",
])
def test_malformed_paths_are_refused(path):
    with pytest.raises(ValueError) as info:
        parse_tile_path(path)
    assert repr(path) in str(info.value)  # the message names what was refused


@pytest.mark.parametrize(("level", "index", "width"), [
    (-1, 0, 256), (64, 0, 256), (0, -1, 256), (0, 0, 0), (0, 0, 257),
])
def test_tiles_that_cannot_exist_are_refused(level, index, width):
    with pytest.raises(ValueError):
        tile_path(level, index, width)
    if level == 0:
        with pytest.raises(ValueError):
            entries_path(index, width)


def test_the_tiles_of_a_tree():
    assert tiles_for(0) == [] and entry_bundles_for(0) == []
    assert tiles_for(1) == [Tile(0, 0, 1)]
    assert tiles_for(255) == [Tile(0, 0, 255)]
    assert tiles_for(256) == [Tile(0, 0), Tile(1, 0, 1)]
    assert tiles_for(257) == [Tile(0, 0), Tile(0, 1, 1), Tile(1, 0, 1)]
    # 70000 leaves: 273 full level-0 tiles and 112 leaves over; 273 level-1 nodes, a full
    # tile and 17 over; one level-2 node.
    tiles = tiles_for(70000)
    assert tiles == [*(Tile(0, n) for n in range(273)), Tile(0, 273, 112),
                     Tile(1, 0), Tile(1, 1, 17), Tile(2, 0, 1)]
    assert entry_bundles_for(70000) == [Tile(None, n) for n in range(273)] + [
        Tile(None, 273, 112)]
    for size in (1, 255, 256, 257, 65535, 65536, 65537, 16777216 + 3):
        for level in range(4):
            widths = [t.width for t in tiles_for(size) if t.level == level]
            assert sum(widths) == size >> (8 * level)  # each complete node once
            assert all(w == WIDTH for w in widths[:-1])
        assert all(t.in_tree(size) for t in tiles_for(size))
        assert all(t.in_tree(size) for t in entry_bundles_for(size))


def test_in_tree_says_which_paths_a_tree_serves():
    assert Tile(0, 0, 5).in_tree(5) and Tile(0, 0, 4).in_tree(5)  # older partials too
    assert not Tile(0, 0, 6).in_tree(5) and not Tile(0, 0).in_tree(255)
    assert Tile(1, 0, 2).in_tree(512) and not Tile(1, 0, 2).in_tree(511)
    assert Tile(None, 1, 1).in_tree(257) and not Tile(None, 1, 2).in_tree(257)


def leaves(n: int) -> list[bytes]:
    return [leaf_hash(b"entry %d" % i) for i in range(n)]


SIZE = 2 * 65536 + 3 * 256 + 5  # two level-2 nodes, partial tiles at every level


@pytest.fixture(scope="module")
def big() -> tuple[list[bytes], MerkleTree]:
    hashes = leaves(SIZE)
    return hashes, MerkleTree(hashes)


def test_level_0_tiles_are_the_leaf_hashes(big):
    hashes, tree = big
    assert hash_tile(tree, 0, 0) == b"".join(hashes[:256])
    assert hash_tile(tree, 0, 515, 5) == b"".join(hashes[515 * 256:])


def test_each_hash_of_a_tile_is_the_root_of_the_leaves_under_it(big):
    hashes, tree = big
    # Level 1: hash k is the root of leaves 256k..256k+255; level 2: of 65536k...
    for level, index, width in ((1, 0, 256), (1, 2, 3), (2, 0, 2)):
        data = hash_tile(tree, level, index, width)
        assert len(data) == 32 * width
        span = 1 << (8 * level)
        for i in range(width):
            k = index * 256 + i
            under = MerkleTree(hashes[k * span:(k + 1) * span]).root()
            assert data[32 * i:32 * (i + 1)] == under


def test_tiles_from_leaf_hashes_equal_tiles_from_the_tree(big):
    hashes, tree = big
    for tile in tiles_for(SIZE):
        assert tile.level is not None
        assert (hash_tile(hashes, tile.level, tile.index, tile.width)
                == hash_tile(tree, tile.level, tile.index, tile.width))


def test_the_root_is_rebuilt_from_the_top_tiles(big):
    # What a client does: the tree's root from the tiles' hashes alone (RFC 6962 splits a
    # tree at powers of two, so the complete nodes at each level, right to left, are its
    # subtrees).
    hashes, tree = big
    small = MerkleTree(hashes[:3 * 65536 // 2])  # 98304 leaves: 1 level-2 node + 128 level-1
    top = hash_tile(small, 2, 0, 1)
    level1 = hash_tile(small, 1, 1, 128)
    rest = MerkleTree(level1[i:i + 32] for i in range(0, len(level1), 32)).root()
    from ceasefire.ledger.merkle import node_hash
    assert node_hash(top, rest) == small.root()


def test_a_tile_never_changes_as_the_tree_grows():
    hashes = leaves(600)
    tree = MerkleTree(hashes[:300])
    before = hash_tile(tree, 0, 1, 44)
    tree.extend(hashes[300:], hashed=True)
    assert hash_tile(tree, 0, 1).startswith(before)
    assert hash_tile(tree, 1, 0, 2) == hash_tile(hashes, 1, 0, 2)


def test_tiles_beyond_the_tree_are_refused(big):
    hashes, tree = big
    for source in (tree, hashes):
        with pytest.raises(ValueError):
            hash_tile(source, 0, 515, 6)
        with pytest.raises(ValueError):
            hash_tile(source, 2, 0, 3)
        with pytest.raises(ValueError):
            hash_tile(source, 3, 0, 1)
    with pytest.raises(ValueError):
        hash_tile([b"short"] * 256, 0, 0)


def test_merkle_tree_nodes():
    hashes = leaves(1000)
    tree = MerkleTree(hashes)
    assert tree.nodes(0, 0, 1000) == hashes
    assert tree.nodes(1, 3, 4) == [MerkleTree(hashes[6:8]).root()]
    assert tree.nodes(9, 0, 1) == [tree.root(512)]
    assert tree.nodes(10, 0, 0) == [] and tree.nodes(40, 0, 0) == []
    assert MerkleTree().nodes(0, 0, 0) == []
    for height, start, end in ((0, 0, 1001), (9, 0, 2), (10, 0, 1), (-1, 0, 0), (0, 5, 4)):
        with pytest.raises(ValueError):
            tree.nodes(height, start, end)


def test_bundles_round_trip():
    entries = [b"", b"x", b'{"a":1}', bytes(range(256)) * 10, b"\xff" * 65535]
    data = entry_bundle(entries)
    assert data[:2] == b"\x00\x00" and data[2:5] == b"\x00\x01x"
    assert read_entry_bundle(data) == entries
    assert read_entry_bundle(data, len(entries)) == entries
    full = [b"%d" % i for i in range(256)]
    assert read_entry_bundle(entry_bundle(full), 256) == full


def test_an_entry_over_65535_bytes_cannot_be_bundled():
    with pytest.raises(ValueError, match="65535"):
        entry_bundle([b"ok", b"\x00" * 65536])


@pytest.mark.parametrize("entries", [[], [b"e"] * 257])
def test_a_bundle_holds_1_to_256_entries(entries):
    with pytest.raises(ValueError):
        entry_bundle(entries)


@pytest.mark.parametrize(("data", "width"), [
    (b"", None),  # no entries
    (b"\x00", None),  # a truncated length
    (b"\x00\x03ab", None),  # a truncated entry
    (b"\x00\x01a\x00", None),
    (b"\x00\x01a\x00\x01b", 1),  # bytes after the entries asked for
    (b"\x00\x01a", 2),  # fewer
    (b"\x00\x00" * 257, None),  # more than a bundle holds
])
def test_malformed_bundles_are_refused(data, width):
    with pytest.raises(ValueError):
        read_entry_bundle(data, width)
