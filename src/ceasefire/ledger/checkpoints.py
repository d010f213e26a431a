"""Signed checkpoints: the size and Merkle root of the ledger at a moment, signed.

A party that keeps the checkpoints it saw can later ask for a consistency proof between
an old one and a new one, and so prove that the ledger only grew: every entry the old
checkpoint covered is still there, unchanged and in its place.

Checkpoints are C2SP signed notes (ledger/note.py) whose key name is the log's origin, so
witnesses and tools no one here wrote check them; those made before were signed as
canonical JSON and still verify in that form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import rfc8785
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from ceasefire.errors import InvalidInput
from ceasefire.ledger import note as notes
from ceasefire.ledger.entries import key_id
from ceasefire.ledger.merkle import verify_consistency


@dataclass(frozen=True, slots=True)
class Checkpoint:
    size: int  # entries covered: 1..size
    root: bytes  # Merkle root of their leaves (RFC 6962)
    at: datetime
    signer: str  # key_id
    signature: bytes = b""
    # The ledger's trust root (the key entry 1 registered): pinned by every checkpoint a
    # party keeps, so a ledger made anew under another key is told from the one it saw.
    # None in checkpoints signed before it was pinned.
    trust: str | None = None
    # The signed note (server's signature only); None: a checkpoint signed as JSON.
    note: str | None = None

    @property
    def origin(self) -> str | None:
        return None if self.note is None else self.note.split("\n", 1)[0]

    def text(self) -> str:
        """The checkpoint's note text: what the server signs and witnesses cosign."""
        if self.note is None:
            raise ValueError("a checkpoint signed as JSON has no note")
        return notes.open_note(self.note)[0]

    def body(self) -> bytes:
        if self.at.tzinfo is None:
            raise ValueError("checkpoint times are UTC and say so")
        fields: dict[str, str | int] = {
            "kind": "ceasefire-checkpoint", "size": self.size, "root": self.root.hex(),
            "at": self.at.isoformat(), "signer": self.signer}
        if self.trust is not None:
            fields["trust"] = self.trust
        return rfc8785.dumps(fields)

    def signed_by(self, key: SigningKey, origin: str | None = None) -> Checkpoint:
        """Signed by `key`: as a note of the log `origin`, or (no origin) as JSON."""
        if self.signer != key_id(key.verify_key):
            raise ValueError("the checkpoint names another key as its signer")
        if origin is None:
            return replace(self, signature=key.sign(self.body()).signature, note=None)
        signed = notes.sign(notes.checkpoint_text(origin, self.size, self.root), origin, key)
        return replace(self, signature=notes.open_note(signed)[1][0].data, note=signed)

    def is_signed_by(self, key: VerifyKey) -> bool:
        if self.signer != key_id(key):
            return False
        if self.note is not None:
            return self._note_holds(key)
        try:
            key.verify(self.body(), self.signature)
        except BadSignatureError:
            return False
        return True

    def _note_holds(self, key: VerifyKey) -> bool:
        try:
            text, signatures = notes.open_note(self.note or "")
            said = notes.parse_checkpoint(text)
        except notes.NoteError:
            return False
        return ((said.size, said.root) == (self.size, self.root)
                and any(s.data == self.signature and notes.signed_by(text, s, said.origin, key)
                        for s in signatures))


def checkpoint_json(c: Checkpoint) -> dict[str, Any]:
    """The checkpoint as the API, exports and bulletins give it."""
    found: dict[str, Any] = {"size": c.size, "root": c.root.hex(), "at": c.at.isoformat(),
                             "signer": c.signer, "signature": c.signature.hex()}
    if c.trust is not None:
        found["trust"] = c.trust
    if c.note is not None:
        found["note"] = c.note
    return found


def checkpoint_of(data: Mapping[str, Any]) -> Checkpoint:
    """A checkpoint from its JSON (one a party kept, or a published bulletin's)."""
    try:
        trust, note = data.get("trust"), data.get("note")
        return Checkpoint(int(data["size"]), bytes.fromhex(data["root"]),
                          datetime.fromisoformat(data["at"]), str(data["signer"]),
                          bytes.fromhex(data["signature"]),
                          None if trust is None else str(trust),
                          None if note is None else str(note))
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise InvalidInput(f"not a checkpoint: {exc}", field="checkpoint") from None


def checkpoint_of_note(text: str) -> Checkpoint:
    """A checkpoint from its signed note (one a witness holds, or `/checkpoint` gave), with
    its signer left for the ledger's keys to tell (`signer_among`)."""
    try:
        body, signatures = notes.open_note(text)
        said = notes.parse_checkpoint(body)
    except notes.NoteError as exc:
        raise InvalidInput(f"not a checkpoint: {exc}", field="checkpoint") from None
    if not signatures:
        raise InvalidInput("the checkpoint is not signed", field="checkpoint")
    return Checkpoint(said.size, said.root, datetime.fromtimestamp(0, UTC), "",
                      signatures[0].data, None, text)


def signer_among(c: Checkpoint, keys: Mapping[str, VerifyKey]) -> Checkpoint:
    """The note checkpoint `c` naming which of `keys` (by key id) signed it as its origin;
    unchanged if none did."""
    if c.note is None or c.signer or c.origin is None:
        return c
    _, signatures = notes.open_note(c.note)
    for kid, key in keys.items():
        wanted = notes.key_id(c.origin, bytes(key))
        for s in signatures:
            if s.name == c.origin and s.key_id == wanted:
                return replace(c, signer=kid, signature=s.data)
    return c


def grew_from(old: Checkpoint, new: Checkpoint, proof: Sequence[bytes], key: VerifyKey,
              ) -> bool:
    """Whether both checkpoints are signed by `key`, pin the same trust root, and `proof`
    shows the ledger at `new` extends the ledger at `old` (a ledger that only grew)."""
    return (old.is_signed_by(key) and new.is_signed_by(key)
            and (old.trust is None or old.trust == new.trust)
            and verify_consistency(old.size, new.size, old.root, new.root, proof))
