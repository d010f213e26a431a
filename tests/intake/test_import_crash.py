"""An import killed at any point leaves a consistent database; running it again finishes it."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys

import pytest
from sqlalchemy import func, select, text

from ceasefire.services.scenarios import load_scenario
from ceasefire.store.tables import ImportRow, ReportActorRow, ReportRow
from tests.intake.test_import import UCDP

pytestmark = pytest.mark.slow  # kills real import processes at many points

BATCH = 200  # 3,484 rows: 18 batches
KILLS = 10


def _import(url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ceasefire", "--database-url", url, "import", str(UCDP),
         "--format", "ucdp", "--party", "SEC", "--batch-size", str(BATCH)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _state(database) -> tuple[int, int, int, list[tuple[int, int]]]:
    with database.session() as session:
        reports = session.scalar(select(func.count()).select_from(ReportRow))
        links = session.scalar(select(func.count()).select_from(ReportActorRow))
        orphans = session.scalar(select(func.count()).select_from(ReportActorRow).where(
            ReportActorRow.report_id.not_in(select(ReportRow.id))))
        logged = [(row.rows_added, session.scalar(
            select(func.count()).where(ReportRow.import_id == row.id)))
            for row in session.scalars(select(ImportRow))]
    return reports, links, orphans, logged


def _integrity(database) -> None:
    if database.backend == "sqlite":
        with database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []


def test_killed_imports_leave_nothing_half_done_and_a_rerun_completes(database,
                                                                      syria_scenario):
    load_scenario(database, syria_scenario)
    url = database.url.render_as_string(hide_password=False)
    rng = random.Random(1701)
    for _ in range(KILLS):
        stop_after = rng.randint(1, 3484 // BATCH - 1)  # batches written before the kill
        with _import(url) as process:
            for _ in range(stop_after):  # a progress line per batch written
                assert "rows read" in process.stderr.readline()
            process.send_signal(signal.SIGKILL)
            process.wait()
            assert process.returncode == -signal.SIGKILL
        _integrity(database)
        reports, links, orphans, logged = _state(database)
        # The file is the unit of commit: a kill before the end leaves no batch behind.
        assert (reports, links, orphans, logged) == (0, 0, 0, [])
    with _import(url) as finished:
        out, err = finished.communicate()
    assert finished.returncode == 0, err
    assert "3484 reports added" in out
    _integrity(database)
    reports, links, orphans, logged = _state(database)
    assert reports == 3484 and orphans == 0 and logged == [(3484, 3484)]
    assert links >= reports
