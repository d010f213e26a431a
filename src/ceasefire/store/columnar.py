"""The record's facts read straight into Arrow arrays through ADBC: a batch run's columns
with no Python object per row (docs/decisions.md, "The batch run reads through ADBC").

The ADBC driver is a connection of its own: it sees what is committed, not what the
session has written and not committed. So it is used only where it reads exactly what the
session would (`reads_as`): the session holds the writers' lock, so nothing can commit
meanwhile, and has written nothing in its transaction. Elsewhere (a first import that
correlates its own reports before committing, a read-only session) the caller keeps the
session's own driver.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Integer, case, cast, func, literal, select, text
from sqlalchemy.orm import Session

from ceasefire.correlate.columns import Facts
from ceasefire.correlate.hashes import Utf8
from ceasefire.store import dialects
from ceasefire.store.tables import ActorRow, ReportActorRow, ReportRow

_CHANGES_AT_BEGIN = "ceasefire_changes_at_begin"  # session.info: SQLite's count at BEGIN

# Columns that may be NULL, each with a stand-in of its type: SQLite's ADBC driver types a
# column by its first rows, and one that starts with NULLs and then holds text fails. A
# bit per column says where the stand-in is a NULL.
_NULLABLE = {"lon": 0.0, "lat": 0.0, "adm1": "", "adm2": "", "adm3": "", "source_key": ""}
_TIMES = ("earliest", "latest", "received_at")
_FEW = ("adm1", "adm2", "adm3", "time_precision", "violation", "source_name", "source_key")
_COLUMNS = ("id", "uid", "lon", "lat", "where_precision", "adm1", "adm2", "adm3", "earliest",
            "latest", "time_precision", "violation", "civilians_targeted", "killed_best",
            "source_name", "source_key", "narrative", "received_at", "party_id")


class _Backend:
    """How ADBC reaches one backend, and whether the session has written."""

    def connect(self, session: Session) -> Any:
        raise NotImplementedError

    def written(self, session: Session) -> bool:
        raise NotImplementedError

    @contextmanager
    def snapshot(self, session: Session, connection: Any) -> Iterator[None]:
        yield


class _SQLite(_Backend):
    def connect(self, session: Session) -> Any:
        import adbc_driver_sqlite.dbapi  # the batch run alone needs it

        path = Path(session.connection().engine.url.database or "").resolve()
        # Read-only, so that this connection can never take the lock the session holds.
        return adbc_driver_sqlite.dbapi.connect(
            f"file:{urllib.parse.quote(str(path))}?mode=ro")

    def written(self, session: Session) -> bool:
        # total_changes counts the rows this connection inserted, updated or deleted since
        # it opened; `begin` noted it when the transaction began. Without the note (a
        # session not made by Database) the answer is "written", the safe one.
        at_begin = session.info.get(_CHANGES_AT_BEGIN)
        return at_begin is None or _driver(session).total_changes != at_begin


class _PostgreSQL(_Backend):
    def connect(self, session: Session) -> Any:
        import adbc_driver_postgresql.dbapi  # the batch run alone needs it

        url = session.connection().engine.url.set(drivername="postgresql")
        return adbc_driver_postgresql.dbapi.connect(url.render_as_string(hide_password=False),
                                                    autocommit=True)

    def written(self, session: Session) -> bool:
        # A transaction is given an id at its first write, and not before.
        return session.execute(text("SELECT pg_current_xact_id_if_assigned()")).scalar() \
            is not None

    @contextmanager
    def snapshot(self, session: Session, connection: Any) -> Iterator[None]:
        # The session's own snapshot, imported: every query reads the record as the
        # session sees it, whatever commits meanwhile (a writer that took no lock).
        name = session.execute(text("SELECT pg_export_snapshot()")).scalar()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute(f"SET TRANSACTION SNAPSHOT '{name}'")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")


_BACKENDS: dict[dialects.Dialect, _Backend] = {
    dialects.SQLITE: _SQLite(), dialects.POSTGRESQL: _PostgreSQL()}


def _driver(session: Session) -> Any:
    return session.connection().connection.driver_connection


def begin(session: Session) -> None:
    """Note where a write transaction began (Database calls it), for `reads_as`."""
    if dialects.of(session) is dialects.SQLITE:
        session.info[_CHANGES_AT_BEGIN] = _driver(session).total_changes


def reads_as(session: Session) -> bool:
    """Whether a connection of ADBC's own reads exactly what this session would: the
    session holds the writers' lock (so nothing commits meanwhile) and has written
    nothing in its transaction (its ORM objects flushed first, as a query would)."""
    if not session.connection().get_execution_options().get(dialects.WRITE, False):
        return False
    session.flush()
    return not _BACKENDS[dialects.of(session)].written(session)


def _reports_query(session: Session) -> str:
    row = ReportRow.__table__.c
    nulls = sum((cast(row[name].is_(None), Integer) * (1 << bit)
                 for bit, name in enumerate(_NULLABLE)), literal(0))
    selected = [func.coalesce(row[c], _NULLABLE[c]) if c in _NULLABLE else row[c]
                for c in _COLUMNS]
    query = select(*selected, nulls).order_by(row.id)
    return str(query.compile(dialect=session.get_bind().dialect,
                             compile_kwargs={"literal_binds": True}))


def _namings_query(session: Session) -> str:
    link = ReportActorRow
    query = select(link.report_id, link.actor_id * 2 + case((link.role == "target", 1),
                                                             else_=0))
    return str(query.compile(dialect=session.get_bind().dialect,
                             compile_kwargs={"literal_binds": True}))


def fact_columns(session: Session) -> tuple[NDArray[np.int64], Facts]:
    """What store.incidents.fact_columns gives, read into Arrow: call only where
    `reads_as(session)`."""
    import pyarrow as pa

    backend = _BACKENDS[dialects.of(session)]
    actors = sorted((i, c) for i, c in session.execute(select(ActorRow.id, ActorRow.code)))
    with (backend.connect(session) as connection, backend.snapshot(session, connection),
          connection.cursor() as cursor):
        cursor.execute(_reports_query(session))
        reports = cursor.fetch_arrow_table()
        cursor.execute(_namings_query(session))
        namings = cursor.fetch_arrow_table()
    row_ids = _numbers(reports.column(0), np.int64)
    nulls = _numbers(reports.column(len(_COLUMNS)), np.int64)
    column = dict(zip(_COLUMNS, reports.columns, strict=False))

    def null(name: str) -> NDArray[np.bool_]:
        return (nulls >> list(_NULLABLE).index(name) & 1).astype(np.bool_)

    def real(name: str) -> NDArray[np.float64]:
        values = np.array(column[name].to_numpy(), np.float64)  # a copy of its own
        values[null(name)] = np.nan
        return values

    def few(name: str) -> NDArray[np.object_]:
        """Text of few distinct values: each distinct one made a Python string once."""
        values = column[name].combine_chunks().dictionary_encode()
        found = values.dictionary.to_numpy(zero_copy_only=False)[
            values.indices.to_numpy(zero_copy_only=False)].astype(object, copy=False)
        if name in _NULLABLE:
            found[null(name)] = None
        return found

    def time(name: str) -> NDArray[np.int64]:
        values = column[name]
        if pa.types.is_string(values.type):
            values = values.cast(pa.timestamp("us"))  # SQLite's text, naive UTC
        if pa.types.is_timestamp(values.type):  # PostgreSQL's, in UTC
            values = values.cast(pa.timestamp("us", values.type.tz)).cast(pa.int64())
        return _numbers(values, np.int64)

    def strings(name: str) -> tuple[NDArray[np.object_], Utf8 | None]:
        """Text of a value a report: as Python strings (what the engine's columns hold)
        and as Arrow has them, to be hashed from there."""
        if not reports.num_rows:  # no text to type the column by: numbers, then
            return np.zeros(0, object), None
        values = column[name].cast(pa.large_string()).combine_chunks()  # 64-bit offsets
        _, offsets, data = values.buffers()
        at = np.frombuffer(offsets, np.int64)[values.offset:values.offset + len(values) + 1]
        data = np.zeros(0, np.uint8) if data is None else np.frombuffer(data, np.uint8)
        return values.to_numpy(zero_copy_only=False), (data, at)

    actor_ids = np.array([i for i, _ in actors], np.int64)
    named_by = _numbers(namings.column(0), np.int64)
    naming = _numbers(namings.column(1), np.int64)
    (ids, ids_utf8), (narrative, narrative_utf8) = strings("uid"), strings("narrative")
    return row_ids, Facts(
        ids=ids, lon=real("lon"), lat=real("lat"),
        precision=_numbers(column["where_precision"], np.int64),
        adm1=few("adm1"), adm2=few("adm2"), adm3=few("adm3"),
        earliest=time("earliest"), latest=time("latest"),
        time_precision=few("time_precision"), violation=few("violation"),
        civilians=_numbers(column["civilians_targeted"], np.int64).astype(np.bool_),
        killed=_numbers(column["killed_best"], np.int64),
        source_name=few("source_name"), source_key=few("source_key"),
        narrative=narrative, received=time("received_at"),
        party=_numbers(column["party_id"], np.int64),
        named_by=_positions(row_ids, named_by), named_target=naming % 2 == 1,
        named=np.searchsorted(actor_ids, naming // 2),
        actor_codes=tuple(code for _, code in actors), ids_utf8=ids_utf8,
        narrative_utf8=narrative_utf8)


def _numbers(values: Any, dtype: Any) -> Any:
    """An Arrow column of numbers (or booleans) without NULLs, as a numpy array."""
    return np.asarray(values.to_numpy(), dtype=dtype)


def _positions(row_ids: NDArray[np.int64], of: NDArray[np.int64]) -> NDArray[np.int64]:
    """Where each of `of` is in `row_ids` (ascending): a subtraction where the ids run
    without a gap, as a record never deleted from does."""
    if len(row_ids) and row_ids[-1] - row_ids[0] == len(row_ids) - 1:
        return of - row_ids[0]
    return np.searchsorted(row_ids, of)
