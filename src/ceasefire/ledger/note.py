"""C2SP signed notes, checkpoints and cosignatures: the open formats witnesses and
transparency-log tools speak (c2sp.org/signed-note, tlog-checkpoint, tlog-cosignature).

A signed note is text ending in a newline, a blank line, then one line per signature:
"— <name> <base64(key id ‖ signature)>". Key ids are the first four bytes of a SHA-256
over the key's name and type, so a verifier picks the signature it can check by name and
id and ignores the rest.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

ED25519 = 0x01  # signed-note signature type: plain Ed25519 over the note's text
COSIGNATURE_V1 = 0x04  # tlog-cosignature/v1: Ed25519 over a timestamped checkpoint
_DASH = "\u2014 "  # an em dash and a space start every signature line
_NAME = re.compile(r"[^\s+]+")  # no whitespace, no plus: the vkey format splits on "+"
_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")


class NoteError(ValueError):
    """A note, checkpoint or key that is not well formed."""


def key_id(name: str, public: bytes, kind: int = ED25519) -> bytes:
    _check_name(name)
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:4]


def vkey(name: str, key: VerifyKey) -> str:
    """The verifier key as Go's sumdb/note and the C2SP tools write it."""
    public = bytes(key)
    return (f"{name}+{key_id(name, public).hex()}+"
            f"{base64.b64encode(bytes([ED25519]) + public).decode()}")


def parse_vkey(text: str) -> tuple[str, VerifyKey]:
    parts = text.strip().split("+", 2)  # base64 has "+" of its own
    try:
        name, kid, encoded = parts
        raw = base64.b64decode(encoded, validate=True)
        _check_name(name)
        if len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("not an Ed25519 key")
        if key_id(name, raw[1:]).hex() != kid:
            raise NoteError("its key id does not match its key")
    except (ValueError, binascii.Error) as exc:
        raise NoteError(f"not a verifier key (name+keyid+key): {exc}") from None
    return name, VerifyKey(raw[1:])


@dataclass(frozen=True, slots=True)
class Signature:
    name: str
    key_id: bytes  # 4 bytes
    data: bytes  # what follows the key id

    def line(self) -> str:
        return f"{_DASH}{self.name} {base64.b64encode(self.key_id + self.data).decode()}\n"


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise NoteError(f"a key name has no spaces or '+': {name!r}")


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text or text.startswith("\n"):
        raise NoteError("a note's text ends in one newline and has no blank line")


def sign(text: str, name: str, key: SigningKey) -> str:
    """`text` as a signed note with one Ed25519 signature by `name`."""
    _check_text(text)
    sig = key.sign(text.encode()).signature
    return text + "\n" + Signature(name, key_id(name, bytes(key.verify_key)), sig).line()


def open_note(note: str) -> tuple[str, list[Signature]]:
    """The text and the signatures of a signed note; NoteError if it is not one."""
    text, sep, block = note.rpartition("\n\n")
    if not sep or not block.endswith("\n"):
        raise NoteError("a signed note is its text, a blank line, and signature lines")
    text += "\n"
    _check_text(text)
    return text, [signature_line(line) for line in block[:-1].split("\n")]


def signature_line(line: str) -> Signature:
    line = line.removesuffix("\n")
    if not line.startswith(_DASH):
        raise NoteError(f"not a signature line: {line[:60]!r}")
    name, _, encoded = line[len(_DASH):].partition(" ")
    _check_name(name)
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise NoteError(f"the signature of {name} is not base64") from None
    if len(raw) < 5:
        raise NoteError(f"the signature of {name} is too short")
    return Signature(name, raw[:4], raw[4:])


def add_signatures(note: str, lines: Sequence[str]) -> str:
    """The note with more signature lines (each checked to be one), none twice."""
    text, have = open_note(note)
    for signature in map(signature_line, lines):
        if signature not in have:
            have.append(signature)
    return text + "\n" + "".join(s.line() for s in have)


def signed_by(text: str, signature: Signature, name: str, key: VerifyKey) -> bool:
    """Whether `signature` is `name`'s Ed25519 signature of the note's text."""
    if signature.name != name or signature.key_id != key_id(name, bytes(key)):
        return False
    try:
        key.verify(text.encode(), signature.data)
    except (BadSignatureError, ValueError):
        return False
    return True


# -- checkpoints ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CheckpointText:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


def checkpoint_text(origin: str, size: int, root: bytes, extensions: Sequence[str] = ()) -> str:
    if not origin or "\n" in origin or len(root) != 32 or size < 0:
        raise NoteError("a checkpoint has an origin line, a size and a 32-byte root")
    if any(not e or "\n" in e for e in extensions):
        raise NoteError("a checkpoint's extension lines are not empty")
    return "".join(f"{line}\n" for line in
                   (origin, str(size), base64.b64encode(root).decode(), *extensions))


def parse_checkpoint(text: str) -> CheckpointText:
    _check_text(text)
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("a checkpoint has an origin line, a size and a root")
    origin, size, root, *extensions = lines
    if not _SIZE.fullmatch(size):
        raise NoteError(f"a checkpoint's size is a decimal number, not {size[:30]!r}")
    try:
        raw = base64.b64decode(root, validate=True)
    except binascii.Error:
        raw = b""
    if len(raw) != 32:
        raise NoteError("a checkpoint's root is 32 bytes in base64")
    return CheckpointText(origin, int(size), raw, tuple(extensions))


# -- cosignatures (c2sp.org/tlog-cosignature) ----------------------------------------------

def cosignature_id(name: str, key: VerifyKey) -> bytes:
    return key_id(name, bytes(key), COSIGNATURE_V1)


def _cosigned_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def cosign(text: str, name: str, key: SigningKey, timestamp: int) -> str:
    """A witness's cosignature line for a checkpoint's text, at `timestamp` (Unix s)."""
    parse_checkpoint(text)
    sig = key.sign(_cosigned_message(text, timestamp)).signature
    return Signature(name, cosignature_id(name, key.verify_key),
                     struct.pack(">Q", timestamp) + sig).line()


def cosigned_at(text: str, signature: Signature, name: str, key: VerifyKey) -> int | None:
    """When `name` cosigned the checkpoint, if `signature` is its valid cosignature."""
    if (signature.name != name or signature.key_id != cosignature_id(name, key)
            or len(signature.data) != 72):
        return None
    (timestamp,) = struct.unpack(">Q", signature.data[:8])
    try:
        key.verify(_cosigned_message(text, timestamp), signature.data[8:])
    except (BadSignatureError, ValueError):
        return None
    return int(timestamp)
