"""A SQLite record of BENCH_PAGE_REPORTS synthetic reports (default 1,000,000) for timing
pages, made once by the product's own path and kept.

What it holds, in the order it is made:

1. the schema (`db upgrade`) and the demo scenario (`scenario load syria-2016`), with the
   server's ledger key sealed with ``bench.PASSPHRASE``;
2. the synthetic reports of bench/synthetic.py (seed ``SEED``) imported as party SEC by
   the import service with correlation on (`ceasefire import FILE --format jsonl --party
   SEC`): one transaction that writes the reports, groups them into incidents (a first
   import is correlated by one batch run), assesses every incident under the agreement
   and appends the ledger entry, so ``incidents``, ``incident_reports``, ``report_links``
   and ``assessments`` hold what production holds;
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
import sqlite3
import sys
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bench import PASSPHRASE
from bench.synthetic import SEED, write_reports
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
RECIPE = 2  # bump when what the database holds changes
PASSWORD = "benchmark web password"  # every demo account's, for the web login
OFFICERS = {"RU": "ru-officer", "TR": "tr-officer", "IR": "ir-officer"}
# Who first reports each synthetic event (weights), and how many other parties report it
# too (drawn from ECHOES): about 1.5 reports an event, so incidents hold several reports
# of several parties, as they would with the guarantors and the UN all reporting.
REPORTERS = {"UN": 3, "SEC": 2, "RU": 2, "TR": 1.5, "IR": 1.5}
ECHOES = (0, 0, 0, 0, 0, 0, 1, 1, 1, 2)
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
    figures = _build(building, count=count, seed=seed, log=log)
    for suffix in ("-wal", "-shm"):  # checkpointed and removed by the last close
        assert not Path(str(building) + suffix).exists()
    building.rename(path)
    path.with_suffix(".json").write_text(json.dumps(figures, indent=2) + "\n")
    return path


def _build(path: Path, *, count: int, seed: int, log) -> dict:
    steps: dict[str, float] = {}
    started = time.perf_counter()

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        steps[name] = round(now - since, 1)
        log(f"  page_db: {name}: {steps[name]:.1f} s", flush=True)
        return now

    log(f"page_db: building {path.name} ({count:,} reports, seed {seed})", flush=True)
    files = _party_files(path, count, seed)
    clock = step("writing the synthetic JSON Lines", started)
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
        assert added == count, added
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
    return {"reports": count, "seed": seed, "built_at": datetime.now(UTC).isoformat(),
            "seconds": steps, "rows": counts, "statuses": statuses,
            "verdict_patterns": cast}


def _party_files(path: Path, count: int, seed: int) -> dict[str, Path]:
    """``count`` reports as one JSON Lines file per reporting party: bench/synthetic.py's
    events, each reported by one party and echoed by others (ECHOES)."""
    rng = random.Random(seed + 1)
    events = path.with_suffix(".events.jsonl")
    write_reports(events, int(count / (sum(ECHOES) / len(ECHOES) + 1)) + 1000, seed=seed)
    parties = list(REPORTERS)
    weights = list(REPORTERS.values())
    files = {p: path.with_suffix(f".{p}.jsonl") for p in parties}
    outs = {p: f.open("w", encoding="utf-8") for p, f in files.items()}
    written = 0
    try:
        with events.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                first = rng.choices(parties, weights)[0]
                others = [p for p in parties if p != first]
                echoed = rng.sample(others, rng.choice(ECHOES))
                for k, party in enumerate([first, *echoed]):
                    if written == count:
                        break
                    copy = dict(record)
                    key = record["source"]["key"]
                    copy["source"] = {"name": f"bench {party}", "key": f"{key}:{party}"}
                    if k:  # another party's account of it, in its own words (the same
                        # point: a shifted one may leave the country at the coast)
                        copy["narrative"] = f"{party} account: {record['narrative']}"
                    outs[party].write(json.dumps(copy, separators=(",", ":")) + "\n")
                    written += 1
                if written == count:
                    break
    finally:
        for out in outs.values():
            out.close()
        events.unlink()
    assert written == count, written
    return files


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
