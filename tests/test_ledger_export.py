"""`ledger export DIR` makes DIR whole or not at all, and never deletes what it did not
make: it writes into a fresh directory of its own beside DIR and renames it at the end."""

import pytest

from ceasefire.errors import StorageUnavailable
from ceasefire.services import ledger_checks
from ceasefire.store.db import Database
from tests.test_cli import run, url_of


@pytest.fixture
def place(tmp_path):
    """Where the export goes, holding someone's DIR.partial/ with a file of theirs."""
    place = tmp_path / "exports"
    (place / "export.partial").mkdir(parents=True)
    (place / "export.partial" / "notes.txt").write_text("not the exporter's")
    return place


def test_an_export_leaves_a_directory_it_did_not_make_alone(database, place):
    assert run("--database-url", url_of(database), "scenario", "load",
               "syria-2016").exit_code == 0
    result = run("--database-url", url_of(database), "ledger", "export",
                 str(place / "export"))
    assert result.exit_code == 0, result.output
    assert (place / "export.partial" / "notes.txt").read_text() == "not the exporter's"
    assert sorted(p.name for p in place.iterdir()) == ["export", "export.partial"]
    assert sorted(p.name for p in (place / "export").iterdir()) == [
        "checkpoints.jsonl", "entries.jsonl", "keys.json", "writes.jsonl"]
    assert run("ledger", "verify", "--offline", str(place / "export")).exit_code == 0
    (place / "control").mkdir()  # the mode any new directory gets here
    assert (place / "export").stat().st_mode == (place / "control").stat().st_mode


def test_a_failed_export_removes_only_what_it_made(place, tmp_path):
    unmigrated = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(StorageUnavailable):
            ledger_checks.export(unmigrated, place / "export")
    finally:
        unmigrated.dispose()
    assert [p.name for p in place.iterdir()] == ["export.partial"]
    assert (place / "export.partial" / "notes.txt").read_text() == "not the exporter's"
