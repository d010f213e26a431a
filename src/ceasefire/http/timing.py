"""The time the app spent on each request, in a ``Server-Timing: app;dur=<ms>`` header
(W3C Server Timing): browser devtools show it, and bench/pages.py reads it.

The clock starts when the request reaches the app and stops when the response's headers
are sent, so it covers routing, the dependencies (session, account), the database work
and the rendering of any answer built whole (JSON, an HTML page, an error), but not the
network, nor the body of a response streamed after its headers. A pure ASGI wrapper, as
api/headers.py: it costs a perf_counter call and a header.

The value is rounded to a tenth of a millisecond. The login keeps wrong usernames and
wrong passwords equally slow by design (services/passwords.py), so the header tells a
client no more than its own clock would.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"server-timing"
METRIC = "app"


def server_timing(seconds: float) -> bytes:
    """The header's value for `seconds` spent in the app."""
    return f"{METRIC};dur={seconds * 1000:.1f}".encode("latin-1")


class ServerTiming:
    """Adds ``Server-Timing: app;dur=<ms>`` to each HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", ()),
                           (HEADER, server_timing(time.perf_counter() - started))]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_timing)
