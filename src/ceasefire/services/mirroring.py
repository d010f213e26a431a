"""A guarantor's mirror of the log: a copy of the ledger, fetched as C2SP tlog-tiles
(`/checkpoint`, `/tile/0/<N>`, `/tile/entries/<N>`, `/writes/<N>`) and verified entry by
entry before it is kept, so that the guarantor holds the record whatever the server does
to it later.

The directory is a ledger export (`entries.jsonl`, `writes.jsonl`, `keys.json`,
`checkpoints.jsonl`: `ceasefire ledger verify --offline DIR` checks it) plus the mirror's
own state (`mirror.json`: the log's origin, the size and root last verified, the trust
root, the checkpoint, and the SHA-256 of each file as written).

Each pass:
1. fetches the checkpoint; it may not be smaller than what is mirrored, and the log's
   level-0 tiles (its leaf hashes) must still hold, in their places, the entries the
   mirror holds: the first that differs is named as rewritten;
2. fetches the entry bundles and the written records of the new range only, each entry's
   hash held to the tile's, and replays the whole ledger (the mirror's entries and the
   new ones) through the same audit as `ledger verify --offline`: the chain, signatures
   by keys the entries trust, who may sign what, each entry's written records; then the
   checkpoint: signed by the key that was the server's at its size, its root the root of
   those entries;
3. only when all holds, writes the files: each to a temporary file, then all renamed in
   place under a journal, so a pass killed at any point leaves the mirror as it was before
   or as it is after, never between; the next pass completes a journal it finds.
On a fault nothing is written: the mirror as it stood is the evidence.

Keys are trusted only through the entries (`ledger/trust.py`); the log's key list is not
read. Witnesses' cosignatures in the checkpoint are kept as served, not checked here (the
mirror does not hold the witnesses' keys).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2

from ceasefire.errors import CeasefireError, InvalidInput, StorageUnavailable
from ceasefire.ledger import tiles
from ceasefire.ledger.audit import Audit
from ceasefire.ledger.checkpoints import (
    Checkpoint,
    checkpoint_json,
    checkpoint_of,
    checkpoint_of_note,
    signer_among,
)
from ceasefire.ledger.entries import Entry
from ceasefire.ledger.merkle import leaf_hash
from ceasefire.ledger.trust import Trust
from ceasefire.services.ledger_checks import (
    CHECKPOINTS,
    ENTRIES,
    KEYS,
    WRITES,
    _entry_of,
    _grouped,
    _replay,
)
from ceasefire.store import durable

STATE = "mirror.json"  # the mirror's own state; written last
JOURNAL = ".mirror.journal"  # the renames of a pass being committed
LOCK = ".mirror.lock"  # flock'd by a pass, so two never interleave
TIMEOUT = 30.0  # seconds the log has for one request
FILES = (ENTRIES, WRITES, KEYS, CHECKPOINTS, STATE)  # in the order they are renamed

WriteRow = tuple[int, str, str, str | None]  # seq, kind, key, digest (as writes.jsonl)


class MirrorError(CeasefireError):
    """A pass that did not complete; nothing was written."""

    code = "mirror_failed"
    http_status = 502


class Unreachable(MirrorError):
    """The log did not answer (down, a network fault, a server error): try again later."""

    code = "log_unreachable"
    http_status = 503


class MirrorFault(MirrorError):
    """What the log serves does not hold: a rewritten or removed entry, a tile or bundle
    that does not match, a signature that does not verify. The mirror is kept as it was."""

    code = "mirror_fault"
    http_status = 409


@dataclass(frozen=True)
class MirrorResult:
    directory: Path
    origin: str
    size: int  # entries mirrored now
    previous: int  # entries mirrored before this pass
    verified: int  # entries verified this pass: every one mirrored (the replay is whole)
    root: bytes  # the Merkle root of the entries mirrored, as the checkpoint signs it
    checkpoint: Checkpoint  # the log's checkpoint verified, its signer resolved

    @property
    def fetched(self) -> int:
        """Entries fetched by this pass: the new range."""
        return self.size - self.previous


def mirror(base_url: str, directory: Path, *, client: httpx2.Client | None = None,
           ) -> MirrorResult:
    """Bring the mirror in `directory` (made if need be) up to the log at `base_url`'s
    checkpoint, verifying everything first; MirrorFault names what does not hold, and
    leaves the directory as it was."""
    own = client is None
    http = client if client is not None else httpx2.Client(timeout=TIMEOUT,
                                                           follow_redirects=True)
    try:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _cannot_write(directory, exc) from exc
        with _locked(directory):
            return _pass(_Log(http, base_url.rstrip("/")), directory)
    finally:
        if own:
            http.close()


# -- the log ----------------------------------------------------------------------------------

class _Log:
    def __init__(self, http: httpx2.Client, base: str) -> None:
        self.http, self.base = http, base

    def get(self, path: str) -> bytes:
        url = f"{self.base}/{path}"
        try:
            answer = self.http.get(url)
        except httpx2.HTTPError as exc:
            raise Unreachable(f"cannot fetch it: {exc}", source=url) from None
        if answer.status_code >= 500:
            raise Unreachable(f"the log answered {answer.status_code}", source=url)
        if answer.status_code != 200:
            raise MirrorFault(f"the log answered {answer.status_code}: "
                              f"{answer.text[:200].strip()}", source=url)
        return answer.content

    def checkpoint(self) -> Checkpoint:
        raw = self.get("checkpoint")
        try:
            return checkpoint_of_note(raw.decode())
        except (UnicodeDecodeError, InvalidInput) as exc:
            raise MirrorFault(f"the log's checkpoint is not a signed note: {exc}",
                              source=f"{self.base}/checkpoint") from None

    def leaf_hashes(self, size: int) -> list[bytes]:
        """The log's leaf hashes 0..size-1, from its level-0 tiles."""
        found: list[bytes] = []
        for tile in tiles.tiles_for(size):
            if tile.level != 0:
                continue
            data = self.get(tile.path)
            if len(data) != tile.width * tiles.HASH_SIZE:
                raise MirrorFault(f"{tile.path} is {len(data)} bytes, not the "
                                  f"{tile.width * tiles.HASH_SIZE} of {tile.width} hashes",
                                  source=f"{self.base}/{tile.path}")
            found += [data[i:i + tiles.HASH_SIZE] for i in range(0, len(data),
                                                                  tiles.HASH_SIZE)]
        return found

    def bundle(self, tile: tiles.Tile) -> tuple[list[bytes], list[WriteRow]]:
        """The entries of an entry bundle and the records they wrote."""
        source = f"{self.base}/{tile.path}"
        try:
            entries = tiles.read_entry_bundle(self.get(tile.path), tile.width)
        except ValueError as exc:
            raise MirrorFault(f"{tile.path} is not a bundle of {tile.width} entries: {exc}",
                              source=source) from None
        path = "writes/" + tile.path.removeprefix("tile/entries/")
        rows = [_write_row(line, path, number, tile.leaves) for number, line in
                enumerate(self.get(path).splitlines(), 1) if line.strip()]
        return entries, rows


