"""Migration 0009: source keys unique per party. On SQLite it rebuilds the reports table,
which every link to a report refers to; the rebuild must keep them all, and the record's
digests with them."""

from alembic import command
from sqlalchemy import func, select

from ceasefire.intake.report_in import ReportIn
from ceasefire.services.reports import submit_report
from ceasefire.services.scenarios import load_scenario
from ceasefire.store.digests import digests
from ceasefire.store.tables import IncidentReportRow, ReportActorRow, ReportRow
from tests.api.test_reports_api import SHELLING
from tests.store.test_migration_0011 import as_the_code_then


def _downgrade(database, revision):
    config = database._alembic_config()
    with (database.engine.connect() as connection, database.dialect.migrating(connection),
          connection.begin()):
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _held(database):
    with database.session() as session:
        counts = [session.scalar(select(func.count()).select_from(t))
                  for t in (ReportRow, ReportActorRow, IncidentReportRow)]
        return counts, digests(session, "report"), digests(session, "incident")


def test_the_rebuild_keeps_every_link_and_keys_become_per_party(database, syria_scenario,
                                                                 monkeypatch):
    load_scenario(database, syria_scenario)
    keyed = {**SHELLING, "source": {"name": "ACLED", "key": "acled:SYR1"}}
    submit_report(database, ReportIn.model_validate(keyed), party="RU")
    submit_report(database, ReportIn.model_validate({**SHELLING, "narrative": "b"}), party="TR")
    _downgrade(database, "0008")
    with monkeypatch.context() as then:  # digests as the code of 0008 and 0009 made them
        as_the_code_then(database, then)
        before = _held(database)
        assert before[0][1] and before[0][2]  # actor and incident links to rebuild around

        database.upgrade("0009")

        assert _held(database) == before  # every link kept, every record as it was signed
    database.upgrade()
    # TR may now hold the key RU claimed: each party's keys are its own.
    submit_report(database, ReportIn.model_validate(keyed), party="TR")
    assert _held(database)[0][0] == before[0][0] + 1
