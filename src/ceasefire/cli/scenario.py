"""Scenarios: the shipped ones, and loading one into the record."""

from __future__ import annotations

import click

from ceasefire.cli.root import Context, Group, pass_context
from ceasefire.errors import CeasefireError


@click.group(cls=Group)
def scenario() -> None:
    """Scenarios: the parties, actors, agreements and demo accounts of a setting."""


@scenario.command("list")
def scenario_list() -> None:
    """List the scenarios shipped with Ceasefire Monitor."""
    from ceasefire.intake.scenario import available

    for name in available():
        click.echo(name)


@scenario.command("load")
@click.argument("name_or_path")
@pass_context
def scenario_load(obj: Context, name_or_path: str) -> None:
    """Load a shipped scenario (by name) or a scenario file (by path).

    The whole file is checked before anything is stored; loading it again changes nothing.
    """
    from ceasefire.intake.scenario import locate, parse
    from ceasefire.services.scenarios import load_scenario

    source, text = locate(name_or_path)
    parsed = parse(text, source=source)
    try:
        result = load_scenario(obj.database(), parsed)
    except CeasefireError as exc:
        exc.source = exc.source or source  # say which file clashed with the stored record
        raise
    created = ", ".join(f"{n} {k}" for k, n in result.created.items()) or "nothing new"
    unchanged = ", ".join(f"{n} {k}" for k, n in result.unchanged.items()) or "none"
    click.echo(f"scenario {parsed.code}: created {created}; already present: {unchanged}")
    if result.tokens:
        click.echo("API tokens of the new demo accounts (shown once, keep them):")
        for username, token in result.tokens.items():
            click.echo(f"  {username:<16} {token}")
