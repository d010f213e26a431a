"""Bulk import of synthetic reports, against the raw driver writing the same rows.

Per backend, three databases of the same schema and indexes receive the same reports:

- raw: the rows our writer would write, built beforehand, sent with the driver alone
  (SQLite ``executemany``; PostgreSQL binary ``COPY``) in one transaction;
- store path: our ``ReportWriter`` given the normalised reports (row building, id
  allocation, actor links, the driver call), in one transaction;
- whole import: ``ceasefire import --no-correlate`` of the JSON Lines file (read,
  validate, geocode, resolve actors, de-duplicate, write, the imports log and the
  ledger's signed entry with every new report's digest), end to end, its commit
  included: the aim is at least 0.5 of raw on each backend (issue 20). Correlating the
  reports into incidents is not in it: it is measured on its own (bench/correlation*.py);
- skipping bad rows: the same file with 10 % of its rows spoilt (unknown actors, days
  that do not exist, points abroad, several problems at once), imported with
  ``--skip-invalid``; its rows read per second against the clean import's (the goal:
  at least 0.90, a bad row costing no more than a good one).

All run in this process, one after the other on the same data, so the ratios hold
whatever the machine's load. Size: BENCH_REPORTS (default 1,000,000).
"""

from __future__ import annotations

import gc
import json
import os
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench import PASSPHRASE
from bench.synthetic import write_reports
from ceasefire.intake.files import LineReader
from ceasefire.intake.formats.jsonl import JsonLines
from ceasefire.intake.normalise import content_digest, normalise
from ceasefire.intake.scenario import locate, parse
from ceasefire.services.imports import import_file
from ceasefire.services.intake import intake_context
from ceasefire.services.scenarios import load_scenario
from ceasefire.store.db import Database
from ceasefire.store.reports import _PG_ACTOR_TYPES, _PG_TYPES, ACTOR_COLUMNS, COLUMNS, ReportWriter

BATCH = 5000
REPORTS = int(os.environ.get("BENCH_REPORTS", "1000000"))
BAD_SHARE = 0.10
NAMES = ("raw", "store", "import", "skip")


def _fresh(url: str) -> Database:
    db = Database(url, server_passphrase=PASSPHRASE)
    db.upgrade()
    source, body = locate("syria-2016")
    load_scenario(db, parse(body, source=source))
    return db


@contextmanager
def _databases(workdir: Path) -> Iterator[dict[str, list[Database]]]:
    """Fresh databases per backend, one per method (PostgreSQL when a server is given)."""
    made: dict[str, list[Database]] = {"sqlite": [
        _fresh(f"sqlite:///{workdir}/{name}.db") for name in NAMES]}
    server = os.environ.get("CEASEFIRE_TEST_POSTGRES_URL")
    admin = None
    if server:
        admin = create_engine(make_url(server).set(drivername="postgresql+psycopg"),
                              isolation_level="AUTOCOMMIT")
        names = [f"bench_{name}" for name in NAMES]
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                conn.execute(text(f"CREATE DATABASE {name}"))
        made["postgresql"] = [
            _fresh(make_url(server).set(database=n).render_as_string(hide_password=False))
            for n in names]
    try:
        yield made
    finally:
        for dbs in made.values():
            for db in dbs:
                db.dispose()
        if admin is not None:
            with admin.connect() as conn:
                for name in names:
                    conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            admin.dispose()


def _spoilt(clean: Path, out: Path, *, seed: int = 2018) -> int:
    """The clean file with BAD_SHARE of its rows spoilt, each in one of the ways real files
    go wrong; returns how many."""
    rng = random.Random(seed)
    spoilt = 0
    with clean.open(encoding="utf-8") as lines, out.open("w", encoding="utf-8") as f:
        for line in lines:
            if rng.random() < BAD_SHARE:
                record = json.loads(line)
                kind = rng.randrange(4)
                if kind == 0:  # a group the registry does not know
                    record["perpetrators"] = [f"Brigade {rng.randrange(50)}"]
                elif kind == 1:  # a day that does not exist
                    record["when"] = {"date": "2017-02-30"}
                elif kind == 2:  # a point abroad
                    record["place"] = {"lon": 10.0, "lat": 10.0}
                else:  # several at once
                    record["targets"] = [f"Front {rng.randrange(50)}", "Lunar Legion"]
                    record["casualties"] = {"best": -1}
                line = json.dumps(record, separators=(",", ":")) + "\n"
                spoilt += 1
            f.write(line)
    return spoilt


def _batches(path: Path, db: Database) -> Iterator[tuple[list[Any], list[str]]]:
    """Normalised reports and their digests, a batch at a time (untimed preparation)."""
    now = datetime.now(UTC)
    with path.open("rb") as stream, db.session() as session:
        context = intake_context(session)
        drafts = JsonLines().read(LineReader(path, stream), None)
        while batch := list(islice(drafts, BATCH)):
            reports = normalise(context, batch, submitted_by="SEC", received_at=now)
            yield reports, [content_digest(r) for r in reports]


