"""Agreements: the terms as they stand, their history, and amending them."""

from __future__ import annotations

import click

from ceasefire.cli.root import Context, Group, pass_context
from ceasefire.domain.actors import ActorStatus
from ceasefire.domain.amendment import Change
from ceasefire.domain.taxonomy import ViolationType

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
        what = m.zone_code or m.actor or ", ".join(sorted(m.acts or ())) or ""
        click.echo(f"  v{s.version} {m.change} {what} from {m.effective:%Y-%m-%d %H:%M} UTC, "
                   f"by {s.made_by} on {s.made_at:%Y-%m-%d}: {m.reason}")


@agreement.command("amend")
@click.argument("code")
@click.argument("change", type=click.Choice([c.value for c in Change]))
@click.option("--on", "effective", required=True, metavar="WHEN",
              help="From when: a day (midnight UTC) or a date-time with its offset.")
@click.option("--reason", required=True, help="Why the terms change: the decision, its source.")
@click.option("--account", "username", required=True,
              help="The secretariat account amending.")
@click.option("--zone", default=None, help="The zone ended, added (its code) or whose acts "
              "change.")
@click.option("--name", default=None, help="The name of the zone added.")
@click.option("--area", "pcodes", multiple=True, metavar="PCODE",
              help="An admin area of the zone added (repeatable).")
@click.option("--act", "acts", multiple=True, metavar="TYPE",
              help=f"A prohibited act from then (repeatable): {_ACTS}.")
@click.option("--actor", default=None, help="The actor whose status changes.")
@click.option("--status", type=click.Choice([s.value for s in ActorStatus]), default=None)
@pass_context
def agreement_amend(obj: Context, code: str, change: str, effective: str, reason: str,
                    username: str, zone: str | None, name: str | None,
                    pcodes: tuple[str, ...], acts: tuple[str, ...], actor: str | None,
                    status: str | None) -> None:
    """Change the agreement's terms from a moment: zone-added, zone-ended,
    agreement-ended, acts-changed or actor-status. One signed ledger entry; the incidents
    the change can reach are assessed again, the others keep the finding they had."""
    from ceasefire.domain.amendment import amendment_of
    from ceasefire.services.amendments import amend

    made = amendment_of(code, change, effective=effective, reason=reason, zone=zone,
                        name=name, pcodes=pcodes, acts=acts, actor=actor, status=status)
    done = amend(obj.database(), made, username=username)
    click.echo(f"{done.agreement}: terms version {done.version}; {done.reassessed} "
               "incidents assessed again")
