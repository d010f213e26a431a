"""The root of the `ceasefire` command: its options, what its commands share, and how
errors end: commands map their arguments onto services; errors from below are turned into
one clean line on stderr and a non-zero exit here, and nowhere else."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ceasefire.config import SETTINGS, Settings
from ceasefire.errors import CeasefireError, InvalidInput
from ceasefire.store.db import Database

if TYPE_CHECKING:  # PyNaCl is imported when a command needs it
    from nacl.signing import SigningKey

EXIT_ERROR = 1  # bad input, missing record, unreachable database: the message says which


class Group(click.Group):
    """A group whose commands' errors end as one line on stderr and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CeasefireError as exc:
            click.secho(f"error: {exc}", err=True, fg="red")
            sys.exit(EXIT_ERROR)
        except OSError as exc:  # the system refused (a full disk, a file): no traceback
            where = f"{exc.filename}: " if exc.filename else ""
            click.secho(f"error: {where}{exc.strerror or exc}", err=True, fg="red")
            sys.exit(EXIT_ERROR)


class Context:
    """What every command shares: the settings, the databases it opened (closed at the
    end), and the party's own key when --key names it."""

    def __init__(self, database_url: str | None, key: Path | None = None) -> None:
        self._database_url = database_url
        self._key_file = key
        self._key: SigningKey | None = None
        self._settings: Settings | None = None
        self._databases: list[Database] = []

    def party_key(self) -> SigningKey | None:
        """The party's own signing key, when --key names its file: opened once."""
        if self._key_file is None:
            return None
        if self._key is None:
            from ceasefire.ledger.keys import unseal

            try:
                content = self._key_file.read_bytes()
            except OSError as exc:
                raise InvalidInput(f"cannot read the key file: {exc.strerror}",
                                   field="key", source=str(self._key_file)) from None
            self._key = unseal(content, passphrase("key file", confirm=False))
        return self._key

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.from_env(database_url=self._database_url)
        return self._settings

    def database(self, *, migrated: bool = True) -> Database:
        from ceasefire.services.witnessing import configured

        db = Database(self.settings.database_url,
                      server_passphrase=self.settings.server_passphrase or None,
                      origin=self.settings.log_origin,
                      witnesses=configured(self.settings))
        if not self._databases and (warning := db.exposed()):
            click.secho(f"warning: {warning}", err=True, fg="yellow")
        self._databases.append(db)
        if migrated:
            db.require_current()
        db.party_key = self.party_key()
        return db

    def close(self) -> None:
        for db in self._databases:
            db.dispose()


pass_context = click.make_pass_decorator(Context)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]},
             epilog="Settings (environment): " + ", ".join(s.name for s in SETTINGS))
@click.option("--database-url", metavar="URL", default=None,
              help="Database to use; overrides CEASEFIRE_DATABASE_URL.")
@click.option("--key", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar="CEASEFIRE_PARTY_KEY", metavar="FILE",
              help="Your party's key file (from `party keygen`): the ledger entries of your "
              "actions are signed with it. Its passphrase: CEASEFIRE_KEY_PASSPHRASE, or asked. "
              "Without it the server's key signs on the party's behalf.")
@click.version_option(package_name="ceasefire")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, key: Path | None) -> None:
    """Ceasefire Monitor: the shared record of a ceasefire monitoring mechanism."""
    ctx.obj = Context(database_url, key)
    ctx.call_on_close(ctx.obj.close)


def passphrase(what: str, *, confirm: bool) -> str:
    """CEASEFIRE_KEY_PASSPHRASE, or asked for without echo."""
    given = os.environ.get("CEASEFIRE_KEY_PASSPHRASE")
    if given:
        return given
    return click.prompt(f"passphrase for the {what}", hide_input=True,
                        confirmation_prompt=confirm, err=True)
