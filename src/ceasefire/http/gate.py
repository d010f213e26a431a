"""What a request must pass before the app reads its body: a size within the limit and,
on a route that needs one, a valid API token.

FastAPI reads and parses a body before it solves the route's dependencies, so neither
check can be a dependency: a client without a token could make the server hold any
amount of JSON. These are pure ASGI wrappers, as api/headers.py, and answer in the API's
error shape without reading the body:

- `BodyLimit`: 413 for a body over CEASEFIRE_MAX_BODY_BYTES, at once when its
  Content-Length says so, or as soon as a body sent without one (chunked) passes it.
- `TokenFirst`: 401 for a request to a route that needs a token (one that depends on
  `api.deps.Credentials`) without a valid one. The account it finds is kept in the
  request's scope for `api.deps.current_account`, so a request is authenticated once.
"""

from __future__ import annotations

from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ceasefire.errors import CeasefireError
from ceasefire.http import deps, errors
from ceasefire.services.accounts import authenticate


class TooLarge(HTTPException):
    """Raised when a body passes the limit while the app reads it; FastAPI lets an
    HTTPException through its body parsing, and api.errors answers it (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit:,} bytes")


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(self.max_bytes, scope)(scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise TooLarge(self.max_bytes)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except TooLarge:
            if started:  # read after the answer began: nothing more can be said
                raise
            await _too_large(self.max_bytes, scope)(scope, receive, send)


# A page's form answered in words, not the API's JSON: the gate stands before the pages'
# templates, so this is the whole page. The browser's Back keeps what was typed.
_TOO_LARGE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Too much to send</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Too much to send</h1>
<p role="alert">The form sent more than {limit:,} bytes, which is more than the record takes
in one request. Nothing was stored.</p>
<p>Go back (what you typed is still in the form), shorten the longest field (a narrative
takes at most 20,000 characters) and send it again.</p></main></body></html>
"""


def _too_large(limit: int, scope: Scope) -> Response:
    accept = Headers(scope=scope).get("accept", "")
    if not scope.get("path", "").startswith("/api/") and "text/html" in accept:
        return HTMLResponse(_TOO_LARGE_PAGE.format(limit=limit), status_code=413)
    return JSONResponse(errors.error_body("too_large", TooLarge(limit).detail),
                        status_code=413)


class TokenFirst:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._routes: list[tuple[RouteContext, bool]] | None = None
        self._segments: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._wants_token(scope):
            database = scope["app"].state.database
            token = deps.bearer_token(Headers(scope=scope).get("authorization"))
            try:
                if token is None:
                    raise deps.missing_token()
                scope[deps.ACCOUNT] = await run_in_threadpool(authenticate, database,
                                                              token=token)
            except CeasefireError as exc:
                await errors.domain_error_response(exc)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _wants_token(self, scope: Scope) -> bool:
        """Whether the route that will serve this request needs a token: the first that
        matches it fully, as the router chooses."""
        if self._routes is None:  # the app's routes, flattened once
            self._routes = [(r, deps.needs_token(r.original_route.dependant)
                             if isinstance(r.original_route, APIRoute) else False)
                            for r in iter_route_contexts(scope["app"].routes)]
            # Pages and static files need no scan: no route under their first segment
            # needs a token.
            self._segments = {_first_segment(r.path or "") for r, needs in self._routes
                              if needs}
        if _first_segment(scope["path"]) not in self._segments:
            return False
        for route, needs_token in self._routes:
            if route.matches(scope)[0] is Match.FULL:
                return needs_token
        return False


def _first_segment(path: str) -> str:
    return path.split("/", 2)[1] if path.startswith("/") else ""
