"""Migration 0011: a report's injured. A record made before it verifies after it, its
reports digesting as they were signed; a report that gives a figure is digested with it,
so an edit of the figure in the database is named by `ledger verify`. Both backends."""

from __future__ import annotations

from dataclasses import replace

from alembic import command
from sqlalchemy import Column, MetaData, Table, inspect, text

from ceasefire.intake.report_in import ReportIn
from ceasefire.services import ledger_checks
from ceasefire.services.reports import submit_report
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import records
from ceasefire.store.digests import digests
from ceasefire.store.ledger import replayed

SHELLING = {"when": {"earliest": "2017-01-15T10:00:00Z"},
            "place": {"lat": 36.2021, "lon": 37.1343}, "violation": "shelling",
            "perpetrators": ["syrian-government"], "casualties": {"best": 2},
            "narrative": "Shelling of the eastern districts."}


def _downgrade(database, revision: str) -> None:
    config = database._alembic_config()
    with (database.engine.connect() as connection, database.dialect.migrating(connection),
          connection.begin()):
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def as_the_code_then(database, monkeypatch) -> None:
    """Digests as the code of the database's revision made them: each kind's table
    without the columns added since, which the database does not have yet; no kind whose
    table came later."""
    for name, kind in list(records.KINDS.items()):
        if not inspect(database.engine).has_table(kind.table.name):
            monkeypatch.delitem(records.KINDS, name)
            continue
        held = {c["name"] for c in inspect(database.engine).get_columns(kind.table.name)}
        if held >= set(kind.table.c.keys()):
            continue
        table = Table(kind.table.name, MetaData(), *(
            Column(c.name, c.type, primary_key=c.primary_key)
            for c in kind.table.columns if c.name in held))
        monkeypatch.setitem(records.KINDS, name, replace(
            kind, table=table, added=tuple(a for a in kind.added if a.column in held)))


def _reports(database) -> dict[str, str]:
    with database.session() as session:
        return digests(session, "report")


def _signed(database) -> dict[str, str | None]:
    """Each report's digest as the ledger last wrote it."""
    with database.session() as session:
        return {key: digest for key, (_, digest) in replayed(session, "report").items()}


def _sql(database, statement: str, **values) -> None:
    with database.engine.begin() as connection:
        connection.execute(text(statement), values)


def _named(database, uid: str) -> bool:
    result = ledger_checks.verify(database)
    return not result.ok and \
        f"report {uid} differs in the database from what it wrote" in str(result.problem)


def test_a_record_made_before_verifies_after_and_an_edited_injured_is_named(
        database, syria_scenario, monkeypatch):
    # The scenario as the code of 0010 could hold it: amendments came with 0013.
    load_scenario(database, replace(syria_scenario, amendments=()))
    old = submit_report(database, ReportIn.model_validate(SHELLING), party="RU").report
    submit_report(database, ReportIn.model_validate({**SHELLING, "narrative": "Again."}),
                  party="TR")
    _downgrade(database, "0010")
    with monkeypatch.context() as then:
        as_the_code_then(database, then)
        signed = _reports(database)  # the record as the code before the migration read it
    assert signed == _signed(database) and len(signed) == 2

    database.upgrade()

    assert _reports(database) == signed
    checked = ledger_checks.verify(database)
    assert checked.ok, checked.problem
    hurt = submit_report(database, ReportIn.model_validate({
        **SHELLING, "casualties": {"best": 2, "injured": 6}, "narrative": "Six hurt."}),
        party="IR").report
    assert hurt.casualties.injured == 6
    assert ledger_checks.verify(database).ok
    # An edit of the figure, set or unset, on a new report or an old one, is named; undone,
    # the ledger verifies again.
    for uid, edited, was in ((hurt.id, "60", "6"), (hurt.id, "NULL", "6"),
                             (old.id, "3", "NULL")):
        _sql(database, f"UPDATE reports SET injured = {edited} WHERE uid = :uid", uid=uid)
        assert _named(database, uid), (uid, edited)
        _sql(database, f"UPDATE reports SET injured = {was} WHERE uid = :uid", uid=uid)
        assert ledger_checks.verify(database).ok, (uid, was)
