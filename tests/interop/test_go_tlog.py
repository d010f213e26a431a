"""Our tlog-tiles, proofs and signed checkpoints against Go's golang.org/x/mod (sumdb/tlog,
sumdb/note), which we did not write: tlog_check.go reads a ledger served as files and
checks it with tlog's and note's own functions. Go and x/mod come from Debian
(golang-go, golang-golang-x-mod-dev; scripts/system-deps.sh installs them): without them
this fails rather than skips, since a skip would pass CI having checked nothing."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.ledger import note
from ceasefire.ledger.merkle import MerkleTree
from ceasefire.ledger.tiles import (
    entry_bundle,
    entry_bundles_for,
    hash_tile,
    tiles_for,
)
from ceasefire.services import ledger, witnessing
from ceasefire.services.accounts import create_account
from ceasefire.services.scenarios import load_scenario
from tests.witnessing import witnesses

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
GOPATH = "/usr/share/gocode"  # where golang-golang-x-mod-dev puts golang.org/x/mod
CHECKS = ("paths", "entries", "tiles", "tree-hash", "record-hashes", "inclusion",
          "consistency", "note", "rejects-tampering")

# A level-2 node and partial tiles at levels 0, 1 and 2, and earlier trees whose
# narrower partial tiles are served beside the final ones.
SIZE = 65536 + 700
SIZES = (1, 255, 256, 257, 1000, 65536, SIZE)
ORIGIN = "ceasefire.example/ledger"
SERVER, WITNESS = "ceasefire-monitor", "witness.example"
TIMESTAMP = 1765000000


@pytest.fixture(scope="session")
def tlog_check(tmp_path_factory: pytest.TempPathFactory) -> Path:
    go = shutil.which("go")
    if go is None:
        pytest.fail("go is not installed: scripts/system-deps.sh installs golang-go and "
                    "golang-golang-x-mod-dev")
    out = tmp_path_factory.mktemp("tlog_check")
    # Offline, from Debian's x/mod in GOPATH: no module proxy, no go.mod.
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": GOPATH, "GOFLAGS": "",
           "GOCACHE": str(out / "cache")}
    build = subprocess.run([go, "build", "-o", str(out / "tlog_check"),
                            str(HERE / "tlog_check.go")],
                           env=env, capture_output=True, text=True, timeout=600)
    if build.returncode:
        pytest.fail(f"go build tlog_check.go failed:\n{build.stdout}{build.stderr}")
    return out / "tlog_check"


def entry(i: int) -> bytes:
    if i == 3:  # the longest entry a bundle holds
        return b'{"pad":"' + b"x" * (65535 - 10) + b'"}'
    if i == 4:  # not ASCII
        return '{"place":"خان يونس","seq":4}'.encode()
    return json.dumps({"kind": "report", "seq": i}, separators=(",", ":")).encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ledger as a tile server would serve it, plus check.json for tlog_check."""
    root_dir = tmp_path_factory.mktemp("served")
    entries = [entry(i) for i in range(SIZE)]
    tree = MerkleTree()
    tree.extend(entries)
    for size in SIZES:  # each tree's tiles: full ones are shared, partial ones are not
        for tile in tiles_for(size):
            assert tile.level is not None
            write(root_dir / tile.path, hash_tile(tree, tile.level, tile.index, tile.width))
        for tile in entry_bundles_for(size):
            write(root_dir / tile.path, entry_bundle(entries[tile.leaves.start:tile.leaves.stop]))

    server_key, witness_key = SigningKey(b"\x01" * 32), SigningKey(b"\x02" * 32)
    text = note.checkpoint_text(ORIGIN, SIZE, tree.root())
    signed = note.add_signatures(note.sign(text, SERVER, server_key),
                                 [note.cosign(text, WITNESS, witness_key, TIMESTAMP)])
    inclusion = [(0, 1), (0, 256), (255, 256), (256, 257), (100, 1000), (12345, 65536),
                 (0, SIZE), (3, SIZE), (4, SIZE), (65535, SIZE), (65536, SIZE), (SIZE - 1, SIZE)]
    check = {
        "origin": ORIGIN,
        "size": SIZE,
        "root": b64(tree.root()),
        "checkpoints": [{"size": s, "root": b64(tree.root(s))} for s in SIZES[:-1]],
        "inclusion": [{"index": i, "size": n, "root": b64(tree.root(n)),
                       "proof": [b64(h) for h in tree.inclusion_proof(i, n)]}
                      for i, n in inclusion],
        "consistency": [{"old": m, "new": n, "old_root": b64(tree.root(m)),
                         "new_root": b64(tree.root(n)),
                         "proof": [b64(h) for h in tree.consistency_proof(m, n)]}
                        for n in SIZES for m in SIZES if m < n]
        + [{"old": SIZE - 1, "new": SIZE, "old_root": b64(tree.root(SIZE - 1)),
            "new_root": b64(tree.root()), "proof": [b64(h) for h in
                                                    tree.consistency_proof(SIZE - 1)]}],
        "note": signed,
        "vkey": note.vkey(SERVER, server_key.verify_key),
        "witnesses": [{"name": WITNESS, "public": b64(bytes(witness_key.verify_key)),
                       "timestamp": TIMESTAMP}],
    }
    (root_dir / "check.json").write_text(json.dumps(check))
    return root_dir


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def run(tlog_check: Path, directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(tlog_check), str(directory)], capture_output=True, text=True,
                          timeout=300)


