"""The witness over HTTP (ASGI): POST /add-checkpoint as c2sp.org/tlog-witness has it,
GET / (its name and verifier key) and GET /evidence (what it kept, as JSON)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ceasefire.errors import CeasefireError
from ceasefire.witness.config import WitnessSettings
from ceasefire.witness.protocol import SizeConflict
from ceasefire.witness.service import Witness, unix_now

SIZE_TYPE = "text/x.tlog.size"  # the 409 answer's body: the size held, and a newline


class _TooLarge(Exception):
    pass


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks, length = [], 0
    async for chunk in request.stream():
        length += len(chunk)
        if length > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(settings: WitnessSettings, *, clock: Callable[[], int] = unix_now) -> Starlette:
    """The witness's app; its state directory is opened (and made) here."""
    witness = Witness(settings, clock=clock)

    async def add_checkpoint(request: Request) -> Response:
        try:
            body = await _body(request, settings.max_body)
        except _TooLarge:
            return PlainTextResponse(f"the body is over {settings.max_body} bytes\n", 413)
        try:
            lines = await run_in_threadpool(witness.add_checkpoint, body)
        except SizeConflict as exc:
            # The type exactly as the spec says it: no charset appended.
            return Response(f"{exc.size}\n", 409, headers={"Content-Type": SIZE_TYPE})
        except CeasefireError as exc:
            return PlainTextResponse(f"{exc}\n", exc.http_status)
        return PlainTextResponse(lines)

    def identity(request: Request) -> Response:
        return PlainTextResponse(f"{witness.name}\n{witness.vkey}\n")

    def evidence(request: Request) -> Response:
        return JSONResponse([asdict(e) for e in witness.state.evidence()])

    app = Starlette(routes=[
        Route("/add-checkpoint", add_checkpoint, methods=["POST"]),
        Route("/", identity, methods=["GET"]),
        Route("/evidence", evidence, methods=["GET"]),
    ])
    app.state.witness = witness
    return app
