"""The one command-line entry point: ``ceasefire …``.

Commands map their arguments onto services; errors from below are turned into one clean
line on stderr and a non-zero exit here, and nowhere else.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ceasefire.config import SETTINGS, Settings
from ceasefire.errors import CeasefireError, NotFound
from ceasefire.store.db import Database

EXIT_ERROR = 1  # bad input, missing record, unreachable database: the message says which


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CeasefireError as exc:
            click.secho(f"error: {exc}", err=True, fg="red")
            sys.exit(EXIT_ERROR)


class _Context:
    def __init__(self, database_url: str | None) -> None:
        self._database_url = database_url
        self._settings: Settings | None = None
        self._databases: list[Database] = []

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.from_env(database_url=self._database_url)
        return self._settings

    def database(self, *, migrated: bool = True) -> Database:
        db = Database(self.settings.database_url)
        self._databases.append(db)
        if migrated:
            db.require_current()
        return db

    def close(self) -> None:
        for db in self._databases:
            db.dispose()


_pass = click.make_pass_decorator(_Context)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]},
             epilog="Settings (environment): " + ", ".join(s.name for s in SETTINGS))
@click.option("--database-url", metavar="URL", default=None,
              help="Database to use; overrides CEASEFIRE_DATABASE_URL.")
@click.version_option(package_name="ceasefire")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None) -> None:
    """Ceasefire Monitor: the shared record of a ceasefire monitoring mechanism."""
    ctx.obj = _Context(database_url)
    ctx.call_on_close(ctx.obj.close)


# -- db ---------------------------------------------------------------------------------

@cli.group(cls=_Group)
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@_pass
def db_upgrade(obj: _Context) -> None:
    """Create the database or bring its schema up to date."""
    database = obj.database(migrated=False)
    database.upgrade()
    click.echo(f"{database.describe()}: schema at {database.current_revision()}")


@db.command("current")
@_pass
def db_current(obj: _Context) -> None:
    """Show the schema revision of the database and the one this version needs."""
    database = obj.database(migrated=False)
    click.echo(f"current: {database.current_revision() or 'none'}")
    click.echo(f"needed:  {database.head_revision()}")


# -- scenario -----------------------------------------------------------------------------

@cli.group(cls=_Group)
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
@_pass
def scenario_load(obj: _Context, name_or_path: str) -> None:
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


# -- account ------------------------------------------------------------------------------

@cli.group(cls=_Group)
def account() -> None:
    """Accounts and their API tokens."""


@account.command("create")
@click.option("--party", required=True, help="Party code, e.g. TR.")
@click.option("--role", required=True, help="guarantor, observer, secretariat or analyst.")
@click.option("--username", default=None, help="Defaults to PARTY-ROLE-N.")
@_pass
def account_create(obj: _Context, party: str, role: str, username: str | None) -> None:
    """Create an account and print its API token (shown once; only a hash is kept)."""
    from ceasefire.services.accounts import create_account

    created, token = create_account(obj.database(), party=party, role=role, username=username)
    click.echo(f"created {created.username} ({created.party}, {created.role})", err=True)
    click.echo(token)


@account.command("list")
@click.option("--party", default=None, help="Only this party's accounts.")
@_pass
def account_list(obj: _Context, party: str | None) -> None:
    """List accounts."""
    from ceasefire.services.accounts import list_accounts

    for acc in list_accounts(obj.database(), party=party):
        state = "" if acc.active else "  (disabled)"
        click.echo(f"{acc.username:<24} {acc.party:<6} {acc.role:<12}{state}")


@account.command("token")
@click.argument("username")
@_pass
def account_token(obj: _Context, username: str) -> None:
    """Issue a new API token for an account and print it (shown once)."""
    from ceasefire.services.accounts import issue_token

    click.echo(issue_token(obj.database(), username=username))


@account.command("revoke")
@click.argument("username")
@_pass
def account_revoke(obj: _Context, username: str) -> None:
    """Revoke every API token of an account."""
    from ceasefire.services.accounts import revoke_tokens

    click.echo(f"revoked {revoke_tokens(obj.database(), username=username)} token(s)")


# -- geo ----------------------------------------------------------------------------------

@cli.group(cls=_Group)
def geo() -> None:
    """Geography: admin areas by OCHA P-code."""


@geo.command("locate")
@click.option("--lat", type=click.FloatRange(-90, 90), required=True)
@click.option("--lon", type=click.FloatRange(-180, 180), required=True)
def geo_locate(lat: float, lon: float) -> None:
    """Print the admin areas (P-codes and names) that hold a point."""
    from ceasefire.domain.place import Point
    from ceasefire.geo.admin import syria

    areas = syria().areas_at(Point(lon, lat))
    if not areas:
        raise NotFound(f"({lat}, {lon}) lies outside every admin area")
    for area in areas:
        click.echo(f"adm{area.level}  {area.pcode:<9} {area.name}  {area.name_ar}")


# -- serve --------------------------------------------------------------------------------

@cli.command()
@click.option("--host", default=None, help="Overrides CEASEFIRE_HOST.")
@click.option("--port", type=int, default=None, help="Overrides CEASEFIRE_PORT.")
@_pass
def serve(obj: _Context, host: str | None, port: int | None) -> None:
    """Serve the HTTP API (and, later, the web pages)."""
    import uvicorn

    from ceasefire.api.app import create_app

    settings = Settings.from_env(database_url=obj.settings.database_url, host=host, port=port)
    database = obj.database()
    click.echo(f"serving {database.describe()} on http://{settings.host}:{settings.port}")
    uvicorn.run(create_app(settings, database=database), host=settings.host, port=settings.port)


def main() -> None:
    cli(prog_name="ceasefire")