def test_go_tlog_accepts_our_tiles_proofs_and_checkpoint(tlog_check, served):
    result = run(tlog_check, served)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for name in CHECKS:
        assert any(line.startswith(f"ok {name}: ") for line in lines), result.stdout
    assert not any(line.startswith("FAIL") for line in lines), result.stdout
    assert f"{SIZE} entries" in result.stdout  # every entry went through tlog


def flip_byte(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 1
    path.write_bytes(bytes(data))


def edit_check(directory: Path, change) -> None:
    check = json.loads((directory / "check.json").read_text())
    change(check)
    (directory / "check.json").write_text(json.dumps(check))


def wrong_root(check):
    check["root"] = check["checkpoints"][-1]["root"]


def forged_signature(check):
    body, _, last = check["note"].rstrip("\n").rpartition("\n")
    name, sig = last.rsplit(" ", 1)
    raw = bytearray(base64.b64decode(sig))
    raw[-1] ^= 1
    check["note"] = f"{body}\n{name} {b64(bytes(raw))}\n"


def bent_proof(check):
    proof = base64.b64decode(check["inclusion"][5]["proof"][0])
    check["inclusion"][5]["proof"][0] = b64(bytes([proof[0] ^ 1]) + proof[1:])


@pytest.mark.parametrize(("corrupt", "failing"), [
    (lambda d: flip_byte(d / "tile/0/001", 100), "tiles"),  # a leaf hash in a full tile
    (lambda d: flip_byte(d / "tile/1/000", 0), "tiles"),  # a level-1 hash
    (lambda d: flip_byte(d / "tile/2/000.p/1", 31), "tree-hash"),
    (lambda d: flip_byte(d / "tile/entries/100", 40), "tree-hash"),  # an entry
    (lambda d: edit_check(d, wrong_root), "tree-hash"),
    (lambda d: edit_check(d, bent_proof), "inclusion"),
    (lambda d: edit_check(d, forged_signature), "note"),
], ids=["leaf-tile", "level-1-tile", "level-2-tile", "entry", "root", "proof", "signature"])
def test_go_tlog_rejects_corrupted_input(tlog_check, served, tmp_path, corrupt, failing):
    directory = tmp_path / "served"
    shutil.copytree(served, directory)
    corrupt(directory)
    result = run(tlog_check, directory)
    assert result.returncode != 0, result.stdout
    assert f"FAIL {failing}: " in result.stdout, result.stdout


@pytest.mark.db
def test_go_tlog_accepts_the_served_ledger_as_its_witnesses_cosigned_it(
        tlog_check, database, syria_scenario, tmp_path):
    """Our server's own checkpoint, tiles and proofs as its API serves them, cosigned by
    three witness processes: what a guarantor's tools fetch, checked by Go."""
    load_scenario(database, syria_scenario)
    for n in range(300):  # past a full tile, so both full and partial ones are served
        create_account(database, party="UN", role="observer", username=f"observer{n}")
    settings = Settings(database_url=database.url.render_as_string(hide_password=False))
    with witnesses(database, tmp_path) as running, \
            TestClient(create_app(settings, database=database)) as client:
        with httpx2.Client() as http:
            made, failed = witnessing.round_of(database, database.witnesses, http)
        assert failed == {}
        signed = client.get("/checkpoint").text
        size, root = made.size, made.root
        served = tmp_path / "served"
        for tile in [*tiles_for(size), *entry_bundles_for(size)]:
            answer = client.get("/" + tile.path)
            assert answer.status_code == 200, (tile.path, answer.text)
            write(served / tile.path, answer.content)
        earlier = [1, 256, size - 1]
        for m in earlier:  # a narrower partial tile, as a client holding m would ask
            for tile in [*tiles_for(m), *entry_bundles_for(m)]:
                write(served / tile.path, client.get("/" + tile.path).content)

        def proof(path: str, **params: int) -> dict:
            answer = client.get(f"/api/v1/ledger/proofs/{path}", params=params)
            assert answer.status_code == 200, answer.text
            return answer.json()

        roots = {m: bytes.fromhex(proof("consistency", first=m, second=size)["first_root"])
                 for m in earlier}
        cosigned = witnessing.cosigned(database, database.witnesses, size).cosignatures
        assert [w.name for w, _, _ in cosigned] == [w.key.name for w in running]
        check = {
            "origin": database.origin, "size": size, "root": b64(root),
            "checkpoints": [{"size": m, "root": b64(roots[m])} for m in earlier],
            "inclusion": [{"index": i - 1, "size": size, "root": b64(root),
                           "proof": [b64(bytes.fromhex(h)) for h in
                                     proof("inclusion", seq=i, size=size)["proof"]]}
                          for i in (1, 2, 256, 257, size)],
            "consistency": [{"old": m, "new": size, "old_root": b64(roots[m]),
                             "new_root": b64(root),
                             "proof": [b64(bytes.fromhex(h)) for h in
                                       proof("consistency", first=m, second=size)["proof"]]}
                            for m in earlier],
            "note": signed,
            "vkey": ledger.log_vkeys(database)[0],
            "witnesses": [{"name": w.name, "public": b64(bytes(w.key)),
                           "timestamp": int(at.timestamp())} for w, _, at in cosigned],
        }
    (served / "check.json").write_text(json.dumps(check))
    result = run(tlog_check, served)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cosigned by 3 witnesses" in result.stdout, result.stdout
