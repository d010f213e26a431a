"""A witness's state on disk, one directory per witness:

    <state>/lock                      taken (flock) while a request reads and advances a log
    <state>/checkpoints/<log>.note    the latest checkpoint cosigned for each log: the signed
                                      note as the log sent it (its size and root say the rest)
    <state>/history/<log>.jsonl       every checkpoint accepted for the log, a JSON line each
                                      ({"size", "root", "note"}), so that a smaller checkpoint
                                      with another root is caught too
    <state>/evidence/<kind>-<log>-<size>-<digest>.json
                                      two checkpoints signed by the log that conflict, the
                                      proof offered, and why

<log> is the origin made safe for a file name, with a digest of it. Every file is written
whole (a temporary file, fsync, os.replace, fsync of the directory), the history appended
and synced before the latest checkpoint moves, so a witness killed at any point restarts on
what it last cosigned.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ceasefire.errors import InvalidInput, StorageUnavailable
from ceasefire.ledger.note import NoteError
from ceasefire.store import durable
from ceasefire.witness.protocol import Evidence, Held, held

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def log_file_name(origin: str) -> str:
    """A file name for a log: its origin made safe, and a digest that keeps origins apart."""
    digest = hashlib.sha256(origin.encode()).hexdigest()[:16]
    return f"{_UNSAFE.sub('_', origin)[:80].strip('.')}-{digest}"


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    name: str
    kind: str
    reason: str
    origin: str


class WitnessState:
    def __init__(self, root: Path, *, create: bool = True) -> None:
        """The state directory `root`; with `create`, made if need be and checked writable
        (InvalidInput otherwise), without, it must exist."""
        self.root = root
        self._checkpoints = root / "checkpoints"
        self._history = root / "history"
        self._evidence = root / "evidence"
        if create:
            self._prepare()
        elif not root.is_dir():
            raise InvalidInput(f"{root} is not a witness state directory", field="state")

    def _prepare(self) -> None:
        try:
            for folder in (self.root, self._checkpoints, self._history, self._evidence):
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                probe = folder / f".probe-{secrets.token_hex(4)}"
                probe.write_bytes(b"")
                probe.unlink()
        except OSError as exc:
            raise InvalidInput(f"the state directory {self.root} is not writable: "
                               f"{exc.strerror or exc}", field="state") from None

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Held while a request reads what it holds and advances it: by one request at a
        time, across threads and processes."""
        fd = os.open(self.root / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    # -- what it holds ---------------------------------------------------------------------

    def latest(self, origin: str) -> Held | None:
        """The latest checkpoint cosigned for the log, if any."""
        return self._read_held(self._checkpoints / f"{log_file_name(origin)}.note")

    def accepted(self, origin: str, size: int) -> Held | None:
        """The checkpoint of that size accepted for the log earlier, if it was."""
        path = self._history / f"{log_file_name(origin)}.jsonl"
        try:
            with path.open(encoding="utf-8") as f:
                for line in f:
                    record = _record(line)
                    if record is not None and record.get("size") == size:
                        with contextlib.suppress(NoteError, TypeError):
                            return held(record["note"])
        except FileNotFoundError:
            return None
        return None

    def logs(self) -> list[Held]:
        """The latest checkpoint of every log cosigned, by origin."""
        found = [self._read_held(p) for p in sorted(self._checkpoints.glob("*.note"))]
        return sorted((h for h in found if h is not None), key=lambda h: h.checkpoint.origin)

    def _read_held(self, path: Path) -> Held | None:
        try:
            signed = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return held(signed)
        except NoteError as exc:  # written whole, so only a hand could do this
            raise StorageUnavailable(f"{path} is not a signed checkpoint: {exc}") from None

    # -- changing it -----------------------------------------------------------------------

    def advance(self, accepted: Held) -> None:
        """Make `accepted` the latest checkpoint of its log (call it with the lock held)."""
        name = log_file_name(accepted.checkpoint.origin)
        record = {"size": accepted.size, "root": base64.b64encode(accepted.root).decode(),
                  "note": accepted.note}
        _append(self._history / f"{name}.jsonl", json.dumps(record) + "\n")
        durable.replace(self._checkpoints / f"{name}.note", accepted.note.encode())

    def keep(self, evidence: Evidence) -> Path:
        """Write the evidence, once: the same conflict offered again is the same file."""
        proof = [base64.b64encode(h).decode() for h in evidence.proof]
        # Two notes of one size make the evidence; a proof that fails is part of its own.
        said = [evidence.kind, evidence.held, evidence.offered,
                *([evidence.old, proof] if evidence.kind == "unproven" else [])]
        digest = hashlib.sha256(json.dumps(said).encode())
        offered = held(evidence.offered)
        path = self._evidence / (f"{evidence.kind}-{log_file_name(evidence.origin)}-"
                                 f"{offered.size}-{digest.hexdigest()[:16]}.json")
        if not path.exists():
            body = {"kind": evidence.kind, "reason": evidence.reason,
                    "origin": evidence.origin, "held": evidence.held,
                    "offered": evidence.offered, "old": evidence.old, "proof": proof,
                    "received_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            durable.replace(path, json.dumps(body, indent=2).encode() + b"\n")
        return path

    def evidence(self) -> list[EvidenceFile]:
        files = []
        for path in sorted(self._evidence.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                files.append(EvidenceFile(path.name, str(data["kind"]), str(data["reason"]),
                                          str(data["origin"])))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                files.append(EvidenceFile(path.name, "unreadable", str(exc), ""))
        return files


def _record(line: str) -> dict[str, Any] | None:
    """A history line, or None for one a crash cut short."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _append(path: Path, line: str) -> None:
    """Add a line to `path`, durably; a line a crash cut short is ended first."""
    with path.open("a+b") as f:
        f.seek(0, os.SEEK_END)
        if f.tell():
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                f.write(b"\n")
        f.write(line.encode())
        f.flush()
        os.fsync(f.fileno())
    durable.sync_directory(path.parent)

