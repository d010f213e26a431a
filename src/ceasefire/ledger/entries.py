"""Ledger entries: every state change, in order, each holding the hash of the one before and
signed with Ed25519 by the party that acts.

An entry's signed body is its canonical JSON (RFC 8785) without the signature; its hash
(the RFC 6962 leaf hash of the whole entry), which the next entry holds and the Merkle tree
is built on, covers the signature too, so swapping one signature for another breaks the
chain as surely as editing a field.
Entries made through the web or the API are signed by the server's key on the account's
behalf, and say so (`on_behalf`); the CLI signs with the party's own key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import rfc8785
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from ceasefire.ledger.merkle import leaf_hash

GENESIS = bytes(32)  # what the first entry holds as the hash of the entry before


def key_id(key: VerifyKey) -> str:
    """A public key's short name: the first 16 bytes of its SHA-256, in hex."""
    return hashlib.sha256(bytes(key)).hexdigest()[:32]


def _time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("ledger times are UTC and say so")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int  # 1, 2, 3…: a gap or a repeat is a deleted or inserted entry
    at: datetime
    party: str | None  # None: the mechanism itself (e.g. correlation after a change)
    account: str | None
    action: str  # e.g. "report.submitted", "verdict.cast"
    payload: Mapping[str, Any]  # JSON values only
    prev: bytes  # the hash of the entry before; GENESIS for the first
    signer: str  # key_id of the key that signed
    on_behalf: bool  # the server's key signed for `account` (web and API actions)
    signature: bytes = b""

    def _fields(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": _time(self.at), "party": self.party,
                "account": self.account, "action": self.action, "payload": self.payload,
                "prev": self.prev.hex(), "signer": self.signer, "on_behalf": self.on_behalf}

    def body(self) -> bytes:
        """What is signed: the canonical JSON of every field but the signature."""
        return rfc8785.dumps(self._fields())

    def leaf(self, body: bytes | None = None) -> bytes:
        """The whole entry, signature included, as canonical JSON: the Merkle leaf.

        It is the body with the signature spliced in before the last key, "signer" (keys
        sort "signature" < "signer", and "signer" sorts last): the same bytes as
        canonicalising again (a test holds it to that), at a third of the cost."""
        body = self.body() if body is None else body
        at = body.rindex(b',"signer":"')
        return b"".join((body[:at], b',"signature":"', self.signature.hex().encode(), b'"',
                         body[at:]))

    def hash(self, body: bytes | None = None) -> bytes:
        """The entry's RFC 6962 leaf hash: the next entry holds it, and the Merkle tree is
        built on it, so one hash serves both the chain and the tree."""
        return leaf_hash(self.leaf(body))


def sign(entry: Entry, key: SigningKey) -> Entry:
    if entry.signer != key_id(key.verify_key):
        raise ValueError("the entry names another key as its signer")
    return replace(entry, signature=key.sign(entry.body()).signature)


@dataclass(frozen=True, slots=True)
class Problem:
    """The first entry that does not hold, and why."""

    seq: int | None  # None: no entry to name (e.g. a record no entry wrote)
    reason: str

    def __str__(self) -> str:
        return self.reason if self.seq is None else f"entry {self.seq}: {self.reason}"


class Chain:
    """Checks entries one at a time, in order: numbering, links and signatures."""

    def __init__(self, keys: Mapping[str, VerifyKey], *, first: int = 1,
                 prev: bytes = GENESIS) -> None:
        self.keys, self.expected, self.prev = keys, first, prev

    def linked(self, e: Entry) -> Problem | None:
        """Whether the entry is the one due: its number and the hash of the one before."""
        expected = self.expected
        if e.seq != expected:
            what = "missing" if e.seq > expected else "out of order or repeated"
            return Problem(min(e.seq, expected), f"sequence number {e.seq} where {expected} "
                           f"was due (an entry is {what})")
        if e.prev != self.prev:
            return Problem(e.seq, "its previous-entry hash is not the hash of entry "
                           f"{e.seq - 1}: the entry before was changed or replaced")
        return None

    def check(self, e: Entry) -> Problem | None:
        """The entry's problem, or None (and the chain moves on past it)."""
        if (problem := self.linked(e)) is not None:
            return problem
        expected = self.expected
        key = self.keys.get(e.signer)
        if key is None:
            return Problem(e.seq, f"signed with an unknown key {e.signer}")
        body = e.body()
        try:
            key.verify(body, e.signature)
        except BadSignatureError:
            return Problem(e.seq, "the signature does not match the entry: a field or the "
                           "signature was changed")
        self.prev, self.expected = e.hash(body), expected + 1
        return None


def verify_chain(entries: Iterable[Entry], keys: Mapping[str, VerifyKey], *,
                 first: int = 1, prev: bytes = GENESIS) -> Problem | None:
    """Check entries in order from sequence number `first` (after the entry whose hash is
    `prev`): numbering, links and signatures. None when all hold."""
    chain = Chain(keys, first=first, prev=prev)
    for e in entries:
        if (problem := chain.check(e)) is not None:
            return problem
    return None
