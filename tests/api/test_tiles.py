"""The ledger as C2SP tiles: what a mirror or a browser fetches with no account, checked
here against the entries and the keys the API gives."""

from __future__ import annotations

import json

import pytest
from nacl.signing import VerifyKey

from ceasefire.ledger import note, tiles
from ceasefire.ledger.merkle import MerkleTree, leaf_hash
from ceasefire.services import ledger
from ceasefire.store import ledger as store

pytestmark = pytest.mark.db


def _server_keys(client) -> list[VerifyKey]:
    return [VerifyKey(bytes.fromhex(k["public"])) for k in
            client.get("/api/v1/ledger/keys").json() if k["party"] is None]


def test_the_checkpoint_is_a_signed_note_of_the_ledger_now(client, database):
    answer = client.get("/checkpoint")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.headers["cache-control"] == "no-cache"
    text, signatures = note.open_note(answer.text)
    said = note.parse_checkpoint(text)
    assert said.origin == database.origin
    with database.session() as session:
        tree, size = ledger.current_tree(session)
    assert (said.size, said.root) == (size, tree.root())
    assert any(note.signed_by(text, s, said.origin, key) for s in signatures
               for key in _server_keys(client))


def test_tiles_and_bundles_hold_every_entry_as_signed(client, database):
    size = note.parse_checkpoint(note.open_note(client.get("/checkpoint").text)[0]).size
    (bundle,) = tiles.entry_bundles_for(size)  # the scenario's few entries: one bundle
    got = client.get("/" + bundle.path)
    assert got.status_code == 200, got.text
    assert "immutable" in got.headers["cache-control"]
    entries = tiles.read_entry_bundle(got.content, bundle.width)
    with database.session() as session:
        assert entries == [e.leaf() for e, _ in store.entries(session)]
    hashes = client.get("/" + tiles.tile_path(0, 0, size)).content
    assert hashes == b"".join(leaf_hash(e) for e in entries)
    tree = MerkleTree()
    tree.extend(entries)
    assert tree.root() == ledger.checkpoint(database).root
    writes = [json.loads(line) for line in
              client.get("/writes/" + bundle.path.removeprefix("tile/entries/")).text.splitlines()]
    with database.session() as session:
        assert writes == [list(w) for w in store.writes(session)]


@pytest.mark.parametrize(("path", "status"), [
    ("/tile/0/000.p/255", 404),  # not in the ledger yet
    ("/tile/entries/001", 404),
    ("/tile/0/0", 404),  # not a canonical path: no such file
    ("/tile/0/x000/001", 404),
    ("/tile/9x/000", 404),
    ("/writes/000.p/0", 404),
])
def test_a_tile_that_is_not_there_is_named(client, path, status):
    answer = client.get(path)
    assert answer.status_code == status, answer.text
    assert "immutable" not in answer.headers.get("cache-control", "")
