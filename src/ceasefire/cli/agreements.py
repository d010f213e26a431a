"""Agreements: the terms as they stand, their history, and amending them (by the
secretariat, or by proposal to the guarantors and their consent)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from ceasefire.cli.root import Context, Group, pass_context
from ceasefire.domain.actors import ActorStatus
from ceasefire.domain.amendment import Amendment, Change, amendment_of
from ceasefire.domain.taxonomy import ViolationType

if TYPE_CHECKING:
    from ceasefire.services.proposals import Answer

_ACTS = ", ".join(v.value for v in ViolationType)


@click.group(cls=Group)
def agreement() -> None:
    """Agreements: their terms, and the amendments that change them from a date."""


@agreement.command("list")
@pass_context
def agreement_list(obj: Context) -> None:
    """List the agreements with the version of their terms."""
    from ceasefire.services.reference import all_agreements

    with obj.database().session() as session:
        for a in all_agreements(session):
            ends = f" to {a.period.end:%Y-%m-%d}" if a.period.end else ""
            click.echo(f"{a.code:<20} terms v{a.version:<3} from {a.period.start:%Y-%m-%d}"
                       f"{ends}  {a.title}")


@agreement.command("show")
@click.argument("code")
@pass_context
def agreement_show(obj: Context, code: str) -> None:
    """The agreement's terms as they stand, its zones with their periods, and every
    amendment with who made it and why."""
    from ceasefire.services.amendments import history
    from ceasefire.services.proposals import listing

    a, amendments = history(obj.database(), code)
    ends = f" to {a.period.end:%Y-%m-%d %H:%M} UTC" if a.period.end else " (no end)"
    click.echo(f"{a.code}: {a.title}")
    click.echo(f"  in force from {a.period.start:%Y-%m-%d %H:%M} UTC{ends}; terms version "
               f"{a.version}")
    for z in a.zones:
        zone_end = f" to {z.period.end:%Y-%m-%d %H:%M}" if z.period.end else ""
        click.echo(f"  zone {z.code}: {z.name}, from {z.period.start:%Y-%m-%d %H:%M}"
                   f"{zone_end} UTC")
    for c in a.status_changes:
        click.echo(f"  {c.actor} {c.status} from {c.effective:%Y-%m-%d %H:%M} UTC")
    for s in amendments:
        m = s.amendment
        click.echo(f"  v{s.version} {m.change} {_what(m)} from {m.effective:%Y-%m-%d %H:%M} "
                   f"UTC, by {s.made_by} on {s.made_at:%Y-%m-%d}: {m.reason}")
    for p in listing(obj.database(), code)[1]:
        m = p.amendment
        said = f"consented: {', '.join(c.party for c in p.consents) or 'none'}"
        if p.open:
            said += f"; waiting for {', '.join(p.waiting_for(a))}"
        if p.objection is not None:
            said += f"; {p.objection.party} objected: {p.objection.reason}"
        click.echo(f"  proposal {p.id} ({p.outcome}) {m.change} {_what(m)} from "
                   f"{m.effective:%Y-%m-%d %H:%M} UTC, by {p.proposed_by}: {m.reason} "
                   f"({said})")


def _what(m: Amendment) -> str:
    return m.zone_code or m.actor or ", ".join(sorted(m.acts or ())) or ""


def _change_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options that say one change to the terms (amend and propose share them)."""
    options = [
        click.argument("code"),
        click.argument("change", type=click.Choice([c.value for c in Change])),
        click.option("--on", "effective", required=True, metavar="WHEN",
                     help="From when: a day (midnight UTC) or a date-time with its offset."),
        click.option("--reason", required=True,
                     help="Why the terms change: the decision, its source."),
        click.option("--zone", default=None,
                     help="The zone ended, added (its code) or whose acts change."),
        click.option("--name", default=None, help="The name of the zone added."),
        click.option("--area", "pcodes", multiple=True, metavar="PCODE",
                     help="An admin area of the zone added (repeatable)."),
        click.option("--act", "acts", multiple=True, metavar="TYPE",
                     help=f"A prohibited act from then (repeatable): {_ACTS}."),
        click.option("--actor", default=None, help="The actor whose status changes."),
        click.option("--status", type=click.Choice([s.value for s in ActorStatus]),
                     default=None),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _change(code: str, change: str, effective: str, reason: str, zone: str | None,
            name: str | None, pcodes: tuple[str, ...], acts: tuple[str, ...],
            actor: str | None, status: str | None) -> Amendment:
    return amendment_of(code, change, effective=effective, reason=reason, zone=zone,
                        name=name, pcodes=pcodes, acts=acts, actor=actor, status=status)


@agreement.command("amend")
@_change_options
@click.option("--account", "username", required=True,
              help="The secretariat account amending.")
@pass_context
def agreement_amend(obj: Context, /, username: str, **change: Any) -> None:
    """Change the agreement's terms from a moment: zone-added, zone-ended,
    agreement-ended, acts-changed or actor-status. One signed ledger entry; the incidents
    the change can reach are assessed again, the others keep the finding they had.
    Terms the guarantors amend take `propose` instead."""
    from ceasefire.services.amendments import amend

    done = amend(obj.database(), _change(**change), username=username)
    click.echo(f"{done.agreement}: terms version {done.version}; {done.reassessed} "
               "incidents assessed again")


def _answered(answer: Answer) -> None:
    p = answer.proposal
    if answer.amended is not None:
        click.echo(f"proposal {p.id} adopted: terms version {answer.amended.version}; "
                   f"{answer.amended.reassessed} incidents assessed again")
    elif p.objection is not None:
        click.echo(f"proposal {p.id} closed: {p.objection.party} objected")
    else:
        click.echo(f"proposal {p.id}: waiting for {', '.join(answer.waiting_for)}")


@agreement.command("propose")
@_change_options
@click.option("--account", "username", required=True,
              help="A guarantor's officer (who consents by proposing), or the secretariat.")
@pass_context
def agreement_propose(obj: Context, /, username: str, **change: Any) -> None:
    """Propose a change to terms the guarantors amend: it takes effect once every
    guarantor has consented (`agreement consent`); one objection closes it."""
    from ceasefire.services.proposals import propose

    _answered(propose(obj.database(), _change(**change), username=username))


@agreement.command("consent")
@click.argument("code")
@click.argument("proposal", type=int)
@click.option("--account", "username", required=True, help="The guarantor's officer.")
@pass_context
def agreement_consent(obj: Context, code: str, proposal: int, username: str) -> None:
    """Consent to a proposal for the officer's guarantor; the last consent adopts it."""
    from ceasefire.services.proposals import consent

    _answered(consent(obj.database(), code, proposal, username=username))


@agreement.command("object")
@click.argument("code")
@click.argument("proposal", type=int)
@click.option("--reason", required=True, help="Why the guarantor objects.")
@click.option("--account", "username", required=True, help="The guarantor's officer.")
@pass_context
def agreement_object(obj: Context, code: str, proposal: int, reason: str,
                     username: str) -> None:
    """Object to a proposal for the officer's guarantor: it closes, the terms stay."""
    from ceasefire.services.proposals import object_to

    _answered(object_to(obj.database(), code, proposal, reason, username=username))
