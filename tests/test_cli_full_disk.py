"""A full disk, for real: SQLite's max_page_count makes it answer SQLITE_FULL ("database
or disk is full") as it does when the disk is full, and /dev/full answers every write
with ENOSPC. Either way a command prints one line, exits 1 and leaves nothing written:
no reports, no ledger entry, no output file, no temporary file."""

import re
import shutil
import stat
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from ceasefire.store import ledger as ledger_store
from ceasefire.store.db import Database
from ceasefire.store.reports import count_reports
from tests.conftest import SERVER_PASSPHRASE
from tests.test_cli import run, url_of

UCDP = Path(str(resources.files("ceasefire.scenarios.data")
                .joinpath("ged_syria_2016-12_2017-06.csv")))
VALID = ('{"when": {"earliest": "2017-01-15T10:00:00Z"}, "place": {"lat": 36.2021, '
         '"lon": 37.1343}, "violation": "shelling", "perpetrators": ["syrian-government"], '
         '"narrative": "Shelling %d."}\n')
INVALID = '{"when": {"earliest": "2017-01-15T10:00:00Z"}, "violation": "no such thing"}\n'


def state(database) -> tuple[int, int]:
    """Reports stored, ledger entries."""
    with database.session() as session:
        return count_reports(session), sum(1 for _ in ledger_store.entries(session))


def one_line(result) -> str:
    """The error line, the last; any other line on stderr is the import's progress."""
    assert result.exit_code == 1, result.output
    *progress, error = result.stderr.splitlines()
    assert all(re.fullmatch(r"importing \S+: \d+ rows read", line) for line in progress), \
        result.stderr
    assert error.startswith("error: ")
    return error


@pytest.fixture
def full_sqlite(sqlite_template, tmp_path):
    """A SQLite database with the scenario loaded, which cannot grow by a page more."""
    path = tmp_path / "full.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    assert run("--database-url", url, "scenario", "load", "syria-2016").exit_code == 0

    def no_more_pages(dbapi_connection, _record) -> None:
        if "sqlite" in type(dbapi_connection).__module__:
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    database = Database(url, server_passphrase=SERVER_PASSPHRASE)
    before = state(database)
    event.listen(Pool, "connect", no_more_pages)
    try:
        yield database, before
    finally:
        event.remove(Pool, "connect", no_more_pages)
        database.dispose()


def test_an_import_into_a_full_database_is_one_line_and_stores_nothing(full_sqlite,
                                                                      tmp_path):
    database, before = full_sqlite
    rejects = tmp_path / "rejects" / "ucdp.rejects.csv"
    rejects.parent.mkdir()
    result = run("--database-url", url_of(database), "import", str(UCDP), "--format", "ucdp",
                 "--party", "SEC", "--no-correlate", "--skip-invalid", "--rejects",
                 str(rejects))
    assert one_line(result) == (f"error: cannot use the database at {url_of(database)}: "
                                "database or disk is full")
    assert "rows read, " not in result.stdout
    assert state(database) == before
    assert list(rejects.parent.iterdir()) == []  # not even the rejects file


@pytest.fixture
def loaded(database):
    assert run("--database-url", url_of(database), "scenario", "load",
               "syria-2016").exit_code == 0
    return database


@pytest.mark.parametrize("bad_rows", [1, 300])  # written at the end; or on the way
def test_an_import_whose_rejects_cannot_be_written_stores_nothing(loaded, tmp_path, bad_rows):
    lines = tmp_path / "mixed.jsonl"
    lines.write_text("".join(VALID % n for n in range(3)) + INVALID * bad_rows,
                     encoding="utf-8")
    before = state(loaded)
    result = run("--database-url", url_of(loaded), "import", str(lines), "--format", "jsonl",
                 "--party", "RU", "--skip-invalid", "--rejects", "/dev/full")
    assert one_line(result) == "error: /dev/full: cannot write: No space left on device"
    assert state(loaded) == before


@pytest.fixture
def full(tmp_path) -> Path:
    """A path that leads to /dev/full, as an output file named by a user may."""
    link = tmp_path / "outputs" / "out"
    link.parent.mkdir()
    link.symlink_to("/dev/full")
    return link


@pytest.mark.parametrize("command", [
    ("report", "export", "--format", "jsonl", "--out"),
    ("bulletin", "--date", "2017-01-15", "--out"),
])
def test_an_output_file_that_cannot_be_written_is_one_line(loaded, tmp_path, full, command):
    lines = tmp_path / "one.jsonl"
    lines.write_text(VALID % 1, encoding="utf-8")
    assert run("--database-url", url_of(loaded), "import", str(lines), "--format", "jsonl",
               "--party", "RU").exit_code == 0
    result = run("--database-url", url_of(loaded), *command, str(full))
    assert one_line(result) == f"error: {full}: cannot write: No space left on device"
    assert full.is_symlink() and stat.S_ISCHR(full.stat().st_mode)  # still the device
    assert [p.name for p in full.parent.iterdir()] == ["out"]
