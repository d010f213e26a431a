"""A SQLite record of about BENCH_PAGE_REPORTS simulated reports (default 1,000,000) for
timing pages, made once by the product's own path and kept.

What it holds, in the order it is made:

1. the schema (`db upgrade`) and the demo scenario (`scenario load syria-2016`), with the
   server's ledger key sealed with ``bench.PASSPHRASE``;
2. the reports of bench/correlation_scale.py's record: the simulator's five sources (RU,
   TR, IR, UN and the keyed curated dataset SEC) at the density of the UCDP GED record
   for Syria, 16 events a day from 1 January 2017 (seed ``SEED``; 72 years of events at
   a million reports), written as JSON Lines one file per party that submitted them and
   imported without correlation (`ceasefire import FILE --format jsonl --party P
   --no-correlate`), then correlated for real by one batch run (`ceasefire correlate`),
   which also assesses every incident under the agreement; so ``incidents``,
   ``incident_reports``, ``report_links`` and ``assessments`` are filled by the product's
   own code, each step with its ledger entry. Reports of one event from several sources
   share an incident (2.4 reports an event), as in the record the mechanism keeps.
   (Until issue 20 the engine could not cluster such a record at this size, and the
   record here was one source, one incident per report.)
3. verdicts of the three guarantor officers on a seeded sample of the covered incidents,
   cast through ``services.verification.cast_verdict`` (each with its ledger entry), so
   that confirmed, disputed, rejected and still pending incidents exist;
4. a web password for every demo account (``PASSWORD``), so a benchmark can log in.

The file is kept under ``data/bench/`` (ignored by git), named by the report count, the
seed, the schema's Alembic head and ``RECIPE`` (bumped when this recipe changes): a new
migration makes a new file. It is built under a temporary name and renamed when complete,
so an interrupted build is never taken for a finished one. Next to it, ``.json`` gives
the seconds each step took and the counts.

    PYTHONPATH=. python -m bench.page_db [WORKDIR]   # build (or find) it; print its path
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import sys
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import orjson
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bench import PASSPHRASE
from bench.correlation_scale import SEED, simulation
from ceasefire.domain.agreement import Position
from ceasefire.intake.scenario import locate, parse
from ceasefire.services.correlation import run_batch
from ceasefire.services.imports import import_file
from ceasefire.services.logins import set_password
from ceasefire.services.scenarios import load_scenario
from ceasefire.services.verification import cast_verdict
from ceasefire.store.accounts import find_account
from ceasefire.store.db import Database

REPORTS = int(os.environ.get("BENCH_PAGE_REPORTS", "1000000"))
DEFAULT_WORKDIR = Path(__file__).resolve().parent.parent / "data" / "bench"
RECIPE = 5  # bump when what the database holds changes
PASSWORD = "benchmark web password"  # every demo account's, for the web login
OFFICERS = {"RU": "ru-officer", "TR": "tr-officer", "IR": "ir-officer"}
# The share of covered incidents that get verdicts, and the positions each pattern casts
# (RU, TR, IR; unanimous quorum): all confirm → confirmed, all reject → rejected, split →
# disputed, one answer only → still pending.
VERDICT_SHARE = 0.02
VERDICT_MAX = 5000
PATTERNS = {
    "confirmed": ("confirm", "confirm", "confirm"),
    "rejected": ("reject", "reject", "reject"),
    "disputed": ("confirm", "reject", "confirm"),
    "pending": ("confirm", None, None),
}
VERDICT_BATCH = 500  # verdicts per write transaction


def _alembic() -> Config:
    config = Config()
    config.set_main_option("script_location", "ceasefire.store:migrations")
    return config


def database_path(workdir: Path | None = None, *, count: int = REPORTS,
                  seed: int = SEED) -> Path:
    """Where the database for these settings lives (built or not)."""
    head = ScriptDirectory.from_config(_alembic()).get_current_head()
    workdir = Path(workdir) if workdir is not None else DEFAULT_WORKDIR
    return workdir / f"pages-{count}-seed{seed}-{head}-r{RECIPE}.db"


def page_database(workdir: Path | None = None, *, count: int = REPORTS,
                  seed: int = SEED, log=print) -> Path:
    """The path of the SQLite record for page benchmarks, built first if need be."""
    path = database_path(workdir, count=count, seed=seed)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building")
    for leftover in building.parent.glob(building.name + "*"):
        leftover.unlink()
    # A record of the same recipe at an older schema is brought up by the migrations, as
    # an operator's would be: much faster than building it again.
    older = sorted(path.parent.glob(f"pages-{count}-seed{seed}-*-r{RECIPE}.db"),
                   key=lambda p: p.stat().st_mtime)
    if older:
        figures = _upgrade(older[-1], building, log=log)
    else:
        figures = _build(building, count=count, seed=seed, log=log)
    for suffix in ("-wal", "-shm"):  # checkpointed and removed by the last close
        assert not Path(str(building) + suffix).exists()
    building.rename(path)
    path.with_suffix(".json").write_text(json.dumps(figures, indent=2) + "\n")
    return path


def _upgrade(source: Path, path: Path, *, log) -> dict:
    started = time.perf_counter()
    log(f"upgrading a copy of {source.name}")
    shutil.copyfile(source, path)
    db = Database(f"sqlite:///{path}", server_passphrase=PASSPHRASE)
    db.upgrade()
    db.dispose()
    figures = json.loads(source.with_suffix(".json").read_text())
    figures["upgraded_from"] = source.name
    figures["seconds"]["schema upgrade"] = round(time.perf_counter() - started, 1)
    return figures


def _build(path: Path, *, count: int, seed: int, log) -> dict:
    steps: dict[str, float] = {}
    started = time.perf_counter()

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        steps[name] = round(now - since, 1)
        log(f"  page_db: {name}: {steps[name]:.1f} s", flush=True)
        return now

    log(f"page_db: building {path.name} ({count:,} reports, seed {seed})", flush=True)
    files, written = _party_files(path, count, seed)
    clock = step("simulating, and writing the reports as JSON Lines", started)
    db = Database(f"sqlite:///{path}", server_passphrase=PASSPHRASE)
    try:
        db.upgrade()
        source, body = locate("syria-2016")
        load_scenario(db, parse(body, source=source))
        clock = step("schema and scenario", clock)
        added = 0
        for party, jsonl in files.items():
            added += import_file(db, jsonl, format="jsonl", party=party,
                                 correlate=False).added
            jsonl.unlink()
        assert added == written, (added, written)
        clock = step(f"import, one file per party ({', '.join(files)}), --no-correlate",
                     clock)
        batch = run_batch(db)
        clock = step(f"ceasefire correlate: {batch.incidents:,} incidents assessed", clock)
        cast = _verdicts(db, seed)
        clock = step(f"{sum(cast.values()):,} incidents given verdicts", clock)
        for username in (*OFFICERS.values(), "un-monitor", "secretariat", "analyst"):
            set_password(db, username=username, password=PASSWORD)
        with db.session() as session:
            counts = {table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                      for table in ("reports", "incidents", "incident_reports",
                                    "report_links", "assessments", "verdicts",
                                    "ledger_entries", "ledger_writes")}
            statuses = dict(session.execute(text(
                "SELECT status, count(*) FROM assessments GROUP BY status")).all())
    finally:
        db.dispose()
    # The planner's statistics, as an operator's `ANALYZE` would leave them; the last
    # connection to close checkpoints the WAL and removes it.
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("ANALYZE")
        conn.commit()
    step("passwords, counts, ANALYZE", clock)
    steps["total"] = round(time.perf_counter() - started, 1)
    log(f"page_db: built in {steps['total']:.0f} s: {counts}; statuses {statuses}",
        flush=True)
    return {"reports": written, "seed": seed, "built_at": datetime.now(UTC).isoformat(),
            "seconds": steps, "rows": counts, "statuses": statuses,
            "verdict_patterns": cast}


def _party_files(path: Path, count: int, seed: int) -> tuple[dict[str, Path], int]:
    """The record's simulated reports as one JSON Lines file per party that submitted
    them, each in the simulator's order of arrival; and how many there are."""
    from ceasefire.intake.report_in import record_of

    sim = simulation(count, seed)
    files: dict[str, Path] = {}
    outs = {}
    try:
        for report in sim.reports:
            party = report.submitted_by
            if party not in outs:
                files[party] = path.with_suffix(f".{party}.jsonl")
                outs[party] = files[party].open("wb")
            outs[party].write(orjson.dumps(record_of(report)) + b"\n")
    finally:
        for out in outs.values():
            out.close()
    return files, len(sim.reports)


