"""The database: engine, transactions and schema migrations, for SQLite and PostgreSQL.

SQLite runs in WAL mode with foreign keys on; a write transaction starts with
``BEGIN IMMEDIATE`` so two writers queue for the lock instead of failing half-way.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from functools import cached_property
from pathlib import Path
from typing import Any

import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError as AlembicError
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.orm import Session

from ceasefire.errors import ConfigError, Conflict, InvalidInput, StorageUnavailable
from ceasefire.store import changes

# store.reports writes through the driver's own calls (executemany, COPY) for speed.
_DRIVER_INTEGRITY = (sqlite3.IntegrityError, psycopg.IntegrityError)
# ... and from those the database's own failures: a full disk, a lost connection.
_DRIVER_OPERATIONAL = (sqlite3.OperationalError, psycopg.OperationalError)

_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg",
            "postgres": "postgresql+psycopg"}
_WRITE = "ceasefire_write"
WRITERS_LOCK = 0x6C656467  # any fixed number: PostgreSQL's advisory lock for writers


def parse_url(raw: str) -> URL:
    """Check a database URL and pick our driver for it; name what is wrong if it is bad."""
    field = "CEASEFIRE_DATABASE_URL"
    try:
        url = make_url(raw)
        url.port  # noqa: B018 - a non-numeric port only fails when read
    except (ArgumentError, ValueError):
        raise ConfigError(f"{raw!r} is not a database URL (e.g. sqlite:///data/ceasefire.db "
                          "or postgresql://user@127.0.0.1:5432/ceasefire)", field=field) from None
    backend = url.get_backend_name()
    if backend not in _DRIVERS:
        raise ConfigError(f"unsupported database {backend!r}: use sqlite or postgresql",
                          field=field)
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ConfigError("SQLite needs a file path (sqlite:///PATH)", field=field)
        if url.query:
            raise ConfigError(f"SQLite URLs take no options, got ?{'&'.join(url.query)}",
                              field=field)
        return url.set(drivername="sqlite", database=str(Path(url.database).expanduser()))
    if not url.database:
        raise ConfigError("a PostgreSQL URL needs a database name", field=field)
    return url.set(drivername=_DRIVERS[backend])


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN, instead of pysqlite's implicit one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000",
                   "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite: foreign keys off while migrating. Changing a constraint rebuilds the table
    (copy, drop, rename), and with them on, dropping the old table would delete the rows
    that refer to it (ON DELETE CASCADE). The pragma works only outside a transaction, so
    it is set on the driver's connection before the migration's transaction begins."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name == "sqlite" and (
            broken := connection.exec_driver_sql("PRAGMA foreign_key_check").first()):
        raise StorageUnavailable(f"a migration broke a foreign key: {tuple(broken)}")


def _create_private(path: Path) -> None:
    """Make a new SQLite file readable and writable by its owner alone, before SQLite
    makes it with the process's umask. SQLite gives its -wal and -shm files the mode of
    the database file. An existing file is left as it is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_on_begin(connection: Any) -> None:
    write = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Database:
    """One database, built from its URL; shared by the CLI, the API and the tests."""

    def __init__(self, url: str, *, server_passphrase: str | None = None) -> None:
        self.url = parse_url(url)
        # Opens the server's signing key, sealed in the database (services.ledger).
        self.server_passphrase = server_passphrase
        # A party's own signing key, when the CLI was given one: entries for that party's
        # actions are signed with it rather than by the server on its behalf.
        self.party_key: object | None = None
        # What services keep for this database between transactions (e.g. the opened
        # server key): per Database, so two databases never share an entry.
        self.memo: dict[str, object] = {}
        self.engine = self._create_engine()
        # SQLite has one writer at a time. Threads of this process queue here, on a lock
        # that wakes the next at once, rather than in SQLite's busy handler, which polls
        # with sleeps of up to 100 ms. Other processes still meet the busy handler.
        self._write_lock = threading.Lock() if self.backend == "sqlite" else None

    @property
    def backend(self) -> str:
        return self.url.get_backend_name()

    def _create_engine(self) -> Engine:
        try:
            if self.backend == "sqlite":
                _create_private(Path(self.url.database or ""))
                engine = create_engine(self.url, connect_args={"check_same_thread": False})
                event.listen(engine, "connect", _sqlite_on_connect)
                event.listen(engine, "begin", _sqlite_on_begin)
                return engine
            return create_engine(self.url, pool_pre_ping=True)
        except (NoSuchModuleError, ArgumentError, OSError) as exc:
            raise ConfigError(str(exc), field="CEASEFIRE_DATABASE_URL") from exc

    def describe(self) -> str:
        return self.url.render_as_string(hide_password=True)

    def exposed(self) -> str | None:
        """A warning when others than its owner may read or write the SQLite file, which
        holds the sealed server key and the credential hashes; None if all is well."""
        if self.backend != "sqlite":
            return None
        path = Path(self.url.database or "")
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            return None
        if not mode & 0o077:
            return None
        return (f"{path} may be read by others than its owner (mode {mode:o}), and it holds "
                f"the server's sealed key and the credential hashes: chmod 600 {path}")

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        lock = self._write_lock if write else None
        with lock or nullcontext(), self._transaction(write=write) as session:
            yield session

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Session]:
        try:
            with self.engine.connect() as connection:
                if write:
                    connection.execution_options(**{_WRITE: True})
                with Session(bind=connection, expire_on_commit=False,
                             info={"database": self}) as session, session.begin():
                    if write and self.backend == "postgresql":
                        # Writers take turns, as on SQLite: every write appends to the
                        # one ledger, and a writer that took the ledger's turn midway
                        # while holding row locks could deadlock with another.
                        session.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                                        {"k": WRITERS_LOCK})
                    yield session
                    if unlogged := changes.pending(session):
                        raise RuntimeError(f"changes without a ledger entry: {unlogged[:5]}")
        except (OperationalError, InterfaceError) as exc:
            raise StorageUnavailable(
                f"cannot use the database at {self.describe()}: {_first_line(exc.orig)}"
            ) from exc
        except IntegrityError as exc:  # e.g. two writers racing for one unique name
            raise Conflict(f"the database refused the change: {_first_line(exc.orig)}") from exc
        except _DRIVER_INTEGRITY as exc:  # the same, from the writers that use the driver
            raise Conflict(f"the database refused the change: {_first_line(exc)}") from exc
        except _DRIVER_OPERATIONAL as exc:  # e.g. "database or disk is full"
            raise StorageUnavailable(
                f"cannot use the database at {self.describe()}: {_first_line(exc)}") from exc
        except DataError as exc:  # a value the database cannot hold (PostgreSQL is stricter)
            raise InvalidInput(f"the database refused a value: {_first_line(exc.orig)}") from exc

    # -- schema -----------------------------------------------------------------------

    def _alembic_config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", "ceasefire.store:migrations")
        return config

    @cached_property
    def _scripts(self) -> ScriptDirectory:
        return ScriptDirectory.from_config(self._alembic_config())

    def head_revision(self) -> str | None:
        """The schema revision this version of the code needs."""
        return self._scripts.get_current_head()

    def _refuse_newer(self, current: str | None) -> None:
        if current is None:
            return
        try:
            self._scripts.get_revision(current)
        except AlembicError:
            raise StorageUnavailable(
                f"the database at {self.describe()} is at schema {current}, which this "
                "version does not know: it was made by a newer version of Ceasefire Monitor"
            ) from None

    def current_revision(self) -> str | None:
        try:
            with self.engine.connect() as connection:
                return MigrationContext.configure(connection).get_current_revision()
        except DBAPIError as exc:
            raise StorageUnavailable(
                f"cannot reach the database at {self.describe()}: {_first_line(exc.orig)}"
            ) from exc

    def upgrade(self, revision: str = "head") -> None:
        self._refuse_newer(self.current_revision())
        config = self._alembic_config()
        try:
            with (self.engine.connect() as connection, _foreign_keys_off(connection),
                  connection.begin()):
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                _check_foreign_keys(connection)
        except DBAPIError as exc:
            raise StorageUnavailable(
                f"cannot migrate the database at {self.describe()}: {_first_line(exc.orig)}"
            ) from exc

    def require_current(self) -> None:
        """Refuse to work on a database whose schema is not the one this code expects."""
        current, head = self.current_revision(), self.head_revision()
        self._refuse_newer(current)
        if current != head:
            raise StorageUnavailable(
                f"the database at {self.describe()} is at schema {current or 'none'}, "
                f"this version needs {head}: run `ceasefire db upgrade`")

    def dispose(self) -> None:
        self.engine.dispose()


def _first_line(error: BaseException | None) -> str:
    return str(error).strip().splitlines()[0] if error and str(error).strip() else "unknown error"
