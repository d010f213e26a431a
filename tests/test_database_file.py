"""The SQLite file holds the sealed server key and the credential hashes: it is made
readable by its owner alone, and a file others may read is warned about on start."""

import logging
import stat

import pytest

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.store.db import Database
from tests.conftest import SERVER_PASSPHRASE
from tests.test_cli import run


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_db_upgrade_makes_the_file_and_its_wal_readable_by_its_owner_alone(tmp_path):
    path = tmp_path / "new.db"
    result = run("--database-url", f"sqlite:///{path}", "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert mode(path) == 0o600
    database = Database(f"sqlite:///{path}", server_passphrase=SERVER_PASSPHRASE)
    try:
        with database.engine.connect() as connection:  # held open: the WAL stays
            connection.exec_driver_sql("CREATE TABLE scratch (x)")
            assert {p.name: mode(p) for p in tmp_path.iterdir()} == {
                "new.db": 0o600, "new.db-wal": 0o600, "new.db-shm": 0o600}
    finally:
        database.dispose()


@pytest.fixture
def readable(tmp_path):
    path = tmp_path / "open.db"
    assert run("--database-url", f"sqlite:///{path}", "db", "upgrade").exit_code == 0
    path.chmod(0o644)
    return path


def test_a_file_others_may_read_is_warned_about_by_every_command(readable):
    result = run("--database-url", f"sqlite:///{readable}", "db", "current")
    assert result.exit_code == 0
    assert result.stderr == (f"warning: {readable} may be read by others than its owner "
                             "(mode 644), and it holds the server's sealed key and the "
                             f"credential hashes: chmod 600 {readable}\n")
    assert mode(readable) == 0o644  # a warning, not a change behind the owner's back


def test_a_server_that_opens_such_a_file_logs_the_warning(readable, caplog):
    with caplog.at_level(logging.WARNING):
        create_app(Settings(database_url=f"sqlite:///{readable}")).state.database.dispose()
    assert [r.getMessage() for r in caplog.records
            if r.levelno == logging.WARNING] == [
        f"{readable} may be read by others than its owner (mode 644), and it holds the "
        f"server's sealed key and the credential hashes: chmod 600 {readable}"]
