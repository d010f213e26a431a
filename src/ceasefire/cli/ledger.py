"""Parties' signing keys and the ledger: verify, export, checkpoints, the server's key."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ceasefire.cli.root import EXIT_ERROR, Context, Group, pass_context, passphrase
from ceasefire.domain.parties import Account
from ceasefire.errors import InvalidInput
from ceasefire.store.db import Database


@click.group(cls=Group)
def party() -> None:
    """Parties' signing keys."""


def _account_named(database: Database, username: str) -> Account:
    from ceasefire.services.accounts import get_account

    return get_account(database, username=username)


@party.command("keygen")
@click.argument("code")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the key file (it must not exist).")
@click.option("--account", "username", default=None, metavar="USERNAME",
              help="The secretariat account that registers the party's first key (the "
              "server signs on its behalf, so CEASEFIRE_SERVER_PASSPHRASE is needed).")
@pass_context
def party_keygen(obj: Context, code: str, out: Path, username: str | None) -> None:
    """Make a signing key for party CODE, sealed with a passphrase in a file that stays
    with the party, and register it in the ledger. A party's first key is registered by
    the secretariat (--account); a new key replaces the current one when the command is
    given that key (`ceasefire --key CURRENT party keygen …`), which signs the change."""
    from nacl.signing import SigningKey

    from ceasefire.ledger.keys import seal
    from ceasefire.services import ledger

    if out.exists():
        raise InvalidInput(f"{out} exists; a key file is never overwritten", field="out")
    current = obj.party_key()
    if current is None and username is None:
        raise InvalidInput("name the secretariat account that registers the key (--account), "
                           "or give the party's current key (--key) to replace it",
                           field="account")
    database = obj.database()
    account = (_account_named(database, username)
               if current is None and username is not None else None)
    key = SigningKey.generate()
    sealed = seal(key, passphrase("new key file", confirm=True))
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("xb") as f:  # a file left by someone else is never overwritten
            os.fchmod(f.fileno(), 0o600)  # readable by its owner alone from the first byte
            f.write(sealed)
    except OSError as exc:
        raise InvalidInput(f"cannot write {partial}: {exc.strerror}", field="out") from None
    try:
        if current is None:
            assert account is not None  # refused above: neither a key nor an account
            kid = ledger.register_party_key(database, code, key, account=account)
        else:
            kid = ledger.rotate_party_key(database, code, current, key)
    except BaseException:
        partial.unlink()  # no key file for a key that was never registered
        raise
    partial.replace(out)  # the file appears once the key is registered
    what = "registered" if current is None else "registered in place of the key given"
    click.echo(f"party {code}: key {kid} {what}; key file {out}")


@party.command("revoke")
@click.argument("code")
@click.option("--reason", required=True, help="Why, as the ledger will keep it.")
@click.option("--account", "username", default=None, metavar="USERNAME",
              help="The secretariat account that revokes it; without it, the party's own "
              "current key (--key) revokes itself.")
@pass_context
def party_revoke(obj: Context, code: str, reason: str, username: str | None) -> None:
    """Revoke party CODE's current key: it signs nothing from then on. The secretariat
    may then register a new first key for the party."""
    from ceasefire.services import ledger

    own = obj.party_key()
    if own is None and username is None:
        raise InvalidInput("name the secretariat account that revokes the key (--account), "
                           "or give the key itself (--key)", field="account")
    database = obj.database()
    account = _account_named(database, username) if username is not None else None
    kid = ledger.revoke_party_key(database, code, reason=reason, account=account,
                                  own=own if account is None else None)
    click.echo(f"party {code}: key {kid} revoked")


@party.command("keys")
@pass_context
def party_keys(obj: Context) -> None:
    """The keys the ledger registered: the server's and the parties', with their status."""
    from ceasefire.services import ledger

    for k in ledger.server_public_keys(obj.database()):
        click.echo(f"{k['key_id']}  {k['party'] or 'server'}  {k['status']}  "
                   f"{k['created_at']}")


