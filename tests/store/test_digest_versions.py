"""A migration that adds a column to a record's table keeps every record signed before it
verifiable, and every edit of one named (docs/decisions.md: "A record's digest is keyed
by column name…"). Both backends.

The migration here is a scratch one, applied on top of the product's own, that adds a
column with a default to `reports` and to `verdicts`; the code that would come with it is
the tables' new column and its declaration in the registry (store/records.py), made for
the test alone.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Column, Integer, MetaData, String, text

import ceasefire.store.migrations
from ceasefire.domain.agreement import Position
from ceasefire.intake.report_in import ReportIn
from ceasefire.services import ledger, ledger_checks, verification
from ceasefire.services.reports import submit_report
from ceasefire.services.scenarios import load_scenario
from ceasefire.store import changes, records
from ceasefire.store.digests import _row, digests
from ceasefire.store.records import Added, VerdictKey

VERSIONS = Path(ceasefire.store.migrations.__file__).parent / "versions"
SHELLING = {"when": {"earliest": "2017-01-15T10:00:00Z"},
            "place": {"lat": 36.2021, "lon": 37.1343}, "violation": "shelling",
            "perpetrators": ["syrian-government"], "targets": ["syrian-opposition"],
            "narrative": "Shelling of the eastern districts."}
LATER = {**SHELLING, "narrative": "Artillery fire on the eastern districts, again."}

MIGRATION = '''"""Scratch: a report's reliability, and the evidence a verdict cites."""

import sqlalchemy as sa
from alembic import op

revision = "scratch_0001"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reports", sa.Column("reliability", sa.String(8), nullable=False,
                                       server_default="unrated"))
    op.add_column("verdicts", sa.Column("evidence", sa.Integer(), nullable=False,
                                        server_default="0"))


def downgrade() -> None:
    op.drop_column("verdicts", "evidence")
    op.drop_column("reports", "reliability")
'''


def _migrate(database, directory: Path) -> None:
    directory.mkdir()
    (directory / "scratch_0001.py").write_text(MIGRATION.format(head=database.head_revision()))
    config = database._alembic_config()
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join([str(VERSIONS),
                                                                 str(directory)]))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "scratch_0001")


def _declare(monkeypatch, kind: str, column: Column, before: object) -> None:
    """The code that comes with the migration: the table has the column, and the registry
    says what rows written before it hold."""
    declared = records.KINDS[kind]
    table = declared.table.to_metadata(MetaData())
    table.append_column(column)
    added = (*declared.added, Added(column.name, before, "scratch_0001"))
    monkeypatch.setitem(records.KINDS, kind, replace(declared, table=table, added=added))


def _cast(database, incident: str, who: str, position: Position) -> VerdictKey:
    version = verification.read(database, incident)[0].version
    view = verification.cast(database, None, incident, username=who, position=position,
                             seen_version=version)
    return VerdictKey(incident, view.agreement, view.version)


def _digest(database, kind: str, key) -> str:
    with database.session() as session:
        return digests(session, kind, [records.text(key)])[records.text(key)]


def _sql(database, statement: str, **values) -> None:
    with database.engine.begin() as connection:
        connection.execute(text(statement), values)


def _problem(database) -> str:
    result = ledger_checks.verify(database)
    assert not result.ok, "verify passed an edited record"
    return str(result.problem)


def test_records_signed_before_a_new_column_still_verify_and_edits_are_named(
        database, syria_scenario, tmp_path, monkeypatch):
    load_scenario(database, syria_scenario)
    old = submit_report(database, ReportIn.model_validate(SHELLING), party="RU")
    old_verdict = _cast(database, old.incident, "ru-officer", Position.CONFIRM)
    signed = {"report": _digest(database, "report", old.report.id),
              "verdict": _digest(database, "verdict", old_verdict)}

    _migrate(database, tmp_path / "versions")
    _declare(monkeypatch, "report", Column("reliability", String(8), nullable=False,
                                           server_default="unrated"), "unrated")
    _declare(monkeypatch, "verdict", Column("evidence", Integer, nullable=False,
                                            server_default="0"), 0)

    # The records signed before the column existed digest as they were signed...
    assert _digest(database, "report", old.report.id) == signed["report"]
    assert _digest(database, "verdict", old_verdict) == signed["verdict"]
    assert ledger_checks.verify(database).ok
    # ...and records written after it, with the column set, verify too.
    new = submit_report(database, ReportIn.model_validate(LATER), party="TR")
    new_verdict = _cast(database, old.incident, "tr-officer", Position.CONFIRM)
    with database.session(write=True) as session:
        session.execute(text("UPDATE reports SET reliability = 'high' WHERE uid = :uid"),
                        {"uid": new.report.id})
        session.execute(text("UPDATE verdicts SET evidence = 2 WHERE version = :version"),
                        {"version": new_verdict.version})
        changes.touch(session, "report", [new.report.id])
        changes.touch(session, "verdict", [new_verdict])
        ledger.append(session, ledger.mechanism(session), "records.rated", {})
    assert _digest(database, "report", new.report.id) != _digest(database, "report",
                                                                 old.report.id)
    checked = ledger_checks.verify(database)
    assert checked.ok, checked.problem

    # Every edit by SQL of an old record or a new one, in the new column or an old one, is
    # named by `ledger verify`; undone, the ledger verifies again.
    edits = [
        ("reports", "reliability", "uid", old.report.id, "'high'", "'unrated'",
         f"report {old.report.id}"),
        ("reports", "reliability", "uid", new.report.id, "'unrated'", "'high'",
         f"report {new.report.id}"),
        ("reports", "narrative", "uid", old.report.id, "'Nothing happened.'",
         repr(SHELLING["narrative"]), f"report {old.report.id}"),
        ("verdicts", "evidence", "version", old_verdict.version, "7", "0",
         f"verdict {records.text(old_verdict)}"),
        ("verdicts", "evidence", "version", new_verdict.version, "0", "2",
         f"verdict {records.text(new_verdict)}"),
        ("verdicts", "position", "version", new_verdict.version, "'reject'", "'confirm'",
         f"verdict {records.text(new_verdict)}"),
    ]
    for table, column, by, key, edited, was, named in edits:
        _sql(database, f"UPDATE {table} SET {column} = {edited} WHERE {by} = :key", key=key)
        assert f"{named} differs in the database from what it wrote" in _problem(database)
        _sql(database, f"UPDATE {table} SET {column} = {was} WHERE {by} = :key", key=key)
        assert ledger_checks.verify(database).ok, (table, column, key)


@pytest.mark.parametrize("before", [None, "unrated"])
def test_an_added_column_counts_only_when_it_holds_another_value(before):
    added = [Added("reliability", before, "scratch_0001")]
    assert _row(["uid", "reliability"], ["r1", before], added) == {"uid": "r1"}
    assert _row(["uid", "reliability"], ["r1", "high"], added) == {"uid": "r1",
                                                                   "reliability": "high"}
