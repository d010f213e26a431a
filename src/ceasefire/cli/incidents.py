"""Incidents: correlation, assessment, the guarantors' verdicts, splits and merges."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import click

from ceasefire.cli.root import Context, Group, pass_context
from ceasefire.domain import words
from ceasefire.domain.agreement import Position


@click.command()
@pass_context
def correlate(obj: Context) -> None:
    """Group every stored report into incidents from scratch, keeping analysts' splits and
    merges. New reports are correlated as they arrive; this rebuilds the whole record."""
    from ceasefire.services.correlation import run_batch

    started = time.perf_counter()
    result = run_batch(obj.database())
    click.echo(f"{result.reports} reports in {result.incidents} incidents "
               f"({result.links} links from {result.candidates} candidate pairs; "
               f"{result.changed} incidents changed; {time.perf_counter() - started:.1f} s)")


@click.command()
@pass_context
def assess(obj: Context) -> None:
    """Assess every incident again under the agreements (correlation assesses incidents as
    they change; this is for after an agreement changed). Verdicts already cast stay."""
    from ceasefire.services.verification import assess_all

    click.echo(f"{assess_all(obj.database())} incidents assessed")


@click.group(cls=Group)
def verdict() -> None:
    """Guarantors' verdicts: an incident's standing, casting one, and a party's queue."""


@verdict.command("show")
@click.argument("incident_id")
@pass_context
def verdict_show(obj: Context, incident_id: str) -> None:
    """The incident under each agreement: every rule and why, and the guarantors' verdicts."""
    from ceasefire.services.verification import read

    for v in read(obj.database(), incident_id):
        click.echo(f"incident {v.incident} under {v.agreement} (terms of {v.terms}): "
                   f"{v.status.value}, version {v.version}")
        for c in v.checks:
            click.echo(f"  {'ok  ' if c['passed'] else 'FAIL'} {c['rule']:16} {c['reason']}")
        if v.covered:
            click.echo(f"  deadline {v.deadline:%Y-%m-%d %H:%M} UTC"
                       + (" (passed)" if v.deadline_passed else "")
                       + (f"; not answered: {', '.join(v.missing)}" if v.missing else ""))
            if len(v.sides) > 1:
                click.echo("  sides: " + "; ".join(f"{position}: {', '.join(parties)}"
                                                  for position, parties in v.sides.items()))
        for h in v.history:
            who = f" ({h.account})" if h.account else ""
            blame = f", attributed to {h.attributed_to}" if h.attributed_to else ""
            click.echo(f"  v{h.version} {h.cast_at:%Y-%m-%d %H:%M} {h.party}{who}: "
                       f"{h.position}{blame}" + (f": {h.comment}" if h.comment else ""))


@verdict.command("cast")
@click.argument("incident_id")
@click.option("--account", "username", required=True,
              help="The guarantor officer casting the party's verdict.")
@click.option("--position", type=click.Choice([p.value for p in Position]),
              required=True)
@click.option("--version", "seen_version", type=int, required=True,
              help="The standing's version you read (`verdict show`).")
@click.option("--attributed-to", default=None, help="Actor code; only with confirm.")
@click.option("--comment", default="")
@click.option("--agreement", default=None, help="Needed only when several apply.")
@pass_context
def verdict_cast(obj: Context, incident_id: str, username: str, position: str,
                 seen_version: int, attributed_to: str | None, comment: str,
                 agreement: str | None) -> None:
    """Cast (or change) a party's verdict, against the version read."""
    from ceasefire.services.verification import cast

    view = cast(obj.database(), None, incident_id, username=username,
                position=Position(position), seen_version=seen_version,
                attributed_to=attributed_to, comment=comment, agreement=agreement)
    click.echo(f"{view.incident}: {view.status.value}, version {view.version}")