@click.group(cls=Group, name="ledger")
def ledger_group() -> None:
    """The ledger: verify it, export it, give its checkpoint."""


@ledger_group.command("verify")
@click.option("--offline", "offline", type=click.Path(file_okay=False, path_type=Path),
              default=None, metavar="DIR", help="Verify an export (no database).")
@click.option("--checkpoint", "saved", multiple=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A checkpoint kept earlier (its JSON, its signed note as a witness holds "
              "it, or a published bulletin's JSON): show "
              "the ledger only grew since it. Repeatable.")
@pass_context
def ledger_verify(obj: Context, offline: Path | None, saved: tuple[Path, ...]) -> None:
    """Check the chain, every signature, every checkpoint's Merkle root and (with a
    database) that the record equals a replay of the ledger. Names the first bad entry."""
    import json

    from ceasefire.ledger.checkpoints import checkpoint_of, checkpoint_of_note
    from ceasefire.services import ledger_checks

    kept = []
    for path in saved:
        text = path.read_text(encoding="utf-8", errors="replace")
        if not text.lstrip().startswith("{"):  # a C2SP note: a witness's, or /checkpoint's
            kept.append(checkpoint_of_note(text))
            continue
        try:
            data = json.loads(text)
            # A published bulletin's JSON holds the checkpoint its counts rest on.
            if isinstance(data, dict) and isinstance(data.get("checkpoint"), dict):
                data = data["checkpoint"]
            kept.append(checkpoint_of(data))
        except ValueError as exc:
            raise InvalidInput(f"not JSON: {exc}", field="checkpoint", source=str(path)) \
                from None
    if offline is not None:
        result = ledger_checks.verify_export(offline, saved=kept)
    else:
        result = ledger_checks.verify(obj.database(), kept)
    if not result.ok:
        click.secho(f"ledger NOT verified: {result.problem}", err=True, fg="red")
        sys.exit(EXIT_ERROR)
    held = f", {result.records:,} records match the replay" if result.records else ""
    click.echo(f"ledger verified: {result.entries:,} entries, root {result.root.hex()}, "
               f"trust root key {result.root_key}, {result.checkpoints} checkpoints{held}")


@ledger_group.command("export")
@click.argument("directory", type=click.Path(path_type=Path))
@pass_context
def ledger_export(obj: Context, directory: Path) -> None:
    """Write the ledger, the records each entry wrote, the public keys and the
    checkpoints to DIRECTORY (new), for `ledger verify --offline`."""
    from ceasefire.services import ledger_checks

    n = ledger_checks.export(obj.database(), directory)
    click.echo(f"{n:,} entries exported to {directory}")


@ledger_group.command("rotate-key")
@pass_context
def ledger_rotate_key(obj: Context) -> None:
    """Replace the server's signing key with a new one, sealed with the same passphrase;
    the entry that registers it is signed with the key it replaces."""
    from ceasefire.services import ledger

    kid = ledger.rotate_server_key(obj.database())
    click.echo(f"server key {kid} registered; the key it replaces signs nothing more")


@ledger_group.command("vkeys")
@pass_context
def ledger_vkeys(obj: Context) -> None:
    """Print the server's keys as verifier keys (name+id+key, named by the log's origin,
    CEASEFIRE_LOG_ORIGIN): what each guarantor gives its witness (`witness serve --log`)."""
    from ceasefire.services import ledger

    for vkey in ledger.log_vkeys(obj.database()):
        click.echo(vkey)


@ledger_group.command("checkpoint")
@pass_context
def ledger_checkpoint(obj: Context) -> None:
    """Print the ledger's signed checkpoint now, as JSON: keep it to check later that the
    ledger only grew (`ledger verify --checkpoint FILE`)."""
    import json

    from ceasefire.ledger.checkpoints import checkpoint_json
    from ceasefire.services import ledger

    click.echo(json.dumps(checkpoint_json(ledger.checkpoint(obj.database())),
                          indent=2))
