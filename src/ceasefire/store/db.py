"""The database: engine, transactions and schema migrations, for SQLite and PostgreSQL.

SQLite runs in WAL mode with foreign keys on; a write transaction starts with
``BEGIN IMMEDIATE`` so two writers queue for the lock instead of failing half-way.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from functools import cached_property
from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError as AlembicError
from sqlalchemy import Connection, Engine
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
from ceasefire.ledger.witnesses import NONE, Witnesses
from ceasefire.store import changes, columnar, dialects

# store.reports writes through the driver's own calls (executemany, COPY) for speed.
_DRIVER_INTEGRITY = (sqlite3.IntegrityError, psycopg.IntegrityError)
# ... and from those the database's own failures: a full disk, a lost connection.
_DRIVER_OPERATIONAL = (sqlite3.OperationalError, psycopg.OperationalError)

_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql", "postgres": "postgresql"}


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
    return dialects.named(_DRIVERS[backend]).accept(url, field=field)


def _create_private(path: Path) -> None:
    """Make a new SQLite file readable and writable by its owner alone, before SQLite
    makes it with the process's umask. SQLite gives its -wal and -shm files the mode of
    the database file. An existing file is left as it is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


DEFAULT_ORIGIN = "ceasefire-monitor.local/ledger"


class HeldLock:
    """A lock held for as long as its own connection to the database lives."""

    def __init__(self, connection: Connection, release: Callable[[], None]) -> None:
        self._connection = connection
        self._release = release

    def release(self) -> None:
        # At once, so another process may take it now; on a lost connection the
        # session's end frees it instead.
        with suppress(Exception):
            self._release()
        # Closed for good, not back into the pool: were the unlock lost, the session's end
        # still frees the lock.
        self._connection.invalidate()
        self._connection.close()


class Database:
    """One database, built from its URL; shared by the CLI, the API and the tests."""

    def __init__(self, url: str, *, server_passphrase: str | None = None,
                 origin: str = DEFAULT_ORIGIN, witnesses: Witnesses = NONE) -> None:
        self.url = parse_url(url)
        self.origin = origin  # the ledger's name in its checkpoints (CEASEFIRE_LOG_ORIGIN)
        # Who cosigns its checkpoints (CEASEFIRE_WITNESSES): a bulletin waits for them.
        self.witnesses = witnesses
        # Opens the server's signing key, sealed in the database (services.ledger).
        self.server_passphrase = server_passphrase
        # A party's own signing key, when the CLI was given one: entries for that party's
        # actions are signed with it rather than by the server on its behalf.
        self.party_key: object | None = None
        # What services keep for this database between transactions (e.g. the opened
        # server key): per Database, so two databases never share an entry.
        self.memo: dict[str, object] = {}
        self.dialect = dialects.named(self.url.get_backend_name())
        self.engine = self._create_engine()
        self._write_lock = self.dialect.process_lock()

    @property
    def backend(self) -> str:
        return self.dialect.name

    def try_hold(self, key: int) -> HeldLock | None:
        """Take the lock `key` if no other process holds it (dialects.Dialect.try_hold)."""
        connection = self.engine.connect()
        if self.dialect.try_hold(connection, key):
            return HeldLock(connection, lambda: self.dialect.let_go(connection, key))
        connection.close()
        return None

    def _create_engine(self) -> Engine:
        try:
            if self.dialect.in_a_file:  # made private before the driver makes it
                _create_private(Path(self.url.database or ""))
            return self.dialect.engine(self.url)
        except (NoSuchModuleError, ArgumentError, OSError) as exc:
            raise ConfigError(str(exc), field="CEASEFIRE_DATABASE_URL") from exc

    def describe(self) -> str:
        return self.url.render_as_string(hide_password=True)

    def exposed(self) -> str | None:
        """A warning when others than its owner may read or write the SQLite file, which
        holds the sealed server key and the credential hashes; None if all is well."""
        if not self.dialect.in_a_file:
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
                    connection.execution_options(**{dialects.WRITE: True})
                with Session(bind=connection, expire_on_commit=False,
                             info={"database": self}) as session, session.begin():
                    if write:
                        self.dialect.begin_writing(session)
                        columnar.begin(session)
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
            with (self.engine.connect() as connection,
                  self.dialect.migrating(connection), connection.begin()):
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                self.dialect.check_migrated(connection)
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
