"""A live server on 127.0.0.1 and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Route,
    expect,
    sync_playwright,
)

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.services.logins import set_password
from ceasefire.store.db import Database
from tests.conftest import SERVER_PASSPHRASE
from tests.factories import PASSWORD, add_login

CHROMIUM = "/usr/bin/chromium"
# Where browser tests keep their screenshots, for a person to look at after a run.
SCREENSHOTS = Path(os.environ.get("CEASEFIRE_SCREENSHOTS",
                                  Path(__file__).parents[2] / "build" / "screenshots"))
# How long the browser may take to show what a test waits for: a ceiling, not a pause
# (a test goes on as soon as the page is ready). Playwright's 5 s default failed on a
# machine with both cores loaded; no test may depend on the machine's speed.
expect.set_options(timeout=120_000)
PAGE_TIMEOUT_MS = 180_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    api_token: str


def fits(page: Page) -> None:
    """Nothing wider than the screen: no sideways scrolling on a phone. On failure, the
    outermost elements that stick out (not those inside a scrolling region), to say what
    to fix."""
    # After a form's redirect the page may be shown before its style sheet applies.
    page.wait_for_load_state("load")
    width, inner = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                && !e.parentElement.closest('.scroll')
                && e.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' +
                         Math.round(e.getBoundingClientRect().right))""")
    assert width <= inner, f"{page.url}: {width} px wide on a {inner} px screen: {wide}"


PHONE, DESK = {"width": 390, "height": 844}, {"width": 1366, "height": 900}


def shot(page: Page, name: str) -> None:
    """The whole page, kept in build/screenshots to be looked at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@contextmanager
def readers(browser: Browser, site: str, password: str,
            ) -> Iterator[Callable[..., Page]]:
    """Opens pages of `site`, each in a browser context of its own, logged in as the user
    given (None: the public) and fetching nothing from elsewhere; closed on leaving."""
    contexts = []

    def open_as(username: str | None, viewport: dict[str, int] = DESK) -> Page:
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_()
                   if route.request.url.startswith(site) else route.abort())
        if username:
            page.goto(f"{site}/login")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(username)
        return page

    try:
        yield open_as
    finally:
        for context in contexts:
            context.close()


@contextmanager
def served_copy(built_records: Any, recipe: Any, directory: Path, password: str,
                usernames: Iterable[str]) -> Iterator[tuple[Database, str]]:
    """A SQLite copy of a built record (tests/conftest.py), these accounts given the
    password, served on loopback: the record and its address."""
    db = built_records.sqlite_copy(recipe, directory / "record.db")
    try:
        for username in usernames:
            set_password(db, username=username, password=password)
        with serving(db) as url:
            yield db, url
    finally:
        db.dispose()


@contextmanager
def serving(database: Database, *, access_log: bool = False) -> Iterator[str]:
    app = create_app(Settings(database_url=str(database.url)), database=database)
    # The socket listens before the server thread starts, so the first request simply
    # waits in the backlog: no polling for readiness.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    # log_config=None: uvicorn leaves the process's logging alone, so its records reach
    # pytest's handlers like any other.
    config = uvicorn.Config(app, log_config=None, access_log=access_log,
                            log_level="info" if access_log else "warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture
def web_database(tmp_path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'web.db'}", server_passphrase=SERVER_PASSPHRASE)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def login(web_database) -> Login:
    account, token = add_login(web_database)
    return Login(account.username, PASSWORD, token)


@pytest.fixture
def live_server(web_database) -> Iterator[str]:
    with serving(web_database) as url:
        yield url


# Per module, not per session: while Playwright's sync API is open it keeps an event loop
# running on this thread, and tests elsewhere that call asyncio.run() would fail after it.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        real_new_context = browser.new_context

        def new_context(**options):  # every page of the suite gets the same ceiling
            context = real_new_context(**options)
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            context.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
            return context

        browser.new_context = new_context  # type: ignore[method-assign]
        yield browser
        browser.close()


@dataclass
class Watched:
    """A page in a fresh browser context, with what it tried to fetch elsewhere and what
    the browser said on its console."""

    page: Page
    outside: list[str]
    console: list[ConsoleMessage]

    def csp_violations(self) -> list[str]:
        return [m.text for m in self.console if "Content Security Policy" in m.text]


@pytest.fixture
def watched_page(browser, live_server) -> Iterator[Watched]:
    context = browser.new_context()
    page = context.new_page()
    watched = Watched(page, [], [])

    def only_local(route: Route) -> None:
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            watched.outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.on("console", lambda message: watched.console.append(message))
    yield watched
    context.close()


def csrf(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page carries no form token"
    return found.group(1)


@contextmanager
def page_clients(database: Database, password: str) -> Iterator[Callable[[str], TestClient]]:
    """Clients of the pages, each logged in (a real session) as the username given;
    closed on leaving."""
    from tests.api.seed import app_for

    clients: list[TestClient] = []

    def log_in(username: str) -> TestClient:
        client = TestClient(app_for(database), base_url="https://testserver",
                            follow_redirects=False)
        clients.append(client)
        page = client.get("/login")
        answer = client.post("/login", data={"username": username, "password": password,
                                              "csrf_token": csrf(page.text)})
        assert answer.status_code == 303, answer.text
        return client

    try:
        yield log_in
    finally:
        for c in clients:
            c.close()
