"""Every error leaves the API as ``{"error": {"code": ..., "message": ..., ...}}``.

The codes are stable; clients branch on them, never on the message.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.routing import Match

from ceasefire.errors import CeasefireError
from ceasefire.http.headers import SECURITY_HEADERS
from ceasefire.intake.validation import field_path

_HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 406: "not_acceptable", 413: "too_large"}


def error_body(code: str, message: str, **context: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message,
                      **{k: v for k, v in context.items() if v is not None}}}


def domain_error_response(exc: CeasefireError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    return JSONResponse({"error": exc.to_dict()}, status_code=exc.http_status, headers=headers)


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CeasefireError)
    return domain_error_response(exc)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0]
    loc = tuple(first.get("loc", ()))
    # A body field reads as in the body ("place.lat"); others keep where they came from
    # ("query.limit", "header.Idempotency-Key").
    field = field_path(loc[1:] if loc[:1] == ("body",) else loc)
    return JSONResponse(error_body("invalid_input", first.get("msg", "invalid input"),
                                   field=field or None), status_code=422)


def _methods_at(request: Request) -> list[str]:
    """Every method some route serves at the request's path."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        if route.methods and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods
    return sorted(methods)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    headers = exc.headers
    if exc.status_code == 405 and (methods := _methods_at(request)):
        # Starlette names the methods of the first route whose path matched, but a path
        # can have several (GET and POST /api/v1/reports): Allow must name them all.
        headers = {**(headers or {}), "Allow": ", ".join(methods)}
    return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code,
                        headers=headers)


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the server log (Starlette re-raises after answering); the
    # client gets the same JSON shape as every other error, and no internals.
    # This answer leaves through Starlette's outermost layer, outside SecurityHeaders.
    return JSONResponse(error_body("internal_error", "the server failed to handle the request"),
                        status_code=500,
                        headers={**dict(SECURITY_HEADERS), "cache-control": "no-store"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(Exception, _unexpected)
    app.add_exception_handler(CeasefireError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
