"""Correlating one new report at a time against a stored record (`make bench`).

A record of BENCH_INCREMENTAL_REPORTS simulated reports (default 100,000: about 17 years
at the density of the UCDP GED record for Syria) is imported into SQLite and correlated
by one batch run. Then HELD_OUT further reports of the same simulation arrive one by one,
each in its own write transaction, as the API stores a submission: the report is written
and correlated against the stored record (ceasefire.services.correlation.correlate_added).
The table gives the time of the correlation step and of the whole transaction, per
report; and, side by side, the batch run's time per report over the whole record. A batch
run afterwards must change nothing: the two paths give the same incidents.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import orjson

from bench import PASSPHRASE
from bench.correlation_quality import scenario
from ceasefire.geo.admin import syria
from ceasefire.geo.gazetteer import syria_gazetteer
from ceasefire.intake.normalise import content_digest
from ceasefire.intake.report_in import record_of
from ceasefire.services import ledger
from ceasefire.services.correlation import correlate_added, run_batch
from ceasefire.services.imports import import_file
from ceasefire.services.scenarios import load_scenario
from ceasefire.simulate import simulate
from ceasefire.store.db import Database
from ceasefire.store.reference import reference
from ceasefire.store.reports import ReportWriter

REPORTS = int(os.environ.get("BENCH_INCREMENTAL_REPORTS", "100000"))
HELD_OUT = 300
EVENTS_PER_DAY = 16
REPORTS_PER_EVENT = 2.39


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def main() -> None:
    actors = scenario().actors
    events = round(REPORTS / REPORTS_PER_EVENT)
    sim = simulate(7, events=events, start=date(2017, 1, 1),
                   days=max(1, round(events / EVENTS_PER_DAY)), admin=syria(),
                   gazetteer=syria_gazetteer(), actors=actors)
    reports = sorted(sim.reports, key=lambda r: (r.received_at, r.id))
    stored, arriving = reports[:-HELD_OUT], reports[-HELD_OUT:]
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}", server_passphrase=PASSPHRASE)
        db.upgrade()
        load_scenario(db, scenario())
        path = Path(tmp) / "record.jsonl"
        path.write_bytes(b"".join(orjson.dumps(record_of(r)) + b"\n" for r in stored))
        import_file(db, path, format="jsonl", party="SEC", correlate=False)
        started = time.perf_counter()
        batch = run_batch(db)
        batch_s = time.perf_counter() - started
        correlating, whole = [], []
        for report in arriving:
            started = time.perf_counter()
            with db.session(write=True) as session:
                writer = ReportWriter(session, reference(session))
                row_ids = writer.write([report], [content_digest(report)])
                begun = time.perf_counter()
                correlate_added(session, row_ids)
                correlating.append(time.perf_counter() - begun)
                ledger.append(session, ledger.mechanism(session), "report.submitted",
                              {"report": report.id})
            whole.append(time.perf_counter() - started)
        check = run_batch(db)
        db.dispose()
    ms = 1000.0
    print(f"\ncorrelation, one report at a time: SQLite record of {len(stored):,} simulated "
          f"reports ({batch.incidents:,} incidents), {HELD_OUT} more arriving one by one\n")
    print("| step | p50 | p95 | p99 | max |")
    print("|---|---|---|---|---|")
    for label, values in (("correlating one new report", correlating),
                          ("its whole transaction (write + correlate + commit)", whole)):
        print(f"| {label} | {statistics.median(values) * ms:.1f} ms | "
              f"{_percentile(values, 95) * ms:.1f} ms | {_percentile(values, 99) * ms:.1f} ms "
              f"| {max(values) * ms:.1f} ms |")
    print(f"\nbatch run over the record: {batch_s:.1f} s for {batch.reports:,} reports "
          f"({batch_s / batch.reports * ms:.2f} ms a report, reading and writing included)")
    print(f"batch run after the arrivals: {check.changed} incidents changed "
          "(0: one report at a time gave what a batch run gives)")


if __name__ == "__main__":
    main()
