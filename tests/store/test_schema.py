import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from ceasefire.store.db import Database
from ceasefire.store.tables import Base


def test_migrations_build_exactly_the_tables_the_code_uses(database):
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == []


def test_schema_is_current_after_upgrade(database):
    assert database.current_revision() == database.head_revision()
    database.require_current()


def test_upgrade_twice_is_harmless(database):
    database.upgrade()
    assert database.current_revision() == database.head_revision()


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'c.db'}")
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced(database):
    with database.engine.connect() as conn, pytest.raises(IntegrityError, match="(?i)foreign"):
        conn.execute(text("INSERT INTO accounts (username, party_id, role, active, created_at)"
                          " VALUES ('x', 999, 'analyst', true, '2017-01-01 00:00:00+00')"))
