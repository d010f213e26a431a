"""The ledger over HTTP: its signed checkpoint, the keys that sign, an entry with its
inclusion proof, and proofs that any party can check holding only a checkpoint.

Checkpoints, keys and proofs are hashes and signatures only, so anyone may read them;
an entry's payload is the record itself, so entries need an account.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from ceasefire.http.deps import CurrentAccount, DatabaseDep
from ceasefire.ledger.checkpoints import Checkpoint, checkpoint_json
from ceasefire.services import ledger, ledger_checks, witnessing

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])

Hex = Annotated[str, Field(pattern=r"^[0-9a-f]*$")]
Size = Annotated[int, Query(ge=1, le=2**40)]


class CheckpointOut(BaseModel):
    size: int = Field(description="entries covered: 1..size")
    root: Hex = Field(description="RFC 6962 Merkle root of their hashes")
    at: datetime
    signer: str = Field(description="key id of the server key that signed")
    signature: Hex = Field(description="Ed25519 over the checkpoint's note text (over its "
                           "canonical JSON in checkpoints older than notes)")
    trust: str | None = Field(None, description="the ledger's trust root: the id of the key "
                              "its first entry registered; absent in older checkpoints")
    note: str | None = Field(None, description="the checkpoint as a C2SP signed note "
                             "(c2sp.org/tlog-checkpoint), the origin its key's name")

    @classmethod
    def of(cls, c: Checkpoint) -> CheckpointOut:
        return cls(**checkpoint_json(c))


class KeyOut(BaseModel):
    key_id: str
    party: str | None = Field(description="the party it signs for; null: the server")
    public: Hex = Field(description="Ed25519 public key")
    created_at: datetime
    status: Literal["current", "rotated", "revoked"] = Field(
        description="whether it still signs; the ledger's entries say when it stopped")


class InclusionOut(BaseModel):
    seq: int
    size: int
    leaf_hash: Hex = Field(description="the entry's hash: RFC 6962 leaf hash of its JSON")
    root: Hex
    proof: list[Hex] = Field(description="RFC 9162 inclusion proof, leaf to root")


class EntryOut(BaseModel):
    entry: dict[str, Any] = Field(description="the entry as signed, with its signature")
    inclusion: InclusionOut


class ConsistencyOut(BaseModel):
    first: int
    second: int
    first_root: Hex
    second_root: Hex
    proof: list[Hex] = Field(description="RFC 9162 consistency proof")


def _inclusion(found: ledger.Inclusion) -> InclusionOut:
    return InclusionOut(seq=found.entry.seq, size=found.size,
                        leaf_hash=found.entry.hash().hex(), root=found.root.hex(),
                        proof=[p.hex() for p in found.proof])


@router.get("/checkpoint", response_model=CheckpointOut)
async def get_checkpoint(database: DatabaseDep) -> CheckpointOut:
    """The ledger's size and Merkle root now, signed by the server. Keep it: later
    consistency proofs show the ledger only grew from it."""
    return CheckpointOut.of(await run_in_threadpool(ledger.checkpoint, database))


@router.get("/witnessed")
async def get_witnessed(database: DatabaseDep) -> dict[str, Any]:
    """The witnesses (each guarantor's, by its verifier key), the quorum, and the latest
    checkpoint a quorum of them cosigned, as a signed note with their cosignatures (null:
    none yet, or no witnesses: the checkpoints are then unwitnessed)."""
    return await run_in_threadpool(witnessing.status, database)


@router.get("/keys", response_model=list[KeyOut])
async def get_keys(database: DatabaseDep) -> list[KeyOut]:
    """Every key that may sign entries: the server's and the parties' own."""
    return [KeyOut(**k) for k in await run_in_threadpool(ledger.server_public_keys, database)]


@router.get("/entries/{seq}", response_model=EntryOut)
async def get_entry(seq: Annotated[int, Path(ge=1, le=2**40)], database: DatabaseDep,
                    account: CurrentAccount, size: Size | None = None) -> EntryOut:
    """One entry as signed, and the proof that it is in the ledger of `size` entries
    (default: all of them now)."""
    found = await run_in_threadpool(ledger.inclusion, database, seq, size)
    return EntryOut(entry=ledger_checks.entry_json(found.entry), inclusion=_inclusion(found))


@router.get("/proofs/inclusion", response_model=InclusionOut)
async def get_inclusion(seq: Size, database: DatabaseDep,
                        size: Size | None = None) -> InclusionOut:
    """The proof that entry `seq` is in the ledger of `size` entries."""
    return _inclusion(await run_in_threadpool(ledger.inclusion, database, seq, size))


@router.get("/proofs/consistency", response_model=ConsistencyOut)
async def get_consistency(first: Size, database: DatabaseDep,
                          second: Size | None = None) -> ConsistencyOut:
    """The proof that the ledger of `second` entries (default: now) extends the ledger
    of `first` entries: hold it against two checkpoints' roots."""
    a, b, old, new, proof = await run_in_threadpool(ledger.consistency, database, first,
                                                    second)
    return ConsistencyOut(first=a, second=b, first_root=old.hex(), second_root=new.hex(),
                          proof=[p.hex() for p in proof])
