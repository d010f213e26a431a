"""Checking a ledger from end to end: the chain and its signatures, which keys the entries
trust and who may sign what (ledger.trust),
the records each entry says it wrote, the Merkle root every checkpoint signed, and what
the database must hold by replaying the entries. The database and an export on disk are
read through the same audit, so `ledger verify` and `ledger verify --offline` agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ceasefire.ledger.checkpoints import Checkpoint, signer_among
from ceasefire.ledger.entries import Chain, Entry, Problem
from ceasefire.ledger.merkle import MerkleTree
from ceasefire.ledger.trust import Trust

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


@dataclass
class Audit:
    trust: Trust = field(default_factory=Trust)
    tree: MerkleTree = field(default_factory=MerkleTree)
    # kind -> key -> the last entry that wrote the record, and the digest it wrote
    latest: dict[str, dict[str, tuple[int, str | None]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    _chain: Chain = field(init=False)
    _broken: bool = False

    def __post_init__(self) -> None:
        # The chain checks signatures against the keys the entries so far trust.
        self._chain = Chain(self.trust.current)

    @property
    def size(self) -> int:
        return len(self.tree)

    def add(self, entry: Entry, writes: Sequence[Write], stored_hash: bytes | None = None,
            ) -> None:
        """Check the next entry. After the first break in the chain the rest are still
        replayed, so that a record changed earlier is still named first."""
        digest = None
        if not self._broken:
            problem = (self._chain.linked(entry) or self.trust.admit(entry)
                       or self._chain.check(entry) or self.trust.apply(entry))
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

    def check_checkpoint(self, checkpoint: Checkpoint) -> None:
        where = f"checkpoint at size {checkpoint.size}"
        checkpoint = signer_among(checkpoint, {kid: held.key for kid, held in
                                               self.trust.keys.items() if held.party is None})
        key = self.trust.server_key_at(checkpoint.signer, checkpoint.size)
        if checkpoint.trust is not None and checkpoint.trust != self.trust.root:
            self.problems.append(Problem(None, f"{where}: it pins the trust root "
                                         f"{checkpoint.trust}, the ledger's is "
                                         f"{self.trust.root}: the ledger was made anew"))
        elif key is None:
            self.problems.append(Problem(None, f"{where}: not signed by the server key the "
                                         "ledger trusted at that size"))
        elif not checkpoint.is_signed_by(key):
            self.problems.append(Problem(None, f"{where}: its signature does not match"))
        elif checkpoint.size > self.size:
            self.problems.append(Problem(self.size + 1, f"{where}: the ledger holds only "
                                         f"{self.size} entries; later ones were removed"))
        elif checkpoint.root != self.tree.root(checkpoint.size):
            self.problems.append(Problem(None, f"{where}: the entries it covers do not give "
                                         "the root it signed: the server signed another "
                                         "history of that size (a fork, or a rewrite)"))

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
