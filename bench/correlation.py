"""Correlation: reports grouped into incidents by the engine, the numpy floor and Splink.

One run, same data: the project's simulator (ceasefire.simulate, seed SEED) at the density
of the UCDP GED record for Syria, 16 events a day from 1 January 2017, at 100,000 reports
and at BENCH_CORRELATION_REPORTS (default 1,000,000), so the growth from one size to the
other shows. The events wanted are the reports wanted over REPORTS_PER_EVENT, so the
report counts come close to the round figures; the table gives the actual ones.

The reports become the engine's columns once per size (timed on its own: the per-report
loop, from the reports in memory), stored with the true events in a temporary directory
that every method reads. Each method runs in a fresh subprocess, one after the other, so its peak
memory (peak resident set, inputs included) is its own; the time covers the method alone,
not reading its input (the engine and the floor: median of three runs; Splink: one).
Quality is pairwise precision/recall/F1 and B-cubed F1 against the simulator's truth.

- engine: ceasefire.correlate.engine.correlate with the default settings, on every core;
  also its candidate pairs and the share of the true pairs among them;
- engine-1: the same on one core (NUMBA_NUM_THREADS=1), as the floor runs;
- floor: every pair within 5 km and 24 h, connected components (bench/correlation_floor.py);
- splink: Splink 5 on DuckDB, trained (u, prior, EM) and run on the same reports
  (bench/correlation_splink.py). It needs the bench dependency group (`make bench`).

Then the same reports are stored in a SQLite database (as an import writes them,
uncorrelated) and read back as a batch run reads them, in a process of their own: report by
report (the stored facts as objects, then ColumnBuilder) and a column at a time
(store.incidents.fact_columns, then columns_from: median of three), through the driver's
rows and through Arrow (ADBC, as a batch run that has written nothing reads), checking that
report by report and through Arrow give the same columns; and then the engine on those
columns (median of three). The aims:
a column at a time at least 10× as fast as report by report, and from the database to the
engine's incidents (read, columns, engine) within 3× the engine's own time. Last, a whole
batch run as `ceasefire correlate` makes it (services.correlation.correlate_all, without
its ledger entry), storing the links, the incidents and their assessments: once on the
uncorrelated record, and again, when it changes nothing.
"""

from __future__ import annotations

import gc
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import fields
from datetime import date
from pathlib import Path

import numpy as np

from ceasefire.correlate.columns import ReportColumns
from ceasefire.correlate.evaluate import bcubed, pairwise

REPORTS = int(os.environ.get("BENCH_CORRELATION_REPORTS", "1000000"))
SMALL = 100_000
SEED = 5  # not seed 1, which the engine's default points were learnt from
START = date(2017, 1, 1)
EVENTS_PER_DAY = 16  # the UCDP GED record for Syria, Dec 2016 - Jun 2017
REPORTS_PER_EVENT = 2.39  # the simulator's default sources, measured on this seed
SPLINK_TIMEOUT_S = int(os.environ.get("BENCH_SPLINK_TIMEOUT", "1200"))
# The best pairwise F1 of 0.5-0.9 on 100,000 reports of seed 1, the seed the engine's
# points were learnt from. EM varies from run to run; 0.7-0.8 come within 0.02 of it.
SPLINK_THRESHOLD = 0.75
REPEATS = {"engine": 3, "engine-1": 3, "floor": 3}  # median of; one run of the others

Run = Callable[[], tuple[np.ndarray, dict[str, float]]]
Extra = Callable[[np.ndarray], dict[str, float]]


