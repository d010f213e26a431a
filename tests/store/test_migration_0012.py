"""Migration 0012: the overview's deaths and attribution, filled by SQL of its own; on a
record with verdicts the filled rows must be what the code gives them (the rows `ledger
verify` rebuilds), on both backends."""

from alembic import command
from sqlalchemy import func, select

from ceasefire.store import overview
from ceasefire.store.tables import OverviewRow
from tests.test_bulletin import ATTRIBUTED


def _downgrade(database, revision):
    config = database._alembic_config()
    with (database.engine.connect() as connection, database.dialect.migrating(connection),
          connection.begin()):
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_the_fill_gives_what_the_code_gives(built_records, backend, request):
    database = built_records.copy(request, ATTRIBUTED)
    with database.session() as session:
        before = overview.rows(session)
    _downgrade(database, "0011")
    database.upgrade()
    with database.session() as session:
        assert overview.differences(session) == []
        assert overview.rows(session) == before
        o = OverviewRow
        # Not vacuous: deaths, one actor named, and guarantors who differ are all there.
        assert session.scalar(select(func.count()).where(o.killed > 0)) > 100
        assert session.scalar(select(func.count()).where(o.attributed_id.is_not(None))) == 2
        assert session.scalar(select(func.count()).where(o.attributed_actors == 2)) == 1
