"""Which keys the ledger trusts, entry by entry: a key is trusted only through a chain of
entries that starts at the ledger's first.

Entry 1 opens the ledger: it registers the server's first key and is signed by it; that
key is the ledger's trust root, and every checkpoint names it. From there:
- the server's key is replaced only by an entry signed with the key it replaces;
- a party's first key is registered by an entry the server signs on an account's behalf
  (the secretariat's: the service lets no one else), and proves that the new key's
  holder signed for it;
- a party's key is replaced by an entry signed with the key it replaces, and revoked by
  an entry signed with that key or by the server on an account's behalf.
A party holds at most one key at a time. A key that was replaced or revoked signs nothing
after the entry that retired it, so a row added to the database's key table, or a key
registered by itself, signs nothing the audit accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import rfc8785
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from ceasefire.ledger.entries import Entry, Problem, key_id

OPENED = "ledger.opened"
SERVER_ROTATED = "server.key_rotated"
PARTY_REGISTERED = "party.key_registered"
PARTY_ROTATED = "party.key_rotated"
PARTY_REVOKED = "party.key_revoked"
ACTIONS = (OPENED, SERVER_ROTATED, PARTY_REGISTERED, PARTY_ROTATED, PARTY_REVOKED)

# What a key's status is in the key table (store) as the entries leave it.
CURRENT, ROTATED, REVOKED = "current", "rotated", "revoked"


def proof_body(action: str, party: str | None, new_key_id: str, prev: bytes) -> bytes:
    """What a new key signs to show its holder asked for it here: the action, the party
    (None: the server), its id, and the hash of the entry before, so the proof cannot be
    carried to another place in this ledger or to another ledger."""
    return rfc8785.dumps({"proof": "ceasefire-key", "action": action, "party": party,
                          "key_id": new_key_id, "prev": prev.hex()})


def key_payload(action: str, party: str | None, new_key: SigningKey, prev: bytes,
                **extra: Any) -> dict[str, Any]:
    """The payload of an entry that brings in `new_key`, with its proof of possession."""
    kid = key_id(new_key.verify_key)
    body = {"key_id": kid, "public": bytes(new_key.verify_key).hex(), **extra}
    if party is not None:
        body["party"] = party
    if action != OPENED:  # entry 1 is signed by its new key: that is the proof
        body["proof"] = new_key.sign(proof_body(action, party, kid, prev)).signature.hex()
    return body


@dataclass
class Held:
    """A key the ledger registered: whose, from which entry, and whether it still signs."""

    key: VerifyKey
    party: str | None  # None: the server's
    registered: int  # the entry that registered it
    retired: int | None = None  # the entry that replaced or revoked it
    status: str = CURRENT


class Trust:
    """The keys as the entries so far leave them. `admit` checks an entry's signer may
    sign it, before its signature is checked against `current`; `apply` then takes in
    what a key entry changes."""

    def __init__(self, root: str | None = None,
                 secretariat: Callable[[str], bool] | None = None) -> None:
        self.pinned = root  # the trust root a party expects (from a checkpoint it kept)
        # Whether an account is the secretariat's, where the audit can tell (a database).
        self.secretariat = secretariat
        self.root: str | None = None
        self.keys: dict[str, Held] = {}
        self.current: dict[str, VerifyKey] = {}  # key id -> key, for the chain's check
        self._party_key: dict[str, str] = {}  # party -> its current key's id

    # -- before the signature ------------------------------------------------------------

    def admit(self, e: Entry) -> Problem | None:
        if e.seq == 1:
            return self._open(e)
        held = self.keys.get(e.signer)
        if held is None:
            return Problem(e.seq, f"signed with key {e.signer}, which no entry registered")
        if held.retired is not None:
            return Problem(e.seq, f"signed with key {e.signer}, {held.status} by entry "
                           f"{held.retired}")
        if held.party is None:
            return None  # the server signs for the mechanism and on accounts' behalf
        if e.on_behalf or e.party != held.party:
            return Problem(e.seq, f"signed with {held.party}'s key for "
                           f"{e.party or 'the mechanism'}")
        return None

    def _open(self, e: Entry) -> Problem | None:
        if e.action != OPENED:
            return Problem(1, f"the ledger opens with {e.action!r}, not with the "
                           "registration of its root key")
        public = _public(e.payload)
        if public is None or key_id(public) != e.payload.get("key_id") or \
                e.signer != e.payload.get("key_id") or e.party is not None:
            return Problem(1, "the root key it registers is not the key that signed it")
        if self.pinned is not None and e.signer != self.pinned:
            return Problem(1, f"the ledger's root key is {e.signer}, not {self.pinned}, "
                           "the one a checkpoint kept names: the ledger was made anew")
        self.root = e.signer
        self._add(e.signer, Held(public, None, 1))
        return None

    # -- after it -----------------------------------------------------------------------

    def apply(self, e: Entry) -> Problem | None:
        """Take in a key entry (nothing for other entries); its problem, if any."""
        if e.action not in ACTIONS or e.seq == 1:
            if e.action == OPENED and e.seq != 1:
                return Problem(e.seq, "the ledger is opened again")
            return None
        p = e.payload
        signer = self.keys[e.signer]
        if e.action == PARTY_REVOKED:
            return self._revoke(e, signer)
        party = p.get("party")
        public = _public(p)
        new = p.get("key_id")
        if public is None or key_id(public) != new:
            return Problem(e.seq, "the key it registers is not the key it names")
        if new in self.keys:
            return Problem(e.seq, f"key {new} was registered before")
        if not _proved(public, e, party, new):
            return Problem(e.seq, f"the new key {new} did not sign for its registration")
        if e.action == SERVER_ROTATED:
            if signer.party is not None or party is not None or e.party is not None:
                return Problem(e.seq, "the server's key is replaced only by the server's "
                               "key, for the mechanism")
            self._retire(e.signer, e.seq, ROTATED)
            self._add(new, Held(public, None, e.seq))
            return None
        if not isinstance(party, str):
            return Problem(e.seq, "a party's key is registered for a party it names")
        held = self._party_key.get(party)
        if e.action == PARTY_REGISTERED:
            if not self._by_secretariat(e, signer):
                return Problem(e.seq, f"{party}'s first key is registered by the server "
                               "on the secretariat's behalf, not by a party's key")
            if held is not None:
                return Problem(e.seq, f"{party} already holds key {held}: another is "
                               "registered only in its place (rotated by it, or after "
                               "it is revoked)")
        else:  # PARTY_ROTATED, signed (admit saw to it) by a key of the entry's party
            if held is None or held != e.signer or e.party != party \
                    or p.get("previous") != held:
                return Problem(e.seq, f"{party}'s key is replaced only by an entry "
                               "signed with the key it replaces")
            self._retire(held, e.seq, ROTATED)
        self._add(new, Held(public, party, e.seq))
        self._party_key[party] = new
        return None

    def _revoke(self, e: Entry, signer: Held) -> Problem | None:
        party, target = e.payload.get("party"), e.payload.get("key_id")
        held = self.keys.get(target) if isinstance(target, str) else None
        if (not isinstance(target, str) or held is None or held.party is None
                or held.party != party or held.retired):
            return Problem(e.seq, f"it revokes key {target}, which is not {party}'s "
                           "current key")
        if not self._by_secretariat(e, signer) and e.signer != target:
            return Problem(e.seq, f"{party}'s key is revoked by itself or by the server "
                           "on an account's behalf")
        self._retire(target, e.seq, REVOKED)
        del self._party_key[party]
        return None

    def _by_secretariat(self, e: Entry, signer: Held) -> bool:
        if signer.party is not None or not e.on_behalf or e.account is None:
            return False
        return self.secretariat is None or self.secretariat(e.account)

    def _add(self, kid: str, held: Held) -> None:
        self.keys[kid] = held
        self.current[kid] = held.key

    def _retire(self, kid: str, seq: int, how: str) -> None:
        held = self.keys[kid]
        held.retired, held.status = seq, how
        self.current.pop(kid, None)

    # -- what checkpoints and the key table are held to ----------------------------------

    def server_key_at(self, kid: str, size: int) -> VerifyKey | None:
        """The key, if it was the server's current key once the first `size` entries
        were in: the only key that may sign a checkpoint of that size."""
        held = self.keys.get(kid)
        if held is None or held.party is not None or held.registered > size:
            return None
        if held.retired is not None and held.retired <= size:
            return None
        return held.key

    def signer_at(self, kid: str, seq: int) -> Held | None:
        """The key, if it could sign entry `seq`: registered before it, and not retired
        before it (a rotation is signed by the key it retires)."""
        held = self.keys.get(kid)
        if held is None or held.registered > seq or (held.registered == seq and seq != 1):
            return None
        if held.retired is not None and held.retired < seq:
            return None
        return held

    def table(self) -> dict[str, tuple[str | None, str, str]]:
        """key id -> (party, public key hex, status): what the key table must hold."""
        return {kid: (h.party, bytes(h.key).hex(), h.status) for kid, h in self.keys.items()}


def _public(payload: Mapping[str, Any]) -> VerifyKey | None:
    try:
        return VerifyKey(bytes.fromhex(str(payload.get("public"))))
    except (ValueError, TypeError):  # nacl's ValueError is one
        return None


def _proved(public: VerifyKey, e: Entry, party: Any, new: str) -> bool:
    try:
        public.verify(proof_body(e.action, party, new, e.prev),
                      bytes.fromhex(str(e.payload.get("proof"))))
    except (BadSignatureError, ValueError, TypeError):
        return False
    return True