def _status_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process. Unlike ru_maxrss, VmHWM starts afresh
    at exec, so the parent's memory at fork time does not count."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def simulated(reports: int) -> tuple[list, ReportColumns, np.ndarray, dict[str, float]]:
    """About `reports` simulated reports, as they are and as the engine's columns, each
    report's true event (an int), and the seconds taken to simulate and to build the
    columns."""
    from bench.correlation_quality import columns, scenario
    from ceasefire.correlate.settings import CorrelationSettings
    from ceasefire.geo.admin import syria
    from ceasefire.geo.gazetteer import syria_gazetteer
    from ceasefire.simulate import simulate

    events = round(reports / REPORTS_PER_EVENT)
    days = math.ceil(events / EVENTS_PER_DAY)
    actors = scenario().actors
    start = time.perf_counter()
    sim = simulate(SEED, events=events, start=START, days=days, admin=syria(),
                   gazetteer=syria_gazetteer(), actors=actors)
    simulate_s = time.perf_counter() - start
    truth = np.unique(np.array([sim.truth[r.id] for r in sim.reports], dtype=object),
                      return_inverse=True)[1].ravel()
    start = time.perf_counter()
    cols = columns(sim.reports, actors, CorrelationSettings())
    columns_s = time.perf_counter() - start
    return sim.reports, cols, truth, {"events": events, "days": days, "simulate": simulate_s,
                                      "columns": columns_s}


def _columns(stored) -> ReportColumns:
    values = {f.name: stored[f.name] for f in fields(ReportColumns)}
    values["areas"] = values["areas"].item()  # one object, stored pickled
    return ReportColumns(**values)


