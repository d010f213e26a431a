"""The one command-line entry point: ``ceasefire …``, a command group per part of the
record (cli/<group>.py), assembled on the root (cli/root.py)."""

from __future__ import annotations

from ceasefire.cli import (
    accounts,
    actors,
    agreements,
    bulletins,
    db,
    geo,
    incidents,
    ledger,
    reports,
    scenario,
    serve,
    simulate,
    witness,
)
from ceasefire.cli.root import EXIT_ERROR, cli

__all__ = ["EXIT_ERROR", "cli", "main"]

for command in (db.db, scenario.scenario, accounts.account, actors.actor, geo.geo,
                reports.import_, reports.report, incidents.correlate, incidents.assess,
                incidents.verdict, incidents.incident, simulate.simulate_reports, ledger.party,
                ledger.ledger_group, bulletins.bulletin_, serve.serve,
                agreements.agreement, witness.witness):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="ceasefire")
