"""Signed checkpoints: the size and Merkle root of the ledger at a moment, signed.

A party that keeps the checkpoints it saw can later ask for a consistency proof between
an old one and a new one, and so prove that the ledger only grew: every entry the old
checkpoint covered is still there, unchanged and in its place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import rfc8785
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from ceasefire.errors import InvalidInput
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

    def body(self) -> bytes:
        if self.at.tzinfo is None:
            raise ValueError("checkpoint times are UTC and say so")
        fields: dict[str, str | int] = {
            "kind": "ceasefire-checkpoint", "size": self.size, "root": self.root.hex(),
            "at": self.at.isoformat(), "signer": self.signer}
        if self.trust is not None:
            fields["trust"] = self.trust
        return rfc8785.dumps(fields)

    def signed_by(self, key: SigningKey) -> Checkpoint:
        if self.signer != key_id(key.verify_key):
            raise ValueError("the checkpoint names another key as its signer")
        return replace(self, signature=key.sign(self.body()).signature)

    def is_signed_by(self, key: VerifyKey) -> bool:
        try:
            key.verify(self.body(), self.signature)
        except BadSignatureError:
            return False
        return self.signer == key_id(key)


def checkpoint_json(c: Checkpoint) -> dict[str, Any]:
    """The checkpoint as the API, exports and bulletins give it."""
    found: dict[str, Any] = {"size": c.size, "root": c.root.hex(), "at": c.at.isoformat(),
                             "signer": c.signer, "signature": c.signature.hex()}
    if c.trust is not None:
        found["trust"] = c.trust
    return found


def checkpoint_of(data: Mapping[str, Any]) -> Checkpoint:
    """A checkpoint from its JSON (one a party kept, or a published bulletin's)."""
    try:
        trust = data.get("trust")
        return Checkpoint(int(data["size"]), bytes.fromhex(data["root"]),
                          datetime.fromisoformat(data["at"]), str(data["signer"]),
                          bytes.fromhex(data["signature"]),
                          None if trust is None else str(trust))
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise InvalidInput(f"not a checkpoint: {exc}", field="checkpoint") from None


def grew_from(old: Checkpoint, new: Checkpoint, proof: Sequence[bytes], key: VerifyKey,
              ) -> bool:
    """Whether both checkpoints are signed by `key`, pin the same trust root, and `proof`
    shows the ledger at `new` extends the ledger at `old` (a ledger that only grew)."""
    return (old.is_signed_by(key) and new.is_signed_by(key)
            and (old.trust is None or old.trust == new.trust)
            and verify_consistency(old.size, new.size, old.root, new.root, proof))
