"""The ledger as C2SP tlog-tiles (c2sp.org/tlog-tiles): the latest checkpoint as a signed
note with its cosignatures, hash tiles and entry bundles, so a witness, a mirror or a
browser fetches and checks the log with no account and no database.

Beside each entry bundle, `writes/<N>` lists the records those entries wrote, as JSON
Lines of `[seq, kind, key, digest]` (as `ledger export`'s writes.jsonl; an import writes
more than a bundle's uint16 lengths hold): with them a mirror holds everything an export
does, and checks each list against the digest its entry signs.
"""

from __future__ import annotations

import json

from ceasefire.errors import NotFound
from ceasefire.ledger import tiles
from ceasefire.services import ledger, witnessing
from ceasefire.store import ledger as store
from ceasefire.store.db import Database


def checkpoint_note(db: Database) -> str:
    """The checkpoint of the ledger now, with every cosignature it has that verifies."""
    made = ledger.checkpoint(db)
    found = witnessing.cosigned(db, db.witnesses, made.size)
    return found.note() if found is not None else made.note or ""


def _tile(path: str, prefix: str = "") -> tiles.Tile:
    try:
        return tiles.parse_tile_path(prefix + path)
    except ValueError as exc:  # as a static file server would: no such file
        raise NotFound(f"no such tile: {exc}", field="path", id=path) from None


def _fixed(db: Database, tile: tiles.Tile) -> tuple[int, int]:
    """The entries (first, last, 1-based) under `tile`; NotFound until the ledger fixes it."""
    with db.session() as session:
        size, _ = store.head(session)
    if not tile.in_tree(size):
        raise NotFound(f"{tile.path} is not in the ledger of {size} entries yet",
                       field="path", id=tile.path)
    return tile.leaves.start + 1, tile.leaves.stop


def hash_tile(db: Database, path: str) -> bytes:
    tile = _tile(path, "tile/")
    if tile.level is None:
        raise NotFound("entry bundles are at tile/entries/", field="path", id=path)
    _fixed(db, tile)
    with db.session() as session:
        tree, _ = ledger.current_tree(session)
    return tiles.hash_tile(tree, tile.level, tile.index, tile.width)


def entry_bundle(db: Database, path: str) -> bytes:
    first, last = _fixed(db, _tile(path, "tile/entries/"))
    with db.session() as session:
        return tiles.entry_bundle([e.leaf() for e in store.entries_between(session, first,
                                                                           last)])


def writes_lines(db: Database, path: str) -> bytes:
    first, last = _fixed(db, _tile(path, "tile/entries/"))
    with db.session() as session:
        return "".join(json.dumps(list(row)) + "\n"
                       for row in store.writes(session, first, last)).encode()
