import pytest

from ceasefire.errors import ConfigError, StorageUnavailable
from ceasefire.store.db import Database, parse_url


@pytest.mark.parametrize(("url", "message"), [
    ("not a url", "is not a database URL"),
    ("mysql://root@127.0.0.1/x", "unsupported database 'mysql'"),
    ("sqlite://", "needs a file path"),
    ("sqlite:///:memory:", "needs a file path"),
    ("postgresql://user@127.0.0.1:5432", "needs a database name"),
])
def test_bad_database_url_names_the_setting(url, message):
    with pytest.raises(ConfigError, match=message) as err:
        parse_url(url)
    assert err.value.field == "CEASEFIRE_DATABASE_URL"


def test_postgres_urls_use_psycopg():
    assert parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert parse_url("postgres://u@h/db").drivername == "postgresql+psycopg"


def test_unreachable_server_is_storage_unavailable():
    db = Database("postgresql://nobody@127.0.0.1:1/nothing")
    with pytest.raises(StorageUnavailable, match="127.0.0.1:1"):
        db.current_revision()
    with pytest.raises(StorageUnavailable), db.session():
        pass


def test_unmigrated_database_is_refused_with_the_fix(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'new.db'}")
    with pytest.raises(StorageUnavailable, match="ceasefire db upgrade"):
        db.require_current()


def test_sqlite_directory_is_created(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'c.db'}")
    db.upgrade()
    assert (tmp_path / "nested" / "dir" / "c.db").is_file()
