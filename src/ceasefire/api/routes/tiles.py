"""The log as static tiles (c2sp.org/tlog-tiles), public: `/checkpoint` (a signed note
with its cosignatures), `/tile/<L>/<N>[.p/<W>]`, `/tile/entries/<N>[.p/<W>]`, and the
records each entry wrote at `/writes/<N>[.p/<W>]` (services/log_tiles.py).

A tile's bytes never change once its path exists, so it is cacheable for good; the
checkpoint is the one thing that moves.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from ceasefire.http.deps import DatabaseDep
from ceasefire.services import log_tiles

router = APIRouter(tags=["tiles"])

IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable",
             "Access-Control-Allow-Origin": "*"}


@router.get("/checkpoint", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
async def checkpoint(database: DatabaseDep) -> Response:
    """The ledger's checkpoint now: a C2SP signed note (c2sp.org/tlog-checkpoint) signed
    by the server as the log's origin, with the witnesses' cosignatures it has."""
    note = await run_in_threadpool(log_tiles.checkpoint_note, database)
    return Response(note, media_type="text/plain; charset=utf-8",
                    headers={"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"})


@router.get("/tile/entries/{path:path}", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}}})
async def entry_bundle(path: str, database: DatabaseDep) -> Response:
    """Entries N*256.. as a bundle: each the canonical JSON of one entry as signed (the
    Merkle leaf), after its length as a big-endian uint16."""
    data = await run_in_threadpool(log_tiles.entry_bundle, database, path)
    return Response(data, media_type="application/octet-stream", headers=IMMUTABLE)


@router.get("/tile/{path:path}", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}}})
async def hash_tile(path: str, database: DatabaseDep) -> Response:
    """A hash tile: the 32-byte hashes of up to 256 tree nodes at height 8*L."""
    data = await run_in_threadpool(log_tiles.hash_tile, database, path)
    return Response(data, media_type="application/octet-stream", headers=IMMUTABLE)


@router.get("/writes/{path:path}", response_class=Response,
            responses={200: {"content": {"application/jsonl": {}}}})
async def writes(path: str, database: DatabaseDep) -> Response:
    """What the entries of bundle N wrote: JSON Lines `[seq, kind, key, digest]`, as
    `ledger export`'s writes.jsonl."""
    data = await run_in_threadpool(log_tiles.writes_lines, database, path)
    return Response(data, media_type="application/jsonl", headers=IMMUTABLE)
