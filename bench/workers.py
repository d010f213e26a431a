"""`ceasefire serve --workers N` on PostgreSQL: POST /api/v1/reports with 1, 2 and 4
server processes, side by side in one run, each on a fresh database with the scenario.

The same load as api_submit (its bodies, its wrk script, 8 connections, BENCH_SECONDS
after a warm-up). The processes take turns writing (one advisory lock) and the machine
has two cores, so the scaling says how much of a request's time is spent outside the
writers' turn. Needs a PostgreSQL server (scripts/with-postgres.sh, as `make bench`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from bench import PASSPHRASE
from bench.api_submit import SECONDS, _bodies, _free_port, _script, _wrk
from ceasefire.intake.scenario import locate, parse
from ceasefire.services import ledger
from ceasefire.services.scenarios import load_scenario
from ceasefire.store.db import Database

WORKERS = (1, 2, 4)


@contextmanager
def _fresh(server: str, name: str) -> Iterator[tuple[str, str]]:
    """A new database with the scenario: its URL and an officer's token."""
    admin = create_engine(make_url(server).set(drivername="postgresql+psycopg"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    db = Database(url, server_passphrase=PASSPHRASE)
    try:
        db.upgrade()
        ledger.prepare(db)
        source, body = locate("syria-2016")
        token = load_scenario(db, parse(body, source=source)).tokens["tr-officer"]
        db.dispose()
        yield url, token
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@contextmanager
def _serving(url: str, workers: int) -> Iterator[str]:
    port = _free_port()
    command = [sys.executable, "-m", "ceasefire", "--database-url", url, "serve",
               "--port", str(port), "--workers", str(workers)]
    env = {**os.environ, "CEASEFIRE_SERVER_PASSPHRASE": PASSPHRASE}
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE,
                          stdout=subprocess.DEVNULL, text=True) as process:
        try:
            started = 0
            assert process.stderr is not None
            for line in process.stderr:  # each worker says when it is ready
                started += bool(re.search("Application startup complete", line))
                if started == workers:
                    break
            else:
                raise RuntimeError(f"serve --workers {workers} did not start")
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait()


def main() -> None:
    server = os.environ.get("CEASEFIRE_TEST_POSTGRES_URL")
    if not server:
        print("\nworkers: skipped, no PostgreSQL server (run under scripts/with-postgres.sh)")
        return
    bodies = _bodies()
    results = {}
    with tempfile.TemporaryDirectory(prefix="ceasefire-bench-") as tmp:
        for workers in WORKERS:
            with _fresh(server, f"bench_workers_{workers}") as (url, token):
                script = _script(Path(tmp) / f"w{workers}.lua", token, bodies)
                with _serving(url, workers) as base:
                    # Each process loaded the engine at start-up (services.correlation
                    # warm_up): the warm-up is the same as api_submit's.
                    _wrk(base + "/api/v1/reports", script, 3)
                    results[workers] = _wrk(base + "/api/v1/reports", script, SECONDS)
    one = results[WORKERS[0]][0]
    print(f"\nworkers: POST /api/v1/reports on PostgreSQL, 8 connections, {SECONDS} s each, "
          f"{os.cpu_count()} cores")
    print(f"  {'processes':<12}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'vs one':>9}")
    for workers, (rate, p50, p99) in results.items():
        print(f"  {workers:<12}{rate:>9.0f}{p50:>9.1f}{p99:>9.1f}{rate / one:>9.2f}")
    print("  aim: the scaling reported (no figure set); the processes take turns writing, "
          "so it shows how much of a request lies outside the writers' turn")


if __name__ == "__main__":
    main()