def _raw_write(db: Database, rows: list[tuple[Any, ...]], links: list[tuple[Any, ...]],
               connection: Any) -> None:
    if db.backend == "sqlite":
        connection.executemany(f"INSERT INTO reports ({', '.join(COLUMNS)}) VALUES "
                               f"({', '.join('?' * len(COLUMNS))})", rows)
        connection.executemany(f"INSERT INTO report_actors ({', '.join(ACTOR_COLUMNS)}) "
                               f"VALUES ({', '.join('?' * len(ACTOR_COLUMNS))})", links)
        return
    for table, columns, types, data in (("reports", COLUMNS, _PG_TYPES, rows),
                                         ("report_actors", ACTOR_COLUMNS, _PG_ACTOR_TYPES,
                                          links)):
        with connection.cursor() as cursor, cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(list(types))
            for row in data:
                copy.write_row(row)


@contextmanager
def _write_session(db: Database) -> Iterator[Session]:
    with db.engine.connect() as connection:
        connection.execution_options(ceasefire_write=True)  # BEGIN IMMEDIATE on SQLite
        with Session(bind=connection) as session:
            session.begin()
            yield session


def _store_vs_raw(path: Path, raw: Database, ours: Database) -> tuple[float, float, int]:
    """Seconds for the raw driver and for our writer, batch by batch on the same rows,
    each with its commit."""
    raw_s = ours_s = 0.0
    count = 0
    with _write_session(raw) as raw_session, _write_session(ours) as our_session:
        raw_conn = raw_session.connection().connection.driver_connection
        rows_of = ReportWriter(raw_session)  # builds the raw rows, untimed
        writer = ReportWriter(our_session)
        for reports, digests in _batches(path, ours):
            ids = range(count + 1, count + 1 + len(reports))
            rows = [rows_of._row(i, r, d, None, None, rows_of.dialect.time)
                    for i, r, d in zip(ids, reports, digests, strict=True)]
            links = [(i, *link) for i, r in zip(ids, reports, strict=True)
                     for link in rows_of._links(r)]
            gc.disable()
            start = time.perf_counter()
            _raw_write(raw, rows, links, raw_conn)
            raw_s += time.perf_counter() - start
            start = time.perf_counter()
            writer.write(reports, digests)
            ours_s += time.perf_counter() - start
            gc.enable()
            count += len(reports)
        start = time.perf_counter()
        raw_session.commit()
        raw_s += time.perf_counter() - start
        start = time.perf_counter()
        our_session.commit()
        ours_s += time.perf_counter() - start
    return raw_s, ours_s, count


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ceasefire-bench-") as tmp:
        workdir = Path(tmp)
        path = write_reports(workdir / "reports.jsonl", REPORTS)
        print(f"\nbulk_import: {REPORTS:,} synthetic reports "
              f"({path.stat().st_size / 1e6:.0f} MB of JSON Lines)")
        print("  raw: the rows, built beforehand, sent by the driver alone, and the commit;\n"
              "  whole import: read, check, normalise, de-duplicate, write, the ledger entry\n"
              "  (every new report's digest, signed) and the commit; not correlated")
        print(f"  {'backend':<12}{'method':<34}{'reports/s':>12}{'vs raw':>8}")
        dirty = workdir / "dirty.jsonl"
        bad = _spoilt(path, dirty)
        with _databases(workdir) as databases:
            for backend, (raw, store, whole, skip) in databases.items():
                raw_s, ours_s, count = _store_vs_raw(path, raw, store)
                start = time.perf_counter()
                summary = import_file(whole, path, format="jsonl", party="SEC",
                                      correlate=False)
                whole_s = time.perf_counter() - start
                assert summary.added == count == REPORTS
                start = time.perf_counter()
                skipped = import_file(skip, dirty, format="jsonl", party="SEC",
                                      rejects=workdir / "rejects.csv", correlate=False)
                skip_s = time.perf_counter() - start
                assert (skipped.read, skipped.rejected) == (REPORTS, bad)
                driver = "executemany" if backend == "sqlite" else "binary COPY"
                for label, seconds in ((f"raw {driver}", raw_s),
                                       ("our store path (ReportWriter)", ours_s),
                                       ("whole import of the file", whole_s),
                                       (f"same, {bad / REPORTS:.0%} bad rows skipped", skip_s)):
                    print(f"  {backend:<12}{label:<34}{count / seconds:>12,.0f}"
                          f"{raw_s / seconds:>8.2f}")
                print(f"  {backend:<12}{'whole import vs raw (aim ≥ 0.50)':<46}"
                      f"{raw_s / whole_s:>8.2f}")
                print(f"  {backend:<12}{'skipping bad rows vs clean (≥ 0.90)':<46}"
                      f"{whole_s / skip_s:>8.2f}")


if __name__ == "__main__":
    main()
