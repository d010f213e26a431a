"""Signed checkpoints: the size and Merkle root of the ledger at a moment, signed.

A party that keeps the checkpoints it saw can later ask for a consistency proof between
an old one and a new one, and so prove that the ledger only grew: every entry the old
checkpoint covered is still there, unchanged and in its place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import rfc8785
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from ceasefire.ledger.entries import key_id
from ceasefire.ledger.merkle import verify_consistency


@dataclass(frozen=True, slots=True)
class Checkpoint:
    size: int  # entries covered: 1..size
    root: bytes  # Merkle root of their leaves (RFC 6962)
    at: datetime
    signer: str  # key_id
    signature: bytes = b""

    def body(self) -> bytes:
        if self.at.tzinfo is None:
            raise ValueError("checkpoint times are UTC and say so")
        return rfc8785.dumps({"kind": "ceasefire-checkpoint", "size": self.size,
                              "root": self.root.hex(), "at": self.at.isoformat(),
                              "signer": self.signer})

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


def grew_from(old: Checkpoint, new: Checkpoint, proof: Sequence[bytes], key: VerifyKey,
              ) -> bool:
    """Whether both checkpoints are signed by `key` and `proof` shows the ledger at `new`
    extends the ledger at `old` (a ledger that only grew)."""
    return (old.is_signed_by(key) and new.is_signed_by(key)
            and verify_consistency(old.size, new.size, old.root, new.root, proof))
