"""The add-checkpoint exchange of c2sp.org/tlog-witness, as pure functions: read a request
body, check the checkpoint's signature against the log's keys, and decide the answer from
what the witness holds. No I/O: the caller reads the state, keeps what `decide` says to
keep, and cosigns.

The answers, in the order the spec checks them: 400 a malformed body (or an old size above
the checkpoint's); 404 an origin with no configured key; 403 no signature by one of the
log's keys; 409 an old size other than the size last cosigned (the body says it), or the
size last cosigned with another root; 422 a consistency proof that does not verify.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nacl.signing import VerifyKey

from ceasefire.errors import CeasefireError, Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.ledger import note
from ceasefire.ledger.merkle import verify_consistency
from ceasefire.ledger.note import CheckpointText, Signature

MAX_PROOF = 63  # consistency proof lines a client may send
MAX_SIZE = 2**63 - 1  # a tree size, as Go's int64 holds it
_SIZE = re.compile(r"0|[1-9][0-9]{0,18}")  # at most 19 digits: no int() of a megabyte


class Malformed(CeasefireError):
    code = "malformed"
    http_status = 400


class UnknownLog(NotFound):
    code = "unknown_log"


class NotSignedByLog(Forbidden):
    code = "not_signed_by_log"


class SizeConflict(Conflict):
    """The old size is not the size last cosigned (or that size comes with another root):
    `size` is the one the witness holds, which the answer's body says."""

    code = "size_conflict"

    def __init__(self, message: str, *, size: int) -> None:
        super().__init__(message, field="old")
        self.size = size


class Inconsistent(InvalidInput):
    code = "inconsistent"


@dataclass(frozen=True, slots=True)
class Request:
    old: int
    proof: tuple[bytes, ...]
    note: str  # the signed checkpoint, as sent
    text: str  # its text, what is cosigned
    checkpoint: CheckpointText
    signatures: tuple[Signature, ...]


@dataclass(frozen=True, slots=True)
class Held:
    """A checkpoint the witness accepted: the signed note, as the log sent it."""

    note: str
    checkpoint: CheckpointText

    @property
    def size(self) -> int:
        return self.checkpoint.size

    @property
    def root(self) -> bytes:
        return self.checkpoint.root


def held(signed: str) -> Held:
    """A kept note read back (NoteError if it is not a signed checkpoint)."""
    text, _ = note.open_note(signed)
    return Held(signed, note.parse_checkpoint(text))


@dataclass(frozen=True, slots=True)
class Evidence:
    """Two checkpoints, both signed by the log, that cannot both be honest views of it (or,
    `kind` "unproven", a proof from one to the other that does not verify)."""

    kind: str  # "split-view", "rollback" or "unproven"
    reason: str
    origin: str
    held: str  # the note the witness accepted
    offered: str  # the note offered against it
    old: int
    proof: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What to answer (`refusal`, or None: cosign), whether the offered checkpoint becomes
    the one held, and the evidence to keep, if any."""

    refusal: CeasefireError | None
    advance: bool = False
    evidence: Evidence | None = None


def parse_request(body: bytes) -> Request:
    """The request body: "old N", proof lines, an empty line, the signed checkpoint."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("the body is not UTF-8") from None
    head, sep, signed = text.partition("\n\n")
    if not sep:
        raise Malformed("no empty line ends the old size and the proof")
    first, *lines = head.split("\n")
    size = first.removeprefix("old ")
    if size == first or not _SIZE.fullmatch(size) or int(size) > MAX_SIZE:
        raise Malformed(f"the first line is 'old <size>', not {first[:40]!r}", line=1)
    if len(lines) > MAX_PROOF:
        raise Malformed(f"a proof has at most {MAX_PROOF} lines, not {len(lines)}")
    proof = tuple(_hash(line, n) for n, line in enumerate(lines, 2))
    try:
        cp_text, signatures = note.open_note(signed)
        checkpoint = note.parse_checkpoint(cp_text)
    except note.NoteError as exc:
        raise Malformed(f"not a signed checkpoint: {exc}", field="checkpoint") from None
    return Request(int(size), proof, signed, cp_text, checkpoint, tuple(signatures))


def _hash(line: str, n: int) -> bytes:
    try:
        raw = base64.b64decode(line, validate=True)
    except binascii.Error:
        raw = b""
    if len(raw) != 32:
        raise Malformed("a proof line is a 32-byte hash in base64", line=n)
    return raw


def check_signed(request: Request, logs: Mapping[str, Sequence[VerifyKey]]) -> None:
    """UnknownLog if no key is configured for the origin, NotSignedByLog if none of the
    note's signatures is by one of them (signatures by other keys are ignored)."""
    origin = request.checkpoint.origin
    keys = logs.get(origin)
    if not keys:
        raise UnknownLog(f"no log with origin {origin[:100]!r} is witnessed here",
                         field="origin")
    if not any(note.signed_by(request.text, s, origin, k)
               for s in request.signatures for k in keys):
        raise NotSignedByLog(f"the checkpoint is not signed by a key of {origin}",
                             field="checkpoint")


def decide(request: Request, *, latest: Held | None, earlier: Held | None = None) -> Outcome:
    """The answer to a request whose checkpoint the log signed (`check_signed`), given the
    latest checkpoint cosigned for its origin and, when the offered one is smaller, the one
    accepted earlier at the offered size (if kept)."""
    offered = request.checkpoint
    size = latest.size if latest is not None else 0
    evidence = _conflict(request, latest, earlier)
    if request.old > offered.size:
        return Outcome(Malformed(f"the old size {request.old} is above the checkpoint's "
                                 f"{offered.size}", field="old"), evidence=evidence)
    if request.old != size:
        return Outcome(SizeConflict(f"the witness holds size {size}, not {request.old}",
                                    size=size), evidence=evidence)
    if latest is not None and offered.size == size:
        if offered.root != latest.root:
            return Outcome(SizeConflict(f"the witness holds another root for size {size}",
                                        size=size), evidence=evidence)
        if request.proof:
            return Outcome(Inconsistent("a proof from a size to itself is empty",
                                        field="proof"))
        return Outcome(None)  # the same checkpoint again: cosigned again
    if size == 0:
        if request.proof:
            return Outcome(Malformed("a proof from size 0 is empty", field="proof"))
        return Outcome(None, advance=True)
    assert latest is not None  # size > 0
    if not verify_consistency(size, offered.size, latest.root, offered.root, request.proof):
        reason = (f"the proof from size {size} to {offered.size} does not verify against "
                  f"the root held for size {size}")
        return Outcome(Inconsistent(reason, field="proof"), evidence=Evidence(
            "unproven", reason, offered.origin, latest.note, request.note, request.old,
            request.proof))
    return Outcome(None, advance=True)


def _conflict(request: Request, latest: Held | None, earlier: Held | None) -> Evidence | None:
    """Evidence when the offered checkpoint has a size the witness accepted before with
    another root: the log signed two trees of one size."""
    offered = request.checkpoint
    for kept, kind in ((latest, "split-view"), (earlier, "rollback")):
        if kept is not None and kept.size == offered.size and kept.root != offered.root:
            reason = (f"the log signed two roots for size {offered.size}: "
                      f"{_b64(kept.root)} accepted before, {_b64(offered.root)} offered")
            return Evidence(kind, reason, offered.origin, kept.note, request.note,
                            request.old, request.proof)
    return None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
