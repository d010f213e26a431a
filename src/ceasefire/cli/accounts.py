"""Accounts: create, list, tokens, passwords, revoke, disable and enable."""

from __future__ import annotations

import sys

import click

from ceasefire.cli.root import Context, Group, pass_context


@click.group(cls=Group)
def account() -> None:
    """Accounts and their API tokens."""


@account.command("create")
@click.option("--party", required=True, help="Party code, e.g. TR.")
@click.option("--role", required=True, help="guarantor, observer, secretariat or analyst.")
@click.option("--username", default=None, help="Defaults to PARTY-ROLE-N.")
@pass_context
def account_create(obj: Context, party: str, role: str, username: str | None) -> None:
    """Create an account and print its API token (shown once; only a hash is kept)."""
    from ceasefire.services.accounts import create_account

    created, token = create_account(obj.database(), party=party, role=role, username=username)
    click.echo(f"created {created.username} ({created.party}, {created.role})", err=True)
    click.echo(token)


@account.command("list")
@click.option("--party", default=None, help="Only this party's accounts.")
@pass_context
def account_list(obj: Context, party: str | None) -> None:
    """List accounts."""
    from ceasefire.services.accounts import list_accounts

    for acc in list_accounts(obj.database(), party=party):
        state = "" if acc.active else "  (disabled)"
        click.echo(f"{acc.username:<24} {acc.party:<6} {acc.role:<12}{state}")


@account.command("token")
@click.argument("username")
@pass_context
def account_token(obj: Context, username: str) -> None:
    """Issue a new API token for an account and print it (shown once)."""
    from ceasefire.services.accounts import issue_token

    click.echo(issue_token(obj.database(), username=username))


@account.command("revoke")
@click.argument("username")
@pass_context
def account_revoke(obj: Context, username: str) -> None:
    """Revoke every API token of an account and end its web sessions (its password still
    logs in; `account disable` stops that too)."""
    from ceasefire.services.accounts import revoke_tokens

    tokens, sessions = revoke_tokens(obj.database(), username=username)
    click.echo(f"revoked {tokens} token(s); {sessions} web session(s) ended")


@account.command("disable")
@click.argument("username")
@pass_context
def account_disable(obj: Context, username: str) -> None:
    """Disable an account: end its web sessions, and refuse its API tokens and password
    until `account enable`."""
    from ceasefire.services.accounts import set_active

    ended = set_active(obj.database(), username=username, active=False)
    if ended is None:
        click.echo(f"{username} is already disabled")
    else:
        click.echo(f"disabled {username}: {ended} web session(s) ended; its API tokens are "
                   "refused until `account enable`")


@account.command("enable")
@click.argument("username")
@pass_context
def account_enable(obj: Context, username: str) -> None:
    """Enable a disabled account again: its API tokens and password work again (its
    web sessions stay ended)."""
    from ceasefire.services.accounts import set_active

    done = set_active(obj.database(), username=username, active=True)
    click.echo(f"{username} is already enabled" if done is None else f"enabled {username}")


@account.command("password")
@click.argument("username")
@click.option("--stdin", "from_stdin", is_flag=True,
              help="Read the password from the first line of standard input (for scripts) "
              "instead of prompting.")
@pass_context
def account_password(obj: Context, username: str, from_stdin: bool) -> None:
    """Set the password an account logs in to the web pages with (at least 12 characters;
    only an argon2id hash is kept). Ends the account's open web sessions."""
    from ceasefire.services.accounts import get_account
    from ceasefire.services.logins import set_password

    database = obj.database()
    get_account(database, username=username)  # a wrong name fails before the prompt
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    ended = set_password(database, username=username, password=password)
    click.echo(f"password set for {username}; {ended} web session(s) ended")
