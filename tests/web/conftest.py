"""A live server on 127.0.0.1 and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn
from playwright.sync_api import Browser, sync_playwright

from ceasefire.api.app import create_app
from ceasefire.config import Settings
from ceasefire.store.db import Database
from tests.conftest import SERVER_PASSPHRASE

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def live_server(tmp_path) -> Iterator[str]:
    database = Database(f"sqlite:///{tmp_path / 'web.db'}", server_passphrase=SERVER_PASSPHRASE)
    database.upgrade()
    app = create_app(Settings(database_url=str(database.url)), database=database)
    # The socket listens before the server thread starts, so the first request simply
    # waits in the backlog: no polling for readiness.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()
    database.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