@verdict.command("queue")
@click.option("--party", required=True, help="A guarantor party (e.g. RU).")
@click.option("--limit", type=int, default=100, show_default=True)
@pass_context
def verdict_queue(obj: Context, party: str, limit: int) -> None:
    """Incidents awaiting the party's verdict: the nearest deadline first, then the oldest
    event. One line each: when it began, where, what, the deadline, and its id."""
    from ceasefire.domain.words import count, violation_words
    from ceasefire.geo.admin import syria
    from ceasefire.services.overview import summaries
    from ceasefire.services.verification import awaiting_with_count

    database = obj.database()
    items, total = awaiting_with_count(database, party, limit=limit)
    with database.session() as session:
        about = summaries(session, [a.incident for a in items])
    areas, now = syria(), datetime.now(UTC)
    if not items:
        click.echo(f"Nothing awaits {party}'s verdict.")
        return
    click.echo(f"{count(total, 'incident')} await{'s' if total == 1 else ''} {party}'s verdict"
               + (f"; the {len(items)} with the nearest deadlines:" if total > len(items)
                  else ":"))
    for a in items:
        s = about.get(a.incident)
        finest = s and (s.adm3 or s.adm2 or s.adm1)
        where = areas.area(finest).name if finest and finest in areas else "unknown place"
        left = int((a.deadline - now).total_seconds() // 3600)
        what = violation_words(s.violation) if s else ""
        began = f"{s.earliest:%Y-%m-%d}" if s else "?"
        click.echo(f"{began}  {where}: {what}; due {a.deadline:%Y-%m-%d %H:%M} UTC "
                   f"({left} h left), version {a.version}  {a.incident}")


@click.group(cls=Group)
def incident() -> None:
    """Read incidents and why their reports were grouped; split and merge them."""


@incident.command("show")
@click.argument("incident_id")
@pass_context
def incident_show(obj: Context, incident_id: str) -> None:
    """An incident, its reports, and each pair's scores field by field."""
    from ceasefire.services.correlation import explain

    view = explain(obj.database(), incident_id)
    s = view.summary
    click.echo(f"incident {view.uid}: {s.violation}, {s.earliest:%Y-%m-%d %H:%M} to "
               f"{s.latest:%Y-%m-%d %H:%M} UTC, in {s.adm3 or s.adm2 or s.adm1 or 'Syria'}, "
               f"{s.report_count} reports")
    for k, uid in enumerate(view.reports):
        click.echo(f"  {'founder' if k == 0 else 'report '} {uid}")
    if view.pairs:
        click.echo(f"pairs (prior {view.prior:+.2f}; linked at >= {view.threshold}, "
                   f"kept apart at <= {view.veto}):")
    for p in view.pairs:
        how = ("forced" if p.forced else "apart" if p.apart else "linked" if p.linked
               else "vetoed" if p.vetoed else "-")
        click.echo(f"  {p.a} {p.b} {how}, score {p.score:+.2f}")
        for field, level in p.levels.items():
            click.echo(f"    {field:10} {p.points[field]:+6.2f}  {level}")
    for d in view.decisions:
        made = f"{d['made_at']:%Y-%m-%d %H:%M}"
        click.echo(f"decision: {d['kind']} {', '.join(d['incidents'])} at {made}: "
                   f"{d['reason']}")


@incident.command("split")
@click.argument("incident_id")
@click.option("--report", "reports", multiple=True, required=True,
              help="A report to move into an incident of its own; repeatable.")
@click.option("--party", required=True, help="The party making the decision (e.g. SEC).")
@click.option("--reason", required=True, help="Why: kept with the decision.")
@pass_context
def incident_split(obj: Context, incident_id: str, reports: tuple[str, ...], party: str,
                   reason: str) -> None:
    """Split reports off an incident; later batch runs keep them apart."""
    from ceasefire.services.correlation import split

    for uid in split(obj.database(), incident_id, reports, reason=reason, party=party):
        click.echo(uid)


@incident.command("merge")
@click.argument("incident_ids", nargs=-1, required=True)
@click.option("--party", required=True, help="The party making the decision (e.g. SEC).")
@click.option("--reason", required=True, help="Why: kept with the decision.")
@pass_context
def incident_merge(obj: Context, incident_ids: tuple[str, ...], party: str,
                   reason: str) -> None:
    """Merge incidents into one; later batch runs keep them together."""
    from ceasefire.services.correlation import merge

    click.echo(merge(obj.database(), incident_ids, reason=reason, party=party))


EXPORT_FORMATS = ("csv", "geojson", "json")


@incident.command("export")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output file, written whole or not at all (default: standard output).")
@click.option("--agreement", default=None,
              help="The agreement whose status and verdicts to give (default: the first).")
@click.option("--from", "first", default=None,
              help="Incidents that began on this day (UTC, YYYY-MM-DD) or later.")
@click.option("--to", "last", default=None,
              help="Incidents that began on this day (UTC, YYYY-MM-DD) or earlier.")
@click.option("--adm", default=None, help="Only this admin area (P-code of any level).")
@click.option("--violation", default=None, help="Only this violation type (its code).")
@click.option("--party", default=None, help="Only incidents this party reported.")
@click.option("--status", "statuses", multiple=True,
              help="Only incidents of this status now (confirmed, disputed, pending, "
              "rejected, not-covered); repeatable.")
@click.option("--search", default=None,
              help="As the list's search: an admin area's name, or words of the reports' "
              "place names and narratives.")
@pass_context
def incident_export(obj: Context, fmt: str, out: Path | None, agreement: str | None,
                    first: str | None, last: str | None, adm: str | None,
                    violation: str | None, party: str | None,
                    statuses: tuple[str, ...], search: str | None) -> None:
    """Export the incidents of a selection with their status now, each guarantor's
    verdict and the attribution, newest event first (as the incident list); the ledger
    checkpoint it was read against is in every CSV row, and once in JSON and GeoJSON."""
    import sys

    from starlette.datastructures import QueryParams

    from ceasefire.outputs import files as outputs
    from ceasefire.services.incident_exports import export_incidents
    from ceasefire.web.selection import selection_from

    # The incident list's own reading of its query: the same filters, refused alike.
    given = [("agreement", agreement), ("from", first), ("to", last), ("adm", adm),
             ("violation", violation), ("party", party), ("q", search),
             *(("status", s) for s in statuses)]
    selection = selection_from(QueryParams([(k, v) for k, v in given if v is not None]))
    with export_incidents(obj.database(), selection, fmt) as export:  # refused: no file
        if out is None:
            for piece in export:
                sys.stdout.write(piece)
        else:
            with outputs.written(out) as stream:  # never a half-written export
                for piece in export:
                    stream.write(piece)
    checkpoint = export.header.checkpoint
    click.echo(f"exported {words.count(export.count, 'incident', grouped=False)} under "
               f"{export.header.agreement}, read "
               f"against the ledger of {checkpoint['size']} entries (root "
               f"{checkpoint['root'][:16]}…)", err=True)
