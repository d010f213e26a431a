"""Fixtures shared by the suite.

``database`` runs a test once per storage backend: SQLite (a copy of a migrated file) and
PostgreSQL (a fresh database cloned from a migrated template on the server named by
CEASEFIRE_TEST_POSTGRES_URL, which `make test` starts). Without that server the PostgreSQL
runs are skipped, unless CEASEFIRE_REQUIRE_POSTGRES is set (as `make test` and CI do), in
which case they fail.

The suite runs as from a clean shell: every CEASEFIRE_* variable of the caller's is removed
at start, but for the switches of the test run itself (TEST_SWITCHES), and the server's
passphrase is set to the suite's own. Records that take long to build are built once per
session and copied per test (``BuiltRecords``). Each test process (an xdist worker, say)
has its own templates, named after it.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ceasefire.intake.scenario import Scenario, locate, parse
from ceasefire.services import ledger
from ceasefire.store.db import Database

BACKENDS = ("sqlite", "postgresql")
# Opens the server's ledger key in every test database (and for CLI runs in-process).
SERVER_PASSPHRASE = "test server passphrase"
# Said by the caller to the test run itself; kept. Every other CEASEFIRE_* variable goes.
TEST_SWITCHES = frozenset({"CEASEFIRE_TEST_POSTGRES_URL", "CEASEFIRE_REQUIRE_POSTGRES",
                           "CEASEFIRE_SCREENSHOTS"})


def clean_environment(environ: MutableMapping[str, str]) -> None:
    """The suite's environment, whatever the caller's shell holds (its server passphrase,
    database URL, port, party key…): subprocesses started by tests inherit it."""
    for name in [n for n in environ if n.startswith("CEASEFIRE_") and n not in TEST_SWITCHES]:
        del environ[name]
    environ["CEASEFIRE_SERVER_PASSPHRASE"] = SERVER_PASSPHRASE


clean_environment(os.environ)
PG_URL = os.environ.get("CEASEFIRE_TEST_POSTGRES_URL")
# Each test process (an xdist worker, a suite a test runs) builds and names its own.
_TEMPLATE = f"ceasefire_test_template_{os.getpid()}"
_names = itertools.count()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "ceasefire.db"
    db = Database(f"sqlite:///{path}", server_passphrase=SERVER_PASSPHRASE)
    db.upgrade()
    ledger.prepare(db)  # one server key, cloned with the template into every test database
    db.dispose()  # closing the last connection folds the WAL into the file
    return path


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[object]:
    if not PG_URL:
        if os.environ.get("CEASEFIRE_REQUIRE_POSTGRES"):
            pytest.fail("CEASEFIRE_TEST_POSTGRES_URL is not set; run the suite with `make test`")
        pytest.skip("no PostgreSQL server (set CEASEFIRE_TEST_POSTGRES_URL or use `make test`)")
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {_TEMPLATE}"))
        conn.execute(text(f"CREATE DATABASE {_TEMPLATE}"))
    template = Database(url.set(database=_TEMPLATE).render_as_string(hide_password=False),
                        server_passphrase=SERVER_PASSPHRASE)
    template.upgrade()
    ledger.prepare(template)
    template.dispose()
    yield admin
    admin.dispose()


def _postgres_database(admin, name: str) -> Iterator[Database]:
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}"))
    url = make_url(PG_URL).set(database=name)
    db = Database(url.render_as_string(hide_password=False), server_passphrase=SERVER_PASSPHRASE)
    yield db
    db.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))


@dataclass(frozen=True)
class Recipe:
    """How a record is built: `build` makes it from the migrated template, or from the
    record of `base` if there is one, and returns what its tests need to know (tokens,
    ids)."""

    name: str
    build: Callable[[Database, Path], Any]
    base: Recipe | None = None


class BuiltRecords:
    """Records that take long to build (a scenario with the UCDP extract imported, say),
    each built once per session (and xdist worker) and backend, then copied for every test
    that asks: a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL."""

    def __init__(self, request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> None:
        self._session = request
        self._tmp = tmp_path_factory
        self._built: dict[tuple[str, str], tuple[str, Any]] = {}  # -> its URL, what it gave

    def copy(self, request: pytest.FixtureRequest, recipe: Recipe) -> Database:
        """A copy of the recipe's record on the test's backend (the fixture asking names
        `backend`, so that the test runs on each), dropped after the test; what the build
        returned is its `built`."""
        backend = request.getfixturevalue("backend")
        url, built = self._record(recipe, backend)
        copy_name = f"ceasefire_test_{os.getpid()}_{next(_names)}"
        if backend == "sqlite":
            path = request.getfixturevalue("tmp_path") / f"{copy_name}.db"
            shutil.copy(make_url(url).database, path)
            db = Database(f"sqlite:///{path}", server_passphrase=SERVER_PASSPHRASE)
            request.addfinalizer(db.dispose)
        else:
            admin = self._session.getfixturevalue("postgres_admin")
            with admin.connect() as conn:
                conn.execute(text(f"CREATE DATABASE {copy_name} "
                                  f"TEMPLATE {make_url(url).database}"))
            db = Database(make_url(url).set(database=copy_name)
                          .render_as_string(hide_password=False),
                          server_passphrase=SERVER_PASSPHRASE)

            def drop() -> None:
                db.dispose()
                _drop(admin, copy_name)
            request.addfinalizer(drop)
        db.built = built
        return db

    def sqlite_copy(self, recipe: Recipe, path: Path) -> Database:
        """A SQLite copy of the recipe's record at `path`, for a module's tests to share
        (a live server over one record, say); the caller disposes of it."""
        url, built = self._record(recipe, "sqlite")
        shutil.copy(make_url(url).database, path)
        db = Database(f"sqlite:///{path}", server_passphrase=SERVER_PASSPHRASE)
        db.built = built
        return db

    def _record(self, recipe: Recipe, backend: str) -> tuple[str, Any]:
        if (recipe.name, backend) not in self._built:
            start = None if recipe.base is None else self._record(recipe.base, backend)[0]
            self._built[recipe.name, backend] = self._build(recipe, backend, start)
        return self._built[recipe.name, backend]

    def _build(self, recipe: Recipe, backend: str, start: str | None) -> tuple[str, Any]:
        tmp = self._tmp.mktemp(f"built-{recipe.name}-{backend}")
        if backend == "sqlite":
            path = tmp / "built.db"
            shutil.copy(self._session.getfixturevalue("sqlite_template") if start is None
                        else make_url(start).database, path)
            url = f"sqlite:///{path}"
        else:
            admin = self._session.getfixturevalue("postgres_admin")
            database = f"ceasefire_built_{recipe.name}_{os.getpid()}"
            source = _TEMPLATE if start is None else make_url(start).database
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {database}"))
                conn.execute(text(f"CREATE DATABASE {database} TEMPLATE {source}"))
            url = make_url(PG_URL).set(database=database).render_as_string(
                hide_password=False)
            self._session.addfinalizer(lambda: _drop(admin, database))
        db = Database(url, server_passphrase=SERVER_PASSPHRASE)
        try:
            built = recipe.build(db, tmp)
        finally:
            db.dispose()  # a template takes no other connection; SQLite folds its WAL
        return url, built


def _drop(admin, database: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))


@pytest.fixture(scope="session")
def built_records(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> BuiltRecords:
    if PG_URL:  # set up first, so that it is torn down after the records it holds
        request.getfixturevalue("postgres_admin")
    return BuiltRecords(request, tmp_path_factory)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def _database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    name = f"ceasefire_test_{os.getpid()}_{next(_names)}"
    if backend == "sqlite":
        path = tmp_path / f"{name}.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        db = Database(f"sqlite:///{path}", server_passphrase=SERVER_PASSPHRASE)
        yield db
        db.dispose()
    else:
        yield from _postgres_database(request.getfixturevalue("postgres_admin"), name)


@pytest.fixture
def database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database on each backend."""
    yield from _database(backend, request, tmp_path)


@pytest.fixture
def second_database(backend: str, request: pytest.FixtureRequest,
                    tmp_path: Path) -> Iterator[Database]:
    """Another one on the same backend, for moving records between databases."""
    yield from _database(backend, request, tmp_path)


@pytest.fixture(scope="session")
def syria_scenario() -> Scenario:
    source, body = locate("syria-2016")
    return parse(body, source=source)


# -- a line per backend in the summary, so both counts are in plain sight -----------------

_outcomes: dict[str, Counter[str]] = {b: Counter() for b in BACKENDS}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") in BACKENDS:
            # Carried by the test's reports, across xdist workers too.
            item.user_properties.append(("backend", callspec.params["backend"]))
            item.add_marker(pytest.mark.db)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    backend = dict(report.user_properties).get("backend")
    if backend is None:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _outcomes[backend][report.outcome] += 1


def pytest_terminal_summary(terminalreporter) -> None:
    terminalreporter.section("storage backends")
    for backend in BACKENDS:
        counts = _outcomes[backend]
        line = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no tests"
        terminalreporter.write_line(f"{backend}: {line}")