def _engine(stored) -> tuple[Run, Extra]:
    from ceasefire.correlate.candidates import candidate_pairs
    from ceasefire.correlate.engine import correlate
    from ceasefire.correlate.evaluate import pair_recall
    from ceasefire.correlate.settings import CorrelationSettings

    cols = _columns(stored)
    truth = stored["truth"]

    def extra(labels: np.ndarray) -> dict[str, float]:
        settings = CorrelationSettings()
        start = time.perf_counter()
        i, j = candidate_pairs(cols, settings)
        seconds = time.perf_counter() - start
        # Reports the engine does not compare (coarser than a governorate or a month)
        # cannot be in a candidate pair; their true pairs count as missed.
        apart = ~cols.correlatable
        t = truth
        sizes = np.bincount(t)
        true_pairs = int(np.sum(sizes * (sizes - 1) // 2))
        usable = np.bincount(t[~apart], minlength=len(sizes))
        comparable = int(np.sum(usable * (usable - 1) // 2))
        return {"candidates": len(i), "candidate_s": seconds,
                "candidate_recall": pair_recall(truth, i, j),
                "not_compared": int(apart.sum()),
                "true_pairs": true_pairs, "true_pairs_not_comparable": true_pairs - comparable}

    return (lambda: (correlate(cols).label, {})), extra


def _floor(stored) -> tuple[Run, None]:
    from bench.correlation_floor import floor_labels

    lon, lat = stored["lon"], stored["lat"]
    t = (stored["t0_h"] + stored["t1_h"]) / 2.0
    return (lambda: (floor_labels(lon, lat, t), {})), None


def _splink(stored) -> tuple[Run, None]:
    from bench.correlation_splink import frame_from_columns, splink_labels

    frame = frame_from_columns(_columns(stored))
    return (lambda: splink_labels(frame, threshold_match_probability=SPLINK_THRESHOLD)), None


# Each method: the stored columns (read field by field, so each method holds only what it
# uses) → a call returning (labels, seconds per stage), and optionally a call that gives
# further figures once the timed runs and the peak memory are taken. The floor comes
# first: the others' times are given against it.
METHODS: dict[str, Callable] = {
    "floor": _floor,
    "engine": _engine,
    "engine-1": lambda stored: (_engine(stored)[0], None),
    "splink": _splink,
}
ENVIRONMENT = {"engine-1": {"NUMBA_NUM_THREADS": "1"}}  # per method, for its process


def _child(method: str, data: Path, out: Path) -> None:
    """Run one method on the stored columns; write its labels and figures."""
    with np.load(data, allow_pickle=True) as stored:
        run, extra = METHODS[method](stored)
    input_mib = _status_mib("VmRSS")
    times = []
    for _ in range(REPEATS.get(method, 1)):
        start = time.perf_counter()
        labels, stages = run()
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    peak_mib = _status_mib("VmHWM")
    np.save(out.with_suffix(".npy"), labels)
    out.write_text(json.dumps({"seconds": seconds, "stages": stages, "peak_mib": peak_mib,
                               "input_mib": input_mib,
                               "extra": extra(labels) if extra else {}}))


def _run(method: str, data: Path, workdir: Path, timeout: int | None) -> dict | str:
    """The method's figures, or why there are none."""
    out = workdir / f"{method}.json"
    command = [sys.executable, "-m", "bench.correlation", method, str(data), str(out)]
    try:
        subprocess.run(command, check=True, timeout=timeout,
                       env={**os.environ, **ENVIRONMENT.get(method, {})})
    except subprocess.TimeoutExpired:
        return f"did not finish in {timeout:,} s"
    except subprocess.CalledProcessError as exc:
        return f"failed (exit status {exc.returncode})"
    result = json.loads(out.read_text())
    result["labels"] = np.load(out.with_suffix(".npy"))
    return result


def _store(n: int, workdir: Path) -> tuple[Path, Path, np.ndarray, dict[str, float]]:
    reports, cols, truth, made = simulated(n)
    data = workdir / f"reports-{n}.npz"
    np.savez(data, truth=truth, **{f.name: getattr(cols, f.name) for f in fields(cols)})
    del cols
    database = workdir / f"reports-{n}.db"
    made["database"] = _database(reports, database)
    del reports
    gc.collect()
    return data, database, truth, made


def _database(reports: list, path: Path) -> float:
    """The reports stored in a new SQLite database, after the scenario, as an import
    writes them (ReportWriter) but not correlated; the seconds it took."""
    from bench import PASSPHRASE
    from bench.correlation_quality import scenario
    from ceasefire.intake.normalise import content_digest
    from ceasefire.services.scenarios import load_scenario
    from ceasefire.store import changes
    from ceasefire.store.db import Database
    from ceasefire.store.reports import ReportWriter

    start = time.perf_counter()
    db = Database(f"sqlite:///{path}", server_passphrase=PASSPHRASE)
    db.upgrade()
    load_scenario(db, scenario())
    with db.session(write=True) as session:
        writer = ReportWriter(session)
        for at in range(0, len(reports), 50_000):
            batch = reports[at:at + 50_000]
            writer.write(batch, [content_digest(r) for r in batch])
        changes.take(session)  # no ledger entry: signing a million digests is not measured
    db.dispose()
    return time.perf_counter() - start


def _from_database(path: Path, out: Path) -> None:
    """The engine's columns read from the database report by report and a column at a
    time, and the engine on them; write the seconds of each."""
    from bench import PASSPHRASE
    from ceasefire.correlate.columns import columns_from
    from ceasefire.correlate.engine import correlate
    from ceasefire.correlate.hashes import names_table, tiebreaks
    from ceasefire.geo.admin import syria
    from ceasefire.services.correlation import SETTINGS, _bits, _columns, correlate_all
    from ceasefire.store import changes, columnar
    from ceasefire.store import incidents as store
    from ceasefire.store.db import Database

    db = Database(f"sqlite:///{path}", server_passphrase=PASSPHRASE)
    syria().area_grid(), names_table(["Kafr Laha 4"]), tiebreaks(["x"])  # loaded once
    # A write session that has written nothing, as `ceasefire correlate` reads: through
    # Arrow (store.columnar); the driver's rows, as a transaction that wrote reports reads,
    # side by side.
    with db.session(write=True) as session:
        whole, read, by_rows, by_rows_read = [], [], [], []
        assert columnar.reads_as(session)
        for _ in range(3):
            for reader, total, reading in (("rows", by_rows, by_rows_read),
                                           ("arrow", whole, read)):
                gc.collect()
                start = time.perf_counter()
                row_of, facts = store.fact_columns(session, reader=reader)
                reading.append(time.perf_counter() - start)
                cols = columns_from(facts, SETTINGS, syria(), _bits(session))
                total.append(time.perf_counter() - start)
                del row_of, facts
        start = time.perf_counter()
        rows = store.all_facts(session)
        old_read = time.perf_counter() - start
        old = _columns(session, rows, SETTINGS)
        old_s = time.perf_counter() - start
        del rows
    same = all(np.array_equal(getattr(old, f.name), getattr(cols, f.name),
                              equal_nan=getattr(cols, f.name).dtype.kind == "f")
               for f in fields(cols) if f.name != "areas")
    del old
    gc.collect()
    correlate(cols.take(np.arange(min(len(cols), 2000))))  # the compiled loops loaded
    engine = []
    for _ in range(3):
        start = time.perf_counter()
        correlate(cols)
        engine.append(time.perf_counter() - start)
    n = len(cols)
    del cols
    batch = []
    for _ in range(2):  # the first stores everything; the second finds nothing to change
        with db.session(write=True) as session:
            start = time.perf_counter()
            changed = correlate_all(session).changed
            batch.append((time.perf_counter() - start, changed))
            changes.take(session)  # no ledger entry: its digests are not what is measured
    out.write_text(json.dumps({
        "reports": n, "old": old_s, "old_read": old_read,
        "new": statistics.median(whole), "new_read": statistics.median(read),
        "rows": statistics.median(by_rows), "rows_read": statistics.median(by_rows_read),
        "engine": statistics.median(engine), "same": same, "batch": batch}))


def _database_figures(n: int, made: dict[str, float], database: Path, workdir: Path,
                      ) -> dict | None:
    out = workdir / "from-database.json"
    command = [sys.executable, "-m", "bench.correlation", "database", str(database), str(out)]
    try:
        subprocess.run(command, check=True)
    except subprocess.CalledProcessError as exc:
        print(f"  reading the columns from the database failed (exit status {exc.returncode})")
        return None
    r = json.loads(out.read_text())
    in_memory = n / made["columns"]
    old, new = n / r["old"], n / r["new"]
    end_to_end = r["new"] + r["engine"]
    print(f"\n  the engine's columns from the database (SQLite, {n:,} reports, stored in "
          f"{made['database']:.0f} s):")
    print(f"    report by report (the facts as objects, ColumnBuilder): {r['old']:.1f} s "
          f"({old:,.0f} reports/s; reading {r['old_read']:.1f} s)")
    print(f"    a column at a time through the driver's rows (fact_columns, columns_from): "
          f"{r['rows']:.2f} s ({n / r['rows']:,.0f} reports/s; reading {r['rows_read']:.2f} s)")
    print(f"    a column at a time through Arrow (ADBC), as a batch run reads: {r['new']:.2f} s "
          f"({new:,.0f} reports/s; reading {r['new_read']:.2f} s); the same columns: "
          f"{'yes' if r['same'] else 'NO'}; {r['rows'] / r['new']:.1f}× the driver's rows")
    print(f"    aim: a column at a time ≥ 10× report by report: {new / old:.1f}× "
          f"{'ok' if new >= 10 * old else 'BELOW'}")
    print(f"    aim: ≥ 10× building from the reports in memory ({in_memory:,.0f} reports/s, "
          f"above): {new / in_memory:.1f}× {'ok' if new >= 10 * in_memory else 'BELOW'}")
    print(f"    from the database to the engine's incidents: {end_to_end:.2f} s (columns "
          f"{r['new']:.2f} s, engine {r['engine']:.2f} s)")
    print(f"    aim: within 3× the engine's own time: {end_to_end / r['engine']:.1f}× "
          f"{'ok' if end_to_end <= 3 * r['engine'] else 'OVER'}")
    (first, made_new), (again, made_again) = r["batch"]
    print(f"    a whole batch run, storing links, incidents and assessments: {first:.1f} s "
          f"({made_new:,} incidents made); again, changing {made_again:,}: {again:.1f} s, "
          f"{again / r['engine']:.1f}× the engine's time", flush=True)
    return r


def main() -> None:
    sizes = sorted({min(SMALL, REPORTS), REPORTS})
    print(f"\ncorrelation: simulated reports (seed {SEED}, {EVENTS_PER_DAY} events a day "
          f"from {START}), about {', '.join(f'{n:,}' for n in sizes)}; "
          "each method in its own process", flush=True)
    seconds: dict[str, dict[int, float]] = {}
    finished: dict[str, int] = {}
    column_s: dict[int, float] = {}
    database_s: dict[int, float] = {}
    header = (f"  {'method':<10}{'reports':>11}{'seconds':>10}{'reports/s':>12}"
              f"{'× floor':>9}{'peak MiB':>10}{'P':>7}{'R':>7}{'F1':>7}{'B3 F1':>7}")
    with tempfile.TemporaryDirectory(prefix="ceasefire-bench-") as tmp:
        workdir = Path(tmp)
        for size in sizes:
            data, database, truth, made = _store(size, workdir)
            n = len(truth)
            column_s[n] = made["columns"]
            print(f"\n  {n:,} reports of {made['events']:,} events over {made['days']:,} "
                  f"days (simulated in {made['simulate']:.1f} s)")
            print(f"  building the engine's columns from reports: {made['columns']:.1f} s "
                  f"({n / made['columns']:,.0f} reports/s)")
            print(header, flush=True)
            floor_s = None
            for method in METHODS:
                timeout = SPLINK_TIMEOUT_S if method == "splink" else None
                result = _run(method, data, workdir, timeout)
                if isinstance(result, str):
                    print(f"  {method:<10}{n:>11,}  {result}", flush=True)
                    continue
                s = result["seconds"]
                floor_s = floor_s or s
                seconds.setdefault(method, {})[n] = s
                finished[method] = n
                p, b = pairwise(truth, result["labels"]), bcubed(truth, result["labels"])
                print(f"  {method:<10}{n:>11,}{s:>10.2f}{n / s:>12,.0f}{s / floor_s:>9.1f}"
                      f"{result['peak_mib']:>10,.0f}{p.precision:>7.3f}{p.recall:>7.3f}"
                      f"{p.f1:>7.3f}{b.f1:>7.3f}", flush=True)
                if result["stages"]:
                    stages = ", ".join(f"{k} {v:.1f} s" for k, v in result["stages"].items())
                    print(f"  {'':<21}{stages}; inputs {result['input_mib']:,.0f} MiB")
                if extra := result["extra"]:
                    print(f"  {'':<21}candidate pairs {extra['candidates']:,} "
                          f"({extra['candidates'] / n:.1f} per report, "
                          f"{extra['candidate_s']:.1f} s); recall of true pairs at the "
                          f"candidate stage {extra['candidate_recall']:.3f} "
                          f"({extra['true_pairs']:,} true pairs)")
                    if extra["not_compared"]:
                        print(f"  {'':<21}{extra['not_compared']:,} reports not compared "
                              "(coarser than a governorate or a month); "
                              f"{extra['true_pairs_not_comparable']:,} true pairs include one")
            if found := _database_figures(n, made, database, workdir):
                database_s[n] = found["new"]
            database.unlink()
    if len(sizes) > 1:
        small, large = min(column_s), max(column_s)
        print(f"\n  growth {small:,} → {large:,} reports (×{large / small:.2f}):")
        print(f"    building the engine's columns: ×{column_s[large] / column_s[small]:.1f} time")
        if small in database_s and large in database_s:
            print("    the engine's columns from the database, a column at a time: "
                  f"×{database_s[large] / database_s[small]:.1f} time")
        for method in METHODS:
            times = seconds.get(method, {})
            if small in times and large in times:
                print(f"    {method}: ×{times[large] / times[small]:.1f} time")
            else:
                largest = f"{finished[method]:,} reports" if method in finished else "none"
                print(f"    {method}: did not finish at every size (largest finished: "
                      f"{largest})")
    floor = seconds.get("floor", {})
    for method, cores in (("engine", "every core"), ("engine-1", "one core")):
        engine = seconds.get(method, {})
        if engine and floor:
            n = max(set(engine) & set(floor))
            print(f"\n  engine on {cores} / floor at {n:,} reports: {engine[n] / floor[n]:.1f}× "
                  f"the floor's time ({engine[n]:.2f} s against {floor[n]:.2f} s; the aim is "
                  "at most 3×)")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "database":
        _from_database(Path(sys.argv[2]), Path(sys.argv[3]))
    elif len(sys.argv) == 4:
        _child(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        main()