def _verdicts(db: Database, seed: int) -> dict[str, int]:
    """Verdicts on a seeded sample of the covered incidents, by pattern."""
    with db.session() as session:
        covered = session.execute(text(
            "SELECT incident_uid FROM assessments WHERE covered ORDER BY incident_uid")
        ).scalars().all()
        officers = {party: find_account(session, username=u) for party, u in OFFICERS.items()}
    rng = random.Random(seed)
    picked = rng.sample(covered, min(VERDICT_MAX, round(len(covered) * VERDICT_SHARE)))
    names = list(PATTERNS)
    plan = [(uid, names[k % len(names)]) for k, uid in enumerate(picked)]
    done = dict.fromkeys(names, 0)
    for start in range(0, len(plan), VERDICT_BATCH):
        with db.session(write=True) as session:
            for uid, pattern in plan[start:start + VERDICT_BATCH]:
                version = _version(session, uid)
                for party, position in zip(OFFICERS, PATTERNS[pattern], strict=True):
                    if position is None:
                        continue
                    view = cast_verdict(session, officers[party], uid,
                                        position=Position(position), seen_version=version,
                                        comment=f"bench {pattern}")
                    version = view.version
                done[pattern] += 1
    return done


def _version(session, uid: str) -> int:
    return session.execute(text("SELECT version FROM assessments WHERE incident_uid = :u"),
                           {"u": uid}).scalar_one()


if __name__ == "__main__":
    print(page_database(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
