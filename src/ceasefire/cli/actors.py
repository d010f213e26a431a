"""The actor registry: list and show actors; the secretariat adds actors and names, and
merges two entries that are one armed group."""

from __future__ import annotations

import click

from ceasefire.cli.root import Context, Group, pass_context
from ceasefire.domain.actors import ActorName
from ceasefire.errors import InvalidInput


@click.group(cls=Group)
def actor() -> None:
    """Armed actors: their names, sides and status under each agreement."""


def _alias(given: str) -> ActorName:
    """LANG:TEXT, as --alias takes it: "ar:جيش الإسلام"."""
    lang, colon, text = given.partition(":")
    if not colon:
        raise InvalidInput(f"{given!r} is not LANG:TEXT (e.g. en:Jaish al-Islam)",
                           field="alias", id=given)
    try:
        return ActorName(text.strip(), lang.strip())
    except InvalidInput as exc:
        exc.field = f"alias.{exc.field}"
        raise


@actor.command("list")
@pass_context
def actor_list(obj: Context) -> None:
    """Every actor: code, name, side, and what it was merged into."""
    from ceasefire.services.actors import listing

    for a in listing(obj.database()):
        merged = f"  (merged into {a.merged_into})" if a.merged_into else ""
        click.echo(f"{a.code:<28} {a.name:<48} {a.side or '-':<14}{merged}")


@actor.command("show")
@click.argument("code")
@pass_context
def actor_show(obj: Context, code: str) -> None:
    """An actor: its names by language, what it was merged into or what was merged into
    it, and its status under each agreement now."""
    from ceasefire.services.actors import show

    view = show(obj.database(), code)
    a = view.actor
    click.echo(f"{a.code}: {a.name}")
    click.echo(f"side: {a.side or '-'}; {'a state' if a.is_state else 'not a state'}")
    if a.merged_into:
        click.echo(f"merged into {a.merged_into}: its names lead to {view.surviving}")
    if view.merged_here:
        click.echo(f"merged into it: {', '.join(view.merged_here)}")
    by_lang: dict[str, list[str]] = {}
    for alias in a.aliases:
        by_lang.setdefault(alias.lang, []).append(alias.text)
    click.echo("names:")
    for lang in sorted(by_lang):
        click.echo(f"  {lang}: {'; '.join(by_lang[lang])}")
    click.echo("status:")
    for agreement, title, status in view.statuses:
        click.echo(f"  {agreement} ({title}): {status.value}")


@actor.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The name the mechanism uses (English).")
@click.option("--side", default=None, help="Who it fights alongside, e.g. opposition.")
@click.option("--state", "is_state", is_flag=True, help="A state's armed forces.")
@click.option("--alias", "aliases", multiple=True, metavar="LANG:TEXT",
              help="Another name, e.g. ar:جيش الإسلام; repeatable.")
@click.option("--party", required=True, help="The secretariat's party code (e.g. SEC).")
@pass_context
def actor_add(obj: Context, code: str, name: str, side: str | None, is_state: bool,
              aliases: tuple[str, ...], party: str) -> None:
    """Add an actor to the registry; a ledger entry."""
    from ceasefire.domain.actors import Actor
    from ceasefire.services.actors import add_actor

    new = Actor(code=code, name=name, aliases=tuple(_alias(a) for a in aliases),
                is_state=is_state, side=side)
    done = add_actor(obj.database(), new, party=party)
    click.echo(f"added actor {code} (ledger entry {done.entry})")
    _spelled_like(done.spelled_like)


def _spelled_like(codes: tuple[str, ...]) -> None:
    if codes:
        click.secho(f"note: {', '.join(codes)} has a name spelled alike; if it is the same "
                    "group, merge them (`ceasefire actor merge`): until then such a "
                    "spelling finds neither", err=True, fg="yellow")


@actor.command("alias")
@click.argument("code")
@click.argument("text")
@click.option("--lang", default="en", show_default=True, help="ISO 639 language code.")
@click.option("--party", required=True, help="The secretariat's party code (e.g. SEC).")
@pass_context
def actor_alias(obj: Context, code: str, text: str, lang: str, party: str) -> None:
    """Add TEXT as a name of actor CODE; a ledger entry."""
    from ceasefire.services.actors import add_alias

    done = add_alias(obj.database(), code, [_alias(f"{lang}:{text}")], party=party)
    click.echo(f"{code} is also called {text!r} ({lang}) (ledger entry {done.entry})")
    _spelled_like(done.spelled_like)


@actor.command("merge")
@click.argument("code")
@click.option("--into", required=True, help="The actor that stays.")
@click.option("--reason", required=True, help="Why: kept with the merge in the ledger.")
@click.option("--party", required=True, help="The secretariat's party code (e.g. SEC).")
@pass_context
def actor_merge(obj: Context, code: str, into: str, reason: str, party: str) -> None:
    """Merge actor CODE into another: one armed group the registry held twice. Reports
    that named it keep naming it; its names and code lead to the other from now on."""
    from ceasefire.services.actors import merge

    done = merge(obj.database(), code, into=into, reason=reason, party=party)
    click.echo(f"merged {code} into {into} (ledger entry {done.entry})")
