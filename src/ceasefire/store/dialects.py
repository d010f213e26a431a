"""What SQLite and PostgreSQL spell differently, one object per backend: the rest of
store/ asks `of(bind)` and never tests a backend's name itself. (SQL expressions that
differ are SQLAlchemy constructs in sqlfunc.py; the migrations keep their own spellings,
as they were when written.)

The bulk paths (store.reports, the ledger's written-record lists) talk to the driver
directly for speed, so the driver's own differences are here too: parameter marks, how a
time, a JSON value or a boolean is passed, how a list is matched, how rows are copied in.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, create_engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from ceasefire.errors import ConfigError, StorageUnavailable

WRITE = "ceasefire_write"  # a connection's execution option: this transaction writes
WRITERS_LOCK = 0x6C656467  # any fixed number: PostgreSQL's advisory lock for writers
ASKER_LOCK = 0x77697473  # the one server process that asks the witnesses holds this


class Dialect:
    """The spellings both backends share; each backend overrides what it spells its way."""

    name: str
    mark: str  # the driver's parameter mark
    naive_times: bool  # stores times without their zone (as UTC)
    in_a_file: bool  # the database is a file of ours (its mode is ours to keep private)
    render_as_batch: bool  # migrations rebuild tables to change them

    def accept(self, url: URL, *, field: str) -> URL:
        """The URL with our driver, or an error naming what it lacks."""
        raise NotImplementedError

    def engine(self, url: URL) -> Engine:
        raise NotImplementedError

    def process_lock(self) -> threading.Lock | None:
        """A lock this process's writers queue on before the database's own (or None)."""
        return None

    def begin_writing(self, session: Session) -> None:
        """What a write transaction does first, so that writers take turns."""

    serves_many: bool = False  # whether several server processes may share the database

    def try_hold(self, connection: Connection, key: int) -> bool:
        """Take a lock for as long as `connection` lives, if no other process holds it:
        one process of several does a job (asks the witnesses), another takes over when
        it ends. One process alone always holds it."""
        return True

    def let_go(self, connection: Connection, key: int) -> None:
        """Give up a lock `try_hold` took, at once (ending the session does too, later)."""

    def read_one_snapshot(self, session: Session) -> None:
        """Make this read transaction read one snapshot of the database from its first
        query to its end, whatever others commit meanwhile; called before any query. On
        SQLite a read transaction in WAL mode already does."""

    @contextmanager
    def migrating(self, connection: Connection) -> Iterator[None]:
        """Around a migration's transaction."""
        yield

    def check_migrated(self, connection: Connection) -> None:
        """After a migration, before it commits."""

    # -- values as the driver takes them ------------------------------------------------

    def time(self, moment: datetime | None) -> Any:
        return moment

    def json(self, value: Any) -> Any:
        raise NotImplementedError

    def boolean(self, value: bool) -> Any:
        return value

    # -- what the driver gives back for a value it was given ------------------------
    # (a record digested from the values written is digested as if read back)

    def real_back(self, value: float | None) -> float | None:
        """A REAL (FLOAT) column's value, as written by `float` or `int`."""
        return None if value is None else float(value)

    def json_back(self, written: Any) -> Any:
        """A JSON column's value, as `json` made it to be written."""
        raise NotImplementedError

    # -- statements -----------------------------------------------------------------

    def upsert(self, table: Table) -> Insert:
        """INSERT … that takes ON CONFLICT."""
        raise NotImplementedError

    def matching(self, column: str, values: Sequence[Any]) -> tuple[str, Any]:
        """`column` is one of `values`: the SQL and its one parameter (the whole list), so
        there is no SQL to build per batch and no limit on the list's size."""
        raise NotImplementedError

    def before_lookups(self, session: Session) -> None:
        """Before a transaction that grows a table looks rows up in it, batch after batch."""

    def fetch(self, dbapi: Any, query: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with dbapi.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()

    def executemany(self, dbapi: Any, query: str, rows: Sequence[Sequence[Any]]) -> None:
        with dbapi.cursor() as cursor:
            cursor.executemany(query, rows)

    def next_ids(self, session: Session, table: str, count: int) -> list[int]:
        """`count` new row ids for `table`, chosen before its rows are written."""
        raise NotImplementedError

    def insert_returning_id(self, dbapi: Any, table: str, columns: Sequence[str],
                            row: Sequence[Any]) -> int:
        raise NotImplementedError

    def copy_in(self, dbapi: Any, table: str, columns: Sequence[str],
                types: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Many rows into `table`, by the driver's fastest call (`types`: PostgreSQL's)."""
        raise NotImplementedError


class _SQLite(Dialect):
    name, mark, naive_times, render_as_batch, in_a_file = "sqlite", "?", True, True, True

    def accept(self, url: URL, *, field: str) -> URL:
        if not url.database or url.database == ":memory:":
            raise ConfigError("SQLite needs a file path (sqlite:///PATH)", field=field)
        if url.query:
            raise ConfigError(f"SQLite URLs take no options, got ?{'&'.join(url.query)}",
                              field=field)
        return url.set(drivername="sqlite", database=str(Path(url.database).expanduser()))

    def engine(self, url: URL) -> Engine:
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine

    def process_lock(self) -> threading.Lock | None:
        # SQLite has one writer at a time. Threads of this process queue here, on a lock
        # that wakes the next at once, rather than in SQLite's busy handler, which polls
        # with sleeps of up to 100 ms. Other processes still meet the busy handler.
        return threading.Lock()

    @contextmanager
    def migrating(self, connection: Connection) -> Iterator[None]:
        # Foreign keys off: changing a constraint rebuilds the table (copy, drop, rename),
        # and with them on, dropping the old table would delete the rows that refer to it
        # (ON DELETE CASCADE). The pragma works only outside a transaction, so it is set
        # on the driver's connection before the migration's transaction begins.
        driver = connection.connection.driver_connection
        assert driver is not None  # an open connection has its driver's
        driver.execute("PRAGMA foreign_keys=OFF")
        try:
            yield
        finally:
            driver.execute("PRAGMA foreign_keys=ON")

    def check_migrated(self, connection: Connection) -> None:
        if broken := connection.exec_driver_sql("PRAGMA foreign_key_check").first():
            raise StorageUnavailable(f"a migration broke a foreign key: {tuple(broken)}")

    def time(self, moment: datetime | None) -> Any:
        return _sqlite_time(moment)

    def json(self, value: Any) -> Any:
        return json.dumps(value)

    def boolean(self, value: bool) -> Any:
        return int(value)

    def real_back(self, value: float | None) -> float | None:
        # SQLite keeps no negative zero: -0.0 comes back as 0.0, as the sum makes it.
        return None if value is None else float(value) + 0.0

    def json_back(self, written: Any) -> Any:
        return written  # the text, as stored

    def upsert(self, table: Table) -> Insert:
        return sqlite.insert(table)

    def matching(self, column: str, values: Sequence[Any]) -> tuple[str, Any]:
        return f"{column} IN (SELECT value FROM json_each(?))", json.dumps(list(values))

    def fetch(self, dbapi: Any, query: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return dbapi.execute(query, params).fetchall()

    def executemany(self, dbapi: Any, query: str, rows: Sequence[Sequence[Any]]) -> None:
        dbapi.executemany(query, rows)

    def next_ids(self, session: Session, table: str, count: int) -> list[int]:
        # The caller holds the write lock (BEGIN IMMEDIATE): nobody else takes ids.
        top = session.scalar(text(f"SELECT max(id) FROM {table}")) or 0
        return list(range(top + 1, top + 1 + count))

    def insert_returning_id(self, dbapi: Any, table: str, columns: Sequence[str],
                            row: Sequence[Any]) -> int:
        marks = ", ".join("?" * len(columns))
        return dbapi.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                             row).lastrowid

    def copy_in(self, dbapi: Any, table: str, columns: Sequence[str],
                types: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        marks = ", ".join("?" * len(columns))
        dbapi.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


class _PostgreSQL(Dialect):
    name, mark, naive_times, render_as_batch, in_a_file = "postgresql", "%s", False, False, False

    def accept(self, url: URL, *, field: str) -> URL:
        if not url.database:
            raise ConfigError("a PostgreSQL URL needs a database name", field=field)
        return url.set(drivername="postgresql+psycopg")

    def engine(self, url: URL) -> Engine:
        return create_engine(url, pool_pre_ping=True)

    serves_many = True  # writers take turns through an advisory lock every process sees

    def try_hold(self, connection: Connection, key: int) -> bool:
        held = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        connection.commit()  # a session-level lock: it outlives this transaction
        return bool(held)

    def let_go(self, connection: Connection, key: int) -> None:
        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        connection.commit()

    def begin_writing(self, session: Session) -> None:
        # Writers take turns, as on SQLite: every write appends to the one ledger, and a
        # writer that took the ledger's turn midway while holding row locks could
        # deadlock with another.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITERS_LOCK})

    def read_one_snapshot(self, session: Session) -> None:
        # READ COMMITTED, the default, takes a new snapshot for every statement.
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))

    def json(self, value: Any) -> Any:
        from psycopg.types.json import Json  # only PostgreSQL needs it

        return Json(value)

    def json_back(self, written: Any) -> Any:
        # psycopg parses a json column's text: the value, through its JSON text.
        return json.loads(json.dumps(written.obj))

    def upsert(self, table: Table) -> Insert:
        return postgresql.insert(table)

    def matching(self, column: str, values: Sequence[Any]) -> tuple[str, Any]:
        return f"{column} = ANY(%s)", list(values)

    def before_lookups(self, session: Session) -> None:
        # The planner's statistics predate this transaction's rows: it would scan the whole
        # growing table for each batch's look-up. The unique indexes answer it.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        # With scans priced out, any query over a small table costs past jit_above_cost and
        # is compiled, ~50 ms each: a per-incident look-up made a 3,484-row import 200 s.
        session.execute(text("SET LOCAL jit = off"))

    def next_ids(self, session: Session, table: str, count: int) -> list[int]:
        return list(session.scalars(
            text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                 "FROM generate_series(1, :n)"), {"n": count}))

    def insert_returning_id(self, dbapi: Any, table: str, columns: Sequence[str],
                            row: Sequence[Any]) -> int:
        marks = ", ".join(["%s"] * len(columns))
        with dbapi.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "
                           "RETURNING id", row)
            return int(cursor.fetchone()[0])

    def copy_in(self, dbapi: Any, table: str, columns: Sequence[str],
                types: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        with dbapi.cursor() as cursor, cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(list(types))
            for row in rows:
                copy.write_row(row)


SQLITE, POSTGRESQL = _SQLite(), _PostgreSQL()
DIALECTS: dict[str, Dialect] = {d.name: d for d in (SQLITE, POSTGRESQL)}


def named(name: str) -> Dialect:
    return DIALECTS[name]


def of(bind: Session | Connection | Engine) -> Dialect:
    """The dialect of a session's, a connection's or an engine's database."""
    found = bind.get_bind() if isinstance(bind, Session) else bind
    return DIALECTS[found.dialect.name]


@lru_cache(maxsize=8192)  # bulk rows repeat their days and their arrival time
def _sqlite_time(moment: datetime | None) -> str | None:
    # SQLAlchemy's own storage format for SQLite DATETIME (naive UTC), so the ORM reads
    # back exactly what the bulk path wrote.
    if moment is None:
        return None
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN, instead of pysqlite's implicit one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000",
                   "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    write = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

