"""The database: create or upgrade its schema, and say which it is at."""

from __future__ import annotations

import click

from ceasefire.cli.root import Context, Group, pass_context


@click.group(cls=Group)
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_context
def db_upgrade(obj: Context) -> None:
    """Create the database or bring its schema up to date."""
    from ceasefire.services import ledger

    database = obj.database(migrated=False)
    database.upgrade()
    click.echo(f"{database.describe()}: schema at {database.current_revision()}")
    if (kid := ledger.prepare(database)) is not None:
        click.echo(f"server signing key: {kid}")


@db.command("current")
@pass_context
def db_current(obj: Context) -> None:
    """Show the schema revision of the database and the one this version needs."""
    database = obj.database(migrated=False)
    click.echo(f"current: {database.current_revision() or 'none'}")
    click.echo(f"needed:  {database.head_revision()}")
