"""Checking a ledger from end to end: the chain and its signatures, who may sign what,
the records each entry says it wrote, the Merkle root every checkpoint signed, and what
the database must hold by replaying the entries. The database and an export on disk are
read through the same audit, so `ledger verify` and `ledger verify --offline` agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from nacl.signing import VerifyKey

from ceasefire.ledger.checkpoints import Checkpoint
from ceasefire.ledger.entries import Chain, Entry, Problem, key_id
from ceasefire.ledger.merkle import MerkleTree

Write = tuple[str, str, str | None]  # kind, key, digest of the record (None: deleted)


def writes_digest(writes: Iterable[Write]) -> dict[str, object]:
    """What an entry's payload says of the records it wrote: how many, and a digest of
    the sorted list, so the list kept beside the entry is as signed as the entry."""
    h = hashlib.sha256()
    n = 0
    for kind, key, digest in sorted(writes, key=lambda w: (w[0], w[1])):
        h.update(f"{kind}\t{key}\t{digest or '-'}\n".encode())
        n += 1
    return {"count": n, "sha256": h.hexdigest()}


@dataclass(frozen=True, slots=True)
class Signer:
    """A public key and the party it signs for (None: the server, for the mechanism
    itself or on an account's behalf)."""

    key: VerifyKey
    party: str | None

    @property
    def key_id(self) -> str:
        return key_id(self.key)


@dataclass
class Audit:
    signers: Mapping[str, Signer]
    tree: MerkleTree = field(default_factory=MerkleTree)
    # kind -> key -> the last entry that wrote the record, and the digest it wrote
    latest: dict[str, dict[str, tuple[int, str | None]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    _chain: Chain | None = None
    _broken: bool = False

    def __post_init__(self) -> None:
        self._chain = Chain({k: s.key for k, s in self.signers.items()})

    @property
    def size(self) -> int:
        return len(self.tree)

    def add(self, entry: Entry, writes: Sequence[Write], stored_hash: bytes | None = None,
            ) -> None:
        """Check the next entry. After the first break in the chain the rest are still
        replayed, so that a record changed earlier is still named first."""
        digest = None
        if not self._broken:
            problem = self._chain.check(entry) or self._signed_for(entry)
            if problem is not None:
                self._broken = True
                self.problems.append(problem)
            elif self._chain.expected == entry.seq + 1:
                digest = self._chain.prev  # the chain hashed it already
        digest = digest or entry.hash()
        if stored_hash is not None and stored_hash != digest:
            self.problems.append(Problem(entry.seq, "its stored hash is not the hash of its "
                                         "fields: the row was edited"))
        said = entry.payload.get("writes") if isinstance(entry.payload, Mapping) else None
        if (said or writes) and said != writes_digest(writes):
            self.problems.append(Problem(entry.seq, "the records it wrote are not those it "
                                         "signed: the list of written records was edited"))
        self.tree.append_hash(digest)
        for kind, key, record in writes:
            self.latest.setdefault(kind, {})[key] = (entry.seq, record)

    def _signed_for(self, entry: Entry) -> Problem | None:
        signer = self.signers[entry.signer]
        if signer.party is None:
            return None  # the server signs for the mechanism and on accounts' behalf
        if entry.on_behalf or entry.party != signer.party:
            return Problem(entry.seq, f"signed with {signer.party}'s key for "
                           f"{entry.party or 'the mechanism'}")
        return None

    def check_checkpoint(self, checkpoint: Checkpoint) -> None:
        signer = self.signers.get(checkpoint.signer)
        where = f"checkpoint at size {checkpoint.size}"
        if signer is None or signer.party is not None:
            self.problems.append(Problem(None, f"{where}: not signed by a server key"))
        elif not checkpoint.is_signed_by(signer.key):
            self.problems.append(Problem(None, f"{where}: its signature does not match"))
        elif checkpoint.size > self.size:
            self.problems.append(Problem(self.size + 1, f"{where}: the ledger holds only "
                                         f"{self.size} entries; later ones were removed"))
        elif checkpoint.root != self.tree.root(checkpoint.size):
            self.problems.append(Problem(None, f"{where}: the entries it covers do not give "
                                         "the root it signed"))

    def compare(self, kind: str, held: Mapping[str, str]) -> None:
        """Hold the records of `kind` the database holds (key -> digest) against the
        replay: every one written as the last entry to write it left it."""
        written = self.latest.get(kind, {})
        for key, (seq, record) in written.items():
            now = held.get(key)
            if now == record:
                continue
            if now is None:
                what = "is missing from the database"
            elif record is None:
                what = "was deleted by it but is in the database"
            else:
                what = "differs in the database from what it wrote"
            self.problems.append(Problem(seq, f"{kind} {key} {what}"))
        for key in held.keys() - written.keys():
            self.problems.append(Problem(None, f"{kind} {key} is in the database, but no "
                                         "ledger entry wrote it"))

    def first_problem(self) -> Problem | None:
        """The problem with the earliest entry (problems that name none come last)."""
        if not self.problems:
            return None
        return min(self.problems, key=lambda p: (p.seq is None, p.seq or 0))
