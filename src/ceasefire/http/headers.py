"""Security headers on every response: API, docs, web pages, static files and errors.

A few lines of ASGI rather than a package: the policy is fixed, the same for every route,
and a pure ASGI wrapper costs the API's hot paths nothing but a list extension.

``Cache-Control: no-store`` goes on every API answer and on every answer to a request
that carried credentials (an Authorization header or the session cookie), whatever the
route set: what a caller was shown because of who it is must stay out of shared and
browser caches. Anonymous requests for public files (styles, the OpenAPI document) stay
cacheable.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline scripts or styles anywhere: every page takes its scripts and styles from files
# this server ships, so an injected <script> or style attribute does not run.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",  # Swagger UI draws its icons from data: URLs
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
))

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),  # for browsers that predate frame-ancestors
    ("cross-origin-opener-policy", "same-origin"),
)

_ENCODED = [(name.encode("latin-1"), value.encode("latin-1"))
            for name, value in SECURITY_HEADERS]
_NAMES = {name for name, _ in _ENCODED}


NO_STORE = (b"cache-control", b"no-store")
API_PREFIX = "/api/"


class SecurityHeaders:
    """Adds SECURITY_HEADERS to each HTTP response that does not set them itself, and
    ``Cache-Control: no-store`` to API answers and to answers to requests with
    credentials (the Authorization header, or the cookie named `session_cookie`)."""

    def __init__(self, app: ASGIApp, *, session_cookie: str) -> None:
        self.app = app
        self.session_cookie = session_cookie.encode("latin-1") + b"="

    def _private(self, scope: Scope) -> bool:
        if scope["path"].startswith(API_PREFIX):
            return True
        return any(name == b"authorization" or (name == b"cookie"
                                                and self.session_cookie in value)
                   for name, value in scope["headers"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = self._private(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers} & _NAMES
                headers.extend(h for h in _ENCODED if h[0] not in present)
                if private:
                    headers = [h for h in headers if h[0].lower() != NO_STORE[0]]
                    headers.append(NO_STORE)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
