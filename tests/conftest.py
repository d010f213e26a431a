"""Fixtures shared by the suite.

``database`` runs a test once per storage backend: SQLite (a copy of a migrated file) and
PostgreSQL (a fresh database cloned from a migrated template on the server named by
CEASEFIRE_TEST_POSTGRES_URL, which `make test` starts). Without that server the PostgreSQL
runs are skipped, unless CEASEFIRE_REQUIRE_POSTGRES is set (as `make test` and CI do), in
which case they fail.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ceasefire.intake.scenario import Scenario, locate, parse
from ceasefire.services import ledger
from ceasefire.store.db import Database

BACKENDS = ("sqlite", "postgresql")
# Opens the server's ledger key in every test database (and for CLI runs in-process).
SERVER_PASSPHRASE = "test server passphrase"
os.environ.setdefault("CEASEFIRE_SERVER_PASSPHRASE", SERVER_PASSPHRASE)
PG_URL = os.environ.get("CEASEFIRE_TEST_POSTGRES_URL")
_TEMPLATE = "ceasefire_test_template"
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
_backend_of: dict[str, str] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") in BACKENDS:
            _backend_of[item.nodeid] = callspec.params["backend"]
            item.add_marker(pytest.mark.db)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    backend = _backend_of.get(report.nodeid)
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
