"""What a request must pass before the app reads its body: a size within
CEASEFIRE_MAX_BODY_BYTES (else 413) and, on a route that needs one, a valid API token
(else 401). Through a live server, whose socket shows that the answer comes before the
body was sent, and in-process, where the test counts the chunks the app pulled."""

import asyncio
import http.client
import json
import socket
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx2
import pytest

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.services import accounts
from tests.api.conftest import bearer
from tests.api.test_reports_api import SHELLING
from tests.web.conftest import serving

LIMIT = 1024 * 1024  # CEASEFIRE_MAX_BODY_BYTES by default
CHUNK = 64 * 1024
INCIDENT = "0c0ffee0-0000-4000-8000-000000000000"


@pytest.fixture
def server(database, tokens):
    with serving(database) as url:
        yield url


def exchange(url: str, method: str, path: str, headers: dict[str, str],
             *chunks: bytes) -> tuple[http.client.HTTPResponse, bytes]:
    """Send a request's head and `chunks` (perhaps far less than it declares) on a raw
    socket and read the answer. A server that waited for the rest of the body would
    leave this waiting until the socket's timeout."""
    where = urlsplit(url)
    with socket.create_connection((where.hostname, where.port), timeout=10) as sock:
        head = [f"{method} {path} HTTP/1.1", f"Host: {where.netloc}",
                *(f"{k}: {v}" for k, v in headers.items())]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        for chunk in chunks:
            sock.sendall(chunk)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response, response.read()


def error_code(body: bytes) -> str:
    return json.loads(body)["error"]["code"]


def test_a_declared_length_over_the_limit_gets_413_before_the_body_is_sent(server, tokens):
    response, body = exchange(server, "POST", "/api/v1/reports",
                              {**bearer(tokens["tr-officer"]), "Content-Length": "52000000",
                               "Content-Type": "application/json"})
    assert response.status == 413 and error_code(body) == "too_large"
    assert response.getheader("content-type") == "application/json"
    assert response.getheader("x-content-type-options") == "nosniff"


def test_a_declared_length_over_the_limit_gets_413_on_a_page_form_too(server):
    response, body = exchange(server, "POST", "/login",
                              {"Content-Length": str(LIMIT + 1),
                               "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 413 and error_code(body) == "too_large"


@pytest.mark.parametrize("path", ["/api/v1/reports", "/api/v1/incidents/merge",
                                  f"/api/v1/incidents/{INCIDENT}/split",
                                  f"/api/v1/incidents/{INCIDENT}/verdicts"])
def test_no_token_gets_401_before_the_body_is_sent(server, path):
    response, body = exchange(server, "POST", path, {"Content-Length": "500000",
                                                     "Content-Type": "application/json"})
    assert response.status == 401 and error_code(body) == "unauthenticated"
    assert response.getheader("www-authenticate") == "Bearer"


@pytest.mark.parametrize("credential", ["unknown", "revoked", "disabled", "not bearer"])
def test_a_token_that_is_no_good_gets_401_before_the_body_is_sent(server, database,
                                                                  credential):
    if credential == "revoked":
        token = accounts.issue_token(database, username="ru-officer")
        accounts.revoke_tokens(database, username="ru-officer")
    elif credential == "disabled":
        token = accounts.issue_token(database, username="ru-officer")
        accounts.set_active(database, username="ru-officer", active=False)
    else:
        token = "cfm_" + "x" * 43
    authorization = f"Basic {token}" if credential == "not bearer" else f"Bearer {token}"
    response, body = exchange(server, "POST", "/api/v1/reports",
                              {"Authorization": authorization, "Content-Length": "500000",
                               "Content-Type": "application/json"})
    assert response.status == 401 and error_code(body) == "unauthenticated"


def test_a_chunked_body_is_refused_once_it_passes_the_limit(server, tokens):
    # 16 chunks of 64 KiB reach the limit; the 17th passes it. The server answers then,
    # without waiting for the body's end, which is never sent.
    chunk = b"%x\r\n" % CHUNK + b" " * CHUNK + b"\r\n"
    response, body = exchange(server, "POST", "/api/v1/reports",
                              {**bearer(tokens["tr-officer"]),
                               "Transfer-Encoding": "chunked",
                               "Content-Type": "application/json"},
                              *[chunk] * (LIMIT // CHUNK + 1))
    assert response.status == 413 and error_code(body) == "too_large"


def test_requests_within_the_limit_still_work(server, tokens):
    with httpx2.Client(base_url=server, timeout=60) as client:
        created = client.post("/api/v1/reports", json=SHELLING,
                              headers=bearer(tokens["tr-officer"]))
        assert created.status_code == 201, created.text
        me = client.get("/api/v1/me", headers=bearer(tokens["tr-officer"]))
        assert me.json()["username"] == "tr-officer"
        assert client.get("/api/v1/me").status_code == 401
        assert client.get("/api/v1/parties", headers=bearer("cfm_bad")).status_code == 200
        merged = client.post("/api/v1/incidents/merge", json={"incidents": [], "reason": "x"},
                             headers=bearer(tokens["analyst"]))
        assert merged.status_code == 422  # read and checked, as before


class Body:
    """A request body that counts the chunks the app pulled from it."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.pulled += 1
            yield b" " * CHUNK


def send(database, headers: dict[str, str], body: Body) -> httpx2.Response:
    app = create_app(Settings(database_url=str(database.url)), database=database)

    async def post() -> httpx2.Response:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post("/api/v1/reports", content=body,
                                     headers={"Content-Type": "application/json", **headers})

    return asyncio.run(post())


def test_the_app_pulls_no_chunk_of_an_unauthenticated_body(database, tokens):
    body = Body(chunks=64)
    response = send(database, {}, body)
    assert response.status_code == 401 and body.pulled == 0


def test_the_app_pulls_a_chunked_body_only_up_to_the_limit(database, tokens):
    body = Body(chunks=64)  # 4 MiB
    response = send(database, bearer(tokens["tr-officer"]), body)
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    assert body.pulled == LIMIT // CHUNK + 1