def _write_row(line: bytes, source: str, number: int, within: range) -> WriteRow:
    try:
        seq, kind, key, digest = json.loads(line)
        if (type(seq) is not int or not isinstance(kind, str) or not isinstance(key, str)
                or not (digest is None or isinstance(digest, str))):
            raise ValueError("not [seq, kind, key, digest]")
    except (ValueError, TypeError) as exc:
        raise MirrorFault(f"line {number} is not a written record: {exc}", source=source,
                          line=number) from None
    if seq - 1 not in within:
        raise MirrorFault(f"line {number} lists a record of entry {seq}, which the bundle "
                          "does not hold", source=source, line=number)
    return seq, kind, key, digest


# -- a pass -----------------------------------------------------------------------------------

@dataclass
class _Held:
    """The mirror as the last pass left it."""

    state: dict[str, Any]
    entries: list[bytes]  # the leaves, as entries.jsonl holds them
    writes: list[WriteRow]
    checkpoints: list[str]  # checkpoints.jsonl's lines

    @property
    def size(self) -> int:
        return len(self.entries)


def _pass(log: _Log, directory: Path) -> MirrorResult:
    _finish(directory)  # a pass killed while renaming: complete it
    held = _held(directory)
    previous = held.size if held is not None else 0
    checkpoint = log.checkpoint()
    origin = checkpoint.origin or ""
    where = f"{log.base}/checkpoint"
    if held is not None and held.state.get("origin") != origin:
        raise MirrorFault(f"the log's origin is {origin!r}; this mirror is of "
                          f"{held.state.get('origin')!r}", source=where)
    size = checkpoint.size
    if size < previous:
        raise MirrorFault(f"the log's checkpoint is of {size} entries, but {previous} are "
                          f"mirrored: entries {size + 1}..{previous} were removed",
                          source=where)

    # 1. The log still holds, in its place, every entry mirrored.
    hashes = log.leaf_hashes(size)
    if held is not None:
        for i, line in enumerate(held.entries):
            if leaf_hash(line) != hashes[i]:
                raise MirrorFault(f"entry {i + 1} was rewritten: the log now serves another "
                                  f"entry at {i + 1} than the one mirrored (the mirror in "
                                  f"{directory} is kept as it was)",
                                  source=f"{log.base}/{_tile_of(i, size)}")

    # 2. The new range: each entry the hash its tile gives, then the whole ledger replayed.
    new: list[bytes] = []
    new_writes: list[WriteRow] = []
    for bundle in tiles.entry_bundles_for(size)[previous // tiles.WIDTH:]:
        if bundle.leaves.stop <= previous:  # nothing new in it: no growth since
            continue
        bundled, rows = log.bundle(bundle)
        for i, leaf in zip(bundle.leaves, bundled, strict=True):
            if leaf_hash(leaf) != hashes[i]:
                raise MirrorFault(f"the log's tiles and entries disagree at entry {i + 1}: "
                                  f"{bundle.path} holds another entry than {_tile_of(i, size)} "
                                  "hashes", source=f"{log.base}/{bundle.path}")
            if i >= previous:
                new.append(_canonical(leaf, i + 1, f"{log.base}/{bundle.path}"))
        new_writes += sorted(r for r in rows if r[0] > previous)
    leaves = [*(held.entries if held is not None else []), *new]
    writes = [*(held.writes if held is not None else []), *new_writes]
    entries = [_entry_of(line, n) for n, line in enumerate(leaves, 1)]
    pinned = held.state.get("trust") if held is not None else None
    audit = Audit(Trust(pinned))
    _replay(audit, ((e, None) for e in entries), _grouped(iter(writes)))
    kept = [checkpoint_of(json.loads(line)) for line in
            (held.checkpoints if held is not None else [])]
    for c in kept:
        audit.check_checkpoint(c)
    audit.check_checkpoint(checkpoint)
    problem = audit.first_problem()
    if problem is not None:
        raise MirrorFault(f"the log does not verify: {problem}", source=log.base)

    # 3. All holds: the files, whole.
    signed = replace(signer_among(checkpoint, {kid: h.key for kid, h in
                                               audit.trust.keys.items() if h.party is None}),
                     at=datetime.now(UTC), trust=audit.trust.root)
    keys = _keys(audit, entries)
    lines = list(held.checkpoints) if held is not None else []
    if not any(_same(c, signed) for c in kept):
        lines.append(json.dumps(checkpoint_json(signed)))
    root = audit.tree.root()
    files = {
        ENTRIES: b"".join(line + b"\n" for line in leaves),
        WRITES: "".join(json.dumps(list(row)) + "\n" for row in writes).encode(),
        KEYS: (json.dumps(keys, indent=2) + "\n").encode(),
        CHECKPOINTS: "".join(line + "\n" for line in lines).encode(),
    }
    state = {"origin": origin, "log": log.base, "size": size, "root": root.hex(),
             "trust": audit.trust.root, "checkpoint": checkpoint.note,
             "at": datetime.now(UTC).isoformat(),
             "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}}
    files[STATE] = (json.dumps(state, indent=2) + "\n").encode()
    _commit(directory, files)
    return MirrorResult(directory, origin, size, previous, audit.size, root, signed)


def _tile_of(index: int, size: int) -> str:
    """The level-0 tile of a tree of `size` leaves that holds leaf `index`."""
    n = index // tiles.WIDTH
    return tiles.tile_path(0, n, min(tiles.WIDTH, size - n * tiles.WIDTH))


def _canonical(leaf: bytes, seq: int, source: str) -> bytes:
    """The entry as signed; refused unless it is its own canonical JSON (the leaf the
    chain and the tree hash)."""
    try:
        entry = _entry_of(leaf, seq)
    except InvalidInput as exc:
        raise MirrorFault(f"entry {seq} is not a ledger entry: {exc.message}",
                          source=source) from None
    if entry.leaf() != leaf:
        raise MirrorFault(f"entry {seq} is not served as the canonical JSON of the entry "
                          "as signed", source=source)
    return leaf


def _same(a: Checkpoint, b: Checkpoint) -> bool:
    return (a.size, a.root, a.signer, a.signature) == (b.size, b.root, b.signer, b.signature)


def _keys(audit: Audit, entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """keys.json as `ledger export` writes it (services.ledger.public_keys), from the keys
    the entries registered: when (the registering entry's time), whose, and status now."""
    found = [{"key_id": kid, "party": h.party, "public": bytes(h.key).hex(),
              "created_at": entries[h.registered - 1].at.isoformat(), "status": h.status}
             for kid, h in audit.trust.keys.items()]
    return sorted(found, key=lambda k: (k["created_at"], k["key_id"]))


# -- the directory ----------------------------------------------------------------------------

def _cannot_write(directory: Path, exc: OSError) -> StorageUnavailable:
    return StorageUnavailable(f"cannot write the mirror: {exc.strerror or exc}",
                              source=str(directory))


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    try:
        fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _cannot_write(directory, exc) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MirrorError("another mirror pass is running on this directory",
                              source=str(directory)) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def _held(directory: Path) -> _Held | None:
    """The mirror in `directory`, each file as the last pass wrote it; None if there is
    none yet (an empty or new directory)."""
    state_path = directory / STATE
    if not state_path.exists():
        there = [name for name in (ENTRIES, WRITES, KEYS, CHECKPOINTS)
                 if (directory / name).exists()]
        if there:
            raise InvalidInput(f"{directory} holds {', '.join(there)} but no {STATE}: it is "
                               "not a mirror; name an empty or new directory", field="DIR")
        return None
    try:
        state = json.loads(state_path.read_bytes())
        digests = state["files"]
        size = int(state["size"])
        if not isinstance(digests, dict):
            raise TypeError("its files are not listed")
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise MirrorError(f"{STATE} is not a mirror's state: {exc}",
                          source=str(directory)) from None
    data: dict[str, bytes] = {}
    for name in (ENTRIES, WRITES, KEYS, CHECKPOINTS):
        try:
            data[name] = (directory / name).read_bytes()
        except OSError as exc:
            raise MirrorError(f"cannot read {name}: {exc.strerror or exc}",
                              source=str(directory)) from None
        if hashlib.sha256(data[name]).hexdigest() != digests.get(name):
            raise MirrorError(f"{name} is not as this mirror last wrote it: it was changed "
                              "outside the mirror (`ledger verify --offline` says how)",
                              source=str(directory))
    entries = data[ENTRIES].splitlines()
    if len(entries) != size:
        raise MirrorError(f"{ENTRIES} holds {len(entries)} entries; {STATE} says {size}",
                          source=str(directory))
    writes: list[WriteRow] = []
    for line in data[WRITES].splitlines():
        seq, kind, key, digest = json.loads(line)
        writes.append((int(seq), kind, key, digest))
    return _Held(state, entries, writes, data[CHECKPOINTS].decode().splitlines())


def _commit(directory: Path, files: dict[str, bytes]) -> None:
    """Replace the files whole: each written to a temporary file and synced; then the
    journal naming them (the commit: renamed into place, atomically); then the renames.
    A pass killed before the journal leaves the mirror as it was; one killed after it is
    completed by the next (`_finish`)."""
    token = secrets.token_hex(6)
    staged: dict[str, str] = {}
    try:
        for name in FILES:
            staged[name] = f".{name}.{token}.new"
            durable.write_new(directory / staged[name], files[name])
        durable.write_new(directory / f"{JOURNAL}.{token}.new",
                          json.dumps({"renames": staged}).encode())
        os.replace(directory / f"{JOURNAL}.{token}.new", directory / JOURNAL)
    except BaseException as exc:
        for name in [*staged.values(), f"{JOURNAL}.{token}.new"]:
            with contextlib.suppress(OSError):
                (directory / name).unlink()
        if isinstance(exc, OSError):
            raise _cannot_write(directory, exc) from exc
        raise
    durable.sync_directory(directory)
    _finish(directory)


def _finish(directory: Path) -> None:
    """Complete the renames a journal names (a pass's commit), then drop the journal and
    any temporary file a pass killed before its commit left."""
    journal = directory / JOURNAL
    try:
        if journal.exists():
            renames = json.loads(journal.read_bytes())["renames"]
            for name in FILES:  # the state last
                staged = directory / renames[name]
                if staged.exists():
                    os.replace(staged, directory / name)
            durable.sync_directory(directory)
            journal.unlink()
        for left in directory.glob(".*.new"):
            left.unlink()
        durable.sync_directory(directory)
    except OSError as exc:
        raise _cannot_write(directory, exc) from exc

