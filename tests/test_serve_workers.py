"""`ceasefire serve --workers 2` on PostgreSQL: two processes share the writers' turn and
the ledger. Reports and verdicts sent to both at once leave a ledger that verifies, with
every accepted report stored once and no verdict lost."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2
import pytest
from click.testing import CliRunner

from ceasefire.cli import cli
from ceasefire.services import ledger_checks
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import ledger as ledger_store
from ceasefire.store.db import Database
from ceasefire.store.dialects import ASKER_LOCK
from ceasefire.store.reports import count_reports
from tests.api.conftest import bearer
from tests.api.test_verdicts_api import SHELLING
from tests.conftest import SERVER_PASSPHRASE

pytestmark = [pytest.mark.slow, pytest.mark.db]  # server processes

OFFICERS = ("ru-officer", "tr-officer", "ir-officer")
EACH = 30  # reports each officer sends


def _children(pid: int) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return {int(p) for p in found.stdout.split()}


@contextmanager
def serving(db: Database, workers: int) -> Iterator[str]:
    url = db.url.render_as_string(hide_password=False)
    env = {**os.environ, "CEASEFIRE_SERVER_PASSPHRASE": SERVER_PASSPHRASE,
           "CEASEFIRE_PORT": "0"}
    # Port 0 with several workers would give each its own port: ask for one first.
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = [sys.executable, "-m", "ceasefire", "--database-url", url, "serve", "--port",
            str(port), "--workers", str(workers)]
    with subprocess.Popen(args, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                          text=True) as proc:
        try:
            started = 0
            assert proc.stderr is not None
            for line in proc.stderr:  # blocks until each worker says it is up
                if re.search(r"Application startup complete", line):
                    started += 1
                    if started == workers:
                        break
            else:
                raise AssertionError("the server exited before its workers started")
            assert len(_children(proc.pid)) >= workers
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=60)


def test_two_workers_under_concurrent_reports_and_verdicts_keep_one_ledger(database,
                                                                        syria_scenario):
    if database.backend != "postgresql":
        pytest.skip("--workers needs PostgreSQL (SQLite is refused: see the next test)")
    tokens = load_scenario(database, syria_scenario).tokens
    accepted: dict[str, list[str]] = {who: [] for who in OFFICERS}
    incidents: set[str] = set()
    cast_by = dict.fromkeys(OFFICERS, 0)
    failures: list[BaseException] = []
    start = threading.Barrier(len(OFFICERS))

    def officer(base: str, who: str) -> None:
        try:
            with httpx2.Client(base_url=base, headers=bearer(tokens[who]),
                               timeout=60) as http:
                start.wait()
                for n in range(EACH):
                    narrative = f"{who} report {n}"
                    answer = http.post("/api/v1/reports", json={
                        **SHELLING, "narrative": narrative,
                        "when": {"earliest": f"2017-01-{10 + n % 5:02d}T10:00:00Z"}})
                    assert answer.status_code == 201, answer.text
                    accepted[who].append(narrative)
                    incident = answer.json()["incident"]
                    incidents.add(incident)
                    version = 0
                    while True:  # a verdict on it, as a client does on a 409
                        cast = http.post(f"/api/v1/incidents/{incident}/verdicts",
                                         json={"position": "confirm", "version": version})
                        if cast.status_code != 409:
                            assert cast.status_code == 200, cast.text
                            cast_by[who] += 1
                            break
                        error = cast.json()["error"]
                        assert "current" in error, cast.text
                        version = error["current"]["version"]
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    with serving(database, workers=2) as base:
        threads = [threading.Thread(target=officer, args=(base, w)) for w in OFFICERS]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not failures, failures
    with database.session() as session:
        assert count_reports(session) == len(OFFICERS) * EACH  # none lost, none twice
    with database.session() as session:  # every verdict written is in the ledger
        cast = ledger_store.entries_of(session, ["verdict.cast"])
    assert len(cast) == sum(cast_by.values()) == len(OFFICERS) * EACH
    result = ledger_checks.verify(database)
    assert result.ok, result.problem


def test_several_workers_on_sqlite_are_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'one.db'}"
    assert CliRunner().invoke(cli, ["--database-url", url, "db", "upgrade"]).exit_code == 0
    result = CliRunner(env={"CEASEFIRE_SERVER_PASSPHRASE": SERVER_PASSPHRASE}).invoke(
        cli, ["--database-url", url, "serve", "--workers", "2"])
    assert result.exit_code != 0
    assert "--workers needs PostgreSQL" in result.output


def test_one_process_of_several_holds_the_askers_lock_and_another_takes_over(database):
    """Of several server processes one asks the witnesses (services/witnessing.py): it
    holds a lock for as long as its connection lives; when it ends, another takes it."""
    if database.backend != "postgresql":
        pytest.skip("one process on SQLite: it always asks")
    other = Database(database.url.render_as_string(hide_password=False))
    try:
        first = database.try_hold(ASKER_LOCK)
        assert first is not None
        assert other.try_hold(ASKER_LOCK) is None
        first.release()  # the asking process ends, and its session with it
        second = other.try_hold(ASKER_LOCK)
        assert second is not None
        second.release()
    finally:
        other.dispose()
