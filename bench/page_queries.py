"""The raw queries the dashboard, the incident list and the map need, timed on the page
record (bench/page_db.py), first as the schema stands, then with candidate indexes added
in a scratch copy. A guide for the page authors, not a test.

Each query runs for one month (June 2017) and for the whole record (January to June
2017), ``RUNS`` times after one warm-up run; the table gives the median in ms, the rows
returned, and SQLite's plan (EXPLAIN QUERY PLAN, condensed) before and after.

    PYTHONPATH=. python -m bench.page_queries [DB]      # default: page_database()
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import sys
import time
from contextlib import closing
from pathlib import Path

RUNS = int(os.environ.get("BENCH_QUERY_RUNS", "5"))
PERIODS = {
    "1 month": ("2017-06-01 00:00:00.000000", "2017-07-01 00:00:00.000000"),
    "6 months": ("2017-01-01 00:00:00.000000", "2017-07-01 00:00:00.000000"),
}
# Incidents that began in the period, as bulletins count them (store/bulletins.py).
_IN = "i.earliest >= :a AND i.earliest < :b"
_STATUS = ("JOIN assessments s ON s.incident_uid = i.uid AND s.agreement_id = "
           "(SELECT id FROM agreements WHERE code = 'syria-2016')")
_PAGE = "ORDER BY i.earliest DESC, i.uid DESC LIMIT 50"
QUERIES: dict[str, str] = {
    "a1 count by day":
        f"SELECT substr(i.earliest, 1, 10) AS day, count(*) FROM incidents i WHERE {_IN} "
        "GROUP BY day",
    "a2 count by governorate":
        f"SELECT i.adm1, count(*) FROM incidents i WHERE {_IN} GROUP BY i.adm1",
    "a3 count by status":
        f"SELECT s.status, count(*) FROM incidents i {_STATUS} WHERE {_IN} GROUP BY s.status",
    "b  incidents by reporting party":
        "SELECT r.party_id, count(DISTINCT ir.incident_id) FROM incidents i "
        "JOIN incident_reports ir ON ir.incident_id = i.id JOIN reports r ON "
        f"r.id = ir.report_id WHERE {_IN} GROUP BY r.party_id",
    "c1 first page":
        f"SELECT i.* FROM incidents i WHERE {_IN} {_PAGE}",
    "c2 first page, status confirmed (rare)":
        f"SELECT i.*, s.status FROM incidents i {_STATUS} WHERE {_IN} "
        f"AND s.status = 'confirmed' {_PAGE}",
    "c3 first page, status pending (common)":
        f"SELECT i.*, s.status FROM incidents i {_STATUS} WHERE {_IN} "
        f"AND s.status = 'pending' {_PAGE}",
    "c4 first page, adm1 SY02 (Aleppo)":
        f"SELECT i.* FROM incidents i WHERE {_IN} AND i.adm1 = 'SY02' {_PAGE}",
    "c5 first page, adm1 + status confirmed":
        f"SELECT i.*, s.status FROM incidents i {_STATUS} WHERE {_IN} AND i.adm1 = 'SY02' "
        f"AND s.status = 'confirmed' {_PAGE}",
    "c6 next page (keyset after a cursor)":
        f"SELECT i.* FROM incidents i WHERE {_IN} AND (i.earliest < :c OR (i.earliest = :c "
        f"AND i.uid < 'm')) {_PAGE}",
    "d1 map grid 0.1°":
        "SELECT round(i.lon / 0.1) AS gx, round(i.lat / 0.1) AS gy, count(*), avg(i.lon), "
        f"avg(i.lat) FROM incidents i WHERE {_IN} AND i.lon IS NOT NULL GROUP BY gx, gy",
    "d2 map grid 0.1°, status confirmed":
        "SELECT round(i.lon / 0.1) AS gx, round(i.lat / 0.1) AS gy, count(*), avg(i.lon), "
        f"avg(i.lat) FROM incidents i {_STATUS} WHERE {_IN} AND s.status = 'confirmed' "
        "AND i.lon IS NOT NULL GROUP BY gx, gy",
    "e  verdict queue (store/verification.py awaiting)":
        "SELECT s.* FROM assessments s WHERE s.agreement_id = 1 AND s.covered AND "
        "s.opened_at > '2000-01-01' AND s.status IN ('pending') AND NOT EXISTS (SELECT 1 "
        "FROM verdicts v WHERE v.assessment_id = s.id AND v.party_id = 1) AND EXISTS ("
        "SELECT 1 FROM incidents i WHERE i.uid = s.incident_uid) "
        "ORDER BY s.opened_at, s.incident_uid LIMIT 101",
}
CURSOR = {"1 month": "2017-06-15 00:00:00.000000", "6 months": "2017-03-15 00:00:00.000000"}

# Candidate indexes, each tried alone in the scratch copy on the queries it is for (made,
# ANALYZEd, the queries run, dropped), then all of them together on every query.
CANDIDATES: dict[str, tuple[list[str], list[str]]] = {
    # The period's incidents read from the index alone, newest first; the uid makes the
    # keyset order the index's own order.
    "I1": (["CREATE INDEX bench_i1 ON incidents (earliest, uid, adm1, lon, lat)"],
           ["a1", "a2", "c1", "c6", "d1"]),
    # One governorate, newest first.
    "I2": (["CREATE INDEX bench_i2 ON incidents (adm1, earliest, uid)"], ["a2", "c4", "c5"]),
    # An incident's status under an agreement from the index, not the row (whose JSON
    # checks make it wide).
    "I3": (["CREATE INDEX bench_i3 ON assessments (incident_uid, agreement_id, status)"],
           ["a3", "c2", "c3", "c5", "d2"]),
    # An agreement's incidents of one status (rare statuses drive the query).
    "I4": (["CREATE INDEX bench_i4 ON assessments (agreement_id, status, incident_uid)"],
           ["a3", "c2", "c3", "d2"]),
    # A report's party without reading the (wide) report row.
    "I5": (["CREATE INDEX bench_i5 ON reports (id, party_id)"], ["b"]),
    # The queue's order: a batch run opens every incident at one instant, so without the
    # uid in the index the ties are sorted.
    "I6": (["CREATE INDEX bench_i6 ON assessments (agreement_id, opened_at, incident_uid)"],
           ["e"]),
}
ROLLUP = [
    # One row per day, governorate, status and type: what the dashboard counts, kept as
    # incidents change (here made once, to time reading it).
    "CREATE TABLE bench_incident_days AS SELECT substr(i.earliest, 1, 10) AS day, i.adm1, "
    "s.status, i.violation, count(*) AS n FROM incidents i JOIN assessments s ON "
    "s.incident_uid = i.uid GROUP BY 1, 2, 3, 4",
    "CREATE INDEX bench_incident_days_day ON bench_incident_days (day)",
    # One row per day and 0.1° cell: what the map draws.
    "CREATE TABLE bench_incident_cells AS SELECT substr(earliest, 1, 10) AS day, "
    "round(lon / 0.1) AS gx, round(lat / 0.1) AS gy, count(*) AS n, sum(lon) AS lon, "
    "sum(lat) AS lat FROM incidents WHERE lon IS NOT NULL GROUP BY 1, 2, 3",
    "CREATE INDEX bench_incident_cells_day ON bench_incident_cells (day)",
    # The same by month: a twentieth of the rows, for the map over long periods.
    "CREATE TABLE bench_incident_cells_month AS SELECT substr(day, 1, 7) AS month, gx, gy, "
    "sum(n) AS n, sum(lon) AS lon, sum(lat) AS lat FROM bench_incident_cells GROUP BY 1, 2, 3",
    "CREATE INDEX bench_incident_cells_month_m ON bench_incident_cells_month (month)",
    # Incidents by day and reporting party (an incident counts once for each party).
    "CREATE TABLE bench_party_days AS SELECT substr(i.earliest, 1, 10) AS day, r.party_id, "
    "count(DISTINCT i.id) AS n FROM incidents i JOIN incident_reports ir ON "
    "ir.incident_id = i.id JOIN reports r ON r.id = ir.report_id GROUP BY 1, 2",
    "CREATE INDEX bench_party_days_day ON bench_party_days (day)",
]
_DAYS = "day >= substr(:a, 1, 10) AND day < substr(:b, 1, 10)"
ROLLUP_QUERIES = {
    "a1 count by day": f"SELECT day, sum(n) FROM bench_incident_days WHERE {_DAYS} "
                       "GROUP BY day",
    "a2 count by governorate": f"SELECT adm1, sum(n) FROM bench_incident_days WHERE {_DAYS} "
                               "GROUP BY adm1",
    "a3 count by status": f"SELECT status, sum(n) FROM bench_incident_days WHERE {_DAYS} "
                          "GROUP BY status",
    "b  incidents by reporting party": f"SELECT party_id, sum(n) FROM bench_party_days "
                                       f"WHERE {_DAYS} GROUP BY party_id",
    "d1 map grid 0.1°": "SELECT gx, gy, sum(n), sum(lon) / sum(n), sum(lat) / sum(n) "
                        f"FROM bench_incident_cells WHERE {_DAYS} GROUP BY gx, gy",
    "d1 map grid 0.1°, by month": "SELECT gx, gy, sum(n), sum(lon) / sum(n), "
                                  "sum(lat) / sum(n) FROM bench_incident_cells_month WHERE "
                                  "month >= substr(:a, 1, 7) AND month < substr(:b, 1, 7) "
                                  "GROUP BY gx, gy",
}


def _time(conn: sqlite3.Connection, sql: str, params: dict) -> tuple[float, int]:
    conn.execute(sql, params).fetchall()  # warm-up
    times, rows = [], 0
    for _ in range(RUNS):
        start = time.perf_counter()
        rows = len(conn.execute(sql, params).fetchall())
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), rows


def _plan(conn: sqlite3.Connection, sql: str, params: dict) -> str:
    return "; ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def run(conn: sqlite3.Connection, names: list[str] | None = None,
        queries: dict[str, str] = QUERIES) -> dict[tuple[str, str], tuple[float, int, str]]:
    out = {}
    for name, sql in queries.items():
        if names is not None and name.split()[0] not in names:
            continue
        for period, (a, b) in PERIODS.items():
            params = {"a": a, "b": b, "c": CURSOR[period]}
            ms, rows = _time(conn, sql, params)
            out[name, period] = (ms, rows, _plan(conn, sql, params))
            print(f"    {name:<42}{period:>9}{ms:>10.1f} ms{rows:>7} rows", flush=True)
    return out


def main(path: Path) -> None:
    print(f"\npage queries on {path} ({path.stat().st_size / 1e9:.1f} GB); median of {RUNS}")
    print("  as the schema stands:")
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        before = run(conn)
    scratch = path.with_name(path.stem + ".scratch.db")
    shutil.copyfile(path, scratch)
    alone: dict[str, dict] = {}
    try:
        with closing(sqlite3.connect(scratch)) as conn:
            for label, (ddl, names) in CANDIDATES.items():
                started = time.perf_counter()
                for statement in ddl:
                    conn.execute(statement)
                index = ddl[0].split()[2]
                conn.execute(f"ANALYZE {index}")
                conn.commit()
                print(f"  {label} alone ({time.perf_counter() - started:.1f} s to make): "
                      f"{ddl[0]}", flush=True)
                alone[label] = run(conn, names)
                conn.execute(f"DROP INDEX {index}")
                conn.commit()
            for ddl, _ in CANDIDATES.values():
                for statement in ddl:
                    conn.execute(statement)
                conn.execute(f"ANALYZE {ddl[0].split()[2]}")
            conn.commit()
            print("  all candidate indexes together:", flush=True)
            together = run(conn)
            started = time.perf_counter()
            for statement in ROLLUP:
                conn.execute(statement)
            conn.execute("ANALYZE")
            conn.commit()
            print(f"  daily roll-up tables ({time.perf_counter() - started:.1f} s to make):",
                  flush=True)
            rolled = run(conn, queries=ROLLUP_QUERIES)
            for table in ("bench_incident_days", "bench_incident_cells",
                          "bench_incident_cells_month", "bench_party_days"):
                size = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                print(f"    {table}: {size:,} rows")
    finally:
        scratch.unlink(missing_ok=True)
    print("\n| query | period | rows | now ms | best single index | ms | all indexes ms "
          "| roll-up ms |")
    print("|---|---|---|---|---|---|---|---|")
    for (name, period), (ms, rows, _) in before.items():
        tried = [(alone[label][name, period][0], label) for label in alone
                 if (name, period) in alone[label]]
        best = min(tried) if tried else None
        roll = rolled.get((name, period))
        print(f"| {name} | {period} | {rows} | {ms:.0f} | "
              f"{best[1] if best else '-'} | {f'{best[0]:.0f}' if best else '-'} | "
              f"{together[name, period][0]:.0f} | {f'{roll[0]:.0f}' if roll else '-'} |")
    for (name, period), (ms, rows, _) in rolled.items():
        if (name, period) not in before:
            print(f"| {name} | {period} | {rows} | - | - | - | - | {ms:.0f} |")
    print("\nplans (now → all indexes):")
    for (name, period), (_, _, plan) in before.items():
        print(f"  {name}, {period}:\n    now: {plan}\n    all: {together[name, period][2]}")
    for label, found in alone.items():
        for (name, period), (_, _, plan) in found.items():
            print(f"  {label} alone, {name}, {period}: {plan}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        from bench.page_db import page_database

        main(page_database())
