"""Reports: bulk imports, one report added, and exports."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import click

from ceasefire.cli.root import EXIT_ERROR, Context, Group, pass_context
from ceasefire.domain import words
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.outputs import files as outputs

SHARED_KEYS_SHOWN = 10  # an import's keys that other parties' reports give too, named

IMPORT_FORMATS = ("ucdp", "acled", "jsonl", "hxl")
EXPORT_FORMATS = ("jsonl", "csv", "geojson", "hxl", "acled")


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(IMPORT_FORMATS), required=True)
@click.option("--party", default=None,
              help="The party that submits the reports (e.g. SEC); needed but with --check.")
@click.option("--check", is_flag=True,
              help="Read the whole file and change nothing: list every unknown actor name "
              "with its rows and the known actors spelled nearest, and the other problems "
              "by column. Exits 1 unless the file is clean.")
@click.option("--source", "source_name", default=None, metavar="NAME",
              help="Source name for the records (default: UCDP GED, ACLED, or the file's own).")
@click.option("--skip-invalid", is_flag=True,
              help="Import the good rows; write the bad ones, with line and reason, to "
              "FILE.rejects.csv (or --rejects).")
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where --skip-invalid writes the bad rows.")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=5000, show_default=True)
@click.option("--no-correlate", is_flag=True,
              help="Leave the new reports out of incidents until `ceasefire correlate` (to "
              "load several large files, then correlate once).")
@pass_context
def import_(obj: Context, file: Path, fmt: str, party: str | None, check: bool,
            source_name: str | None, skip_invalid: bool, rejects: Path | None,
            batch_size: int, no_correlate: bool) -> None:
    """Import a file of reports: all of it, or nothing (unless --skip-invalid)."""
    from ceasefire.services.imports import import_file

    if check:
        if skip_invalid or rejects is not None or no_correlate:
            raise click.UsageError("--check changes nothing: it takes no --skip-invalid, "
                                   "--rejects or --no-correlate")
        _check(obj, file, fmt, party, source_name, batch_size)
        return
    if party is None:
        raise click.UsageError("Missing option '--party'.")
    if rejects is not None and not skip_invalid:
        raise click.UsageError("--rejects needs --skip-invalid")
    if skip_invalid and rejects is None:
        rejects = file.with_name(file.name + ".rejects.csv")
    with _progress(f"importing {file.name}") as progress:
        summary = import_file(obj.database(), file, format=fmt, party=party,
                              source_name=source_name, rejects=rejects,
                              batch_size=batch_size, progress=progress,
                              correlate=not no_correlate)
    click.echo(f"{summary.file}: {words.count(summary.read, 'row', grouped=False)} read, "
               f"{words.count(summary.added, 'report', grouped=False)} added, "
               f"{summary.present} already present, {summary.rejected} rejected, "
               f"{words.count(summary.places_learnt, 'place name', grouped=False)} learnt "
               f"({summary.seconds:.1f} s, {summary.rows_per_second:,.0f} rows/s)")
    if summary.incidents is not None:
        click.echo("the new reports belong to "
                   f"{words.count(summary.incidents, 'incident', grouped=False)}")
    for shared in summary.shared_keys[:SHARED_KEYS_SHOWN]:
        click.echo(f"source key {shared.key!r} of report {shared.report} is also given by "
                   f"{shared.other_party}'s report {shared.other}")
    if len(summary.shared_keys) > SHARED_KEYS_SHOWN:
        click.echo(f"… and {len(summary.shared_keys) - SHARED_KEYS_SHOWN} more source keys "
                   "other parties' reports give too")
    if summary.rejects_file and summary.rejected:
        click.echo(f"rejected rows: {summary.rejects_file}")


def _check(obj: Context, file: Path, fmt: str, party: str | None, source_name: str | None,
           batch_size: int) -> None:
    from ceasefire.services.imports import check_file

    with _progress(f"checking {file.name}") as progress:
        found = check_file(obj.database(), file, format=fmt, party=party,
                           source_name=source_name, batch_size=batch_size, progress=progress)
    click.echo(f"{found.file}: {words.count(found.read, 'row', grouped=False)} read, "
               f"{found.bad_rows} with problems")
    if found.unknown:
        click.echo(f"unknown actors ({words.count(len(found.unknown), 'name', grouped=False)}),"
                   " most rows first:")
    for unknown in found.unknown:
        near = "; ".join(f"{n.code} ({n.name!r}, "
                         f"{words.count(n.letters, 'letter', grouped=False)} apart)"
                         for n in unknown.nearest) or "no known actor spelled near"
        click.echo(f"  {unknown.name!r}: {words.count(unknown.rows, 'row', grouped=False)}; "
                   f"nearest: {near}")
    if found.problems:
        click.echo("other problems, by column:")
    for column in found.problems:
        click.echo(f"  {column.column}: {column.count} (first at line {column.line}: "
                   f"{column.first})")
    if not found.clean:
        sys.exit(EXIT_ERROR)
    click.echo("no problems: the file would import whole")


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int, int], None]]:
    """A Rich progress bar on a terminal; a plain line per batch otherwise (logs, tests)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        def plain(rows: int, done: int, total: int) -> None:
            click.echo(f"{label}: {rows} rows read", err=True)
        yield plain
        return
    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.percentage:>3.0f}%"), TextColumn("{task.fields[rows]:,} rows"),
               TextColumn("{task.fields[rate]:,.0f} rows/s"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=None, rows=0, rate=0.0)
        started = time.perf_counter()

        def update(rows: int, done: int, total: int) -> None:
            rate = rows / max(time.perf_counter() - started, 1e-9)
            bar.update(task, completed=done, total=total, rows=rows, rate=rate)
        yield update


@click.group(cls=Group)
def report() -> None:
    """Reports: add one, export many."""


@report.command("add")
@click.option("--party", required=True, help="The reporting party (e.g. TR).")
@click.option("--type", "violation", required=True,
              type=click.Choice([v.value for v in ViolationType]))
@click.option("--date", "day", default=None, help="The day it happened (YYYY-MM-DD).")
@click.option("--at", "at", default=None,
              help="When it happened, ISO 8601 with a UTC offset (2017-01-05T14:30+02:00).")
@click.option("--lat", type=float, default=None)
@click.option("--lon", type=float, default=None)
@click.option("--place", default=None, help="A place name, when no point is given.")
@click.option("--pcode", default=None, help="An admin area's P-code, when no point is given.")
@click.option("--perpetrator", multiple=True, help="Actor code or name; repeatable.")
@click.option("--target", multiple=True, help="Actor code or name, or 'civilians'; repeatable.")
@click.option("--killed", type=click.IntRange(0), default=0, show_default=True)
@click.option("--injured", type=click.IntRange(0), default=None,
              help="Injured, best estimate; without it, not known.")
@click.option("--narrative", default="")
@click.option("--source", "source_name", default=None, help="Default: the party.")
@pass_context
def report_add(obj: Context, party: str, violation: str, day: str | None, at: str | None,
               lat: float | None, lon: float | None, place: str | None, pcode: str | None,
               perpetrator: tuple[str, ...], target: tuple[str, ...], killed: int,
               injured: int | None,
               narrative: str, source_name: str | None) -> None:
    """Add one report and print its id."""
    from pydantic import ValidationError

    from ceasefire.intake.report_in import ReportIn
    from ceasefire.intake.validation import invalid
    from ceasefire.services.reports import submit_report

    admin = {f"adm{(len(pcode) - 2) // 2}": pcode} if pcode else {}
    data = {
        "when": {"date": day, "earliest": at},
        "place": {"lat": lat, "lon": lon, "name": place, **admin},
        "violation": violation, "perpetrators": list(perpetrator), "targets": list(target),
        "casualties": {"best": killed, "injured": injured}, "narrative": narrative,
        "source": {"name": source_name} if source_name else None,
    }
    try:
        given = ReportIn.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc) from exc
    submitted = submit_report(obj.database(), given, party=party)
    r = submitted.report
    click.echo(f"added report {r.id}: {r.violation.value} on {r.when.earliest:%Y-%m-%d} in "
               f"{r.place.admin.finest or 'the country'}", err=True)
    click.echo(r.id)


@report.command("export")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output file (default: standard output).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Events from this day (UTC).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Events before this day (UTC).")
@click.option("--adm", default=None, help="Only this admin area (P-code of any level).")
@pass_context
def report_export(obj: Context, fmt: str, out: Path | None, since: datetime | None,
                  until: datetime | None, adm: str | None) -> None:
    """Export reports, oldest event first."""
    from ceasefire.services.reports import export_reports
    from ceasefire.store.reports import ReportFilter

    f = ReportFilter(since=since.replace(tzinfo=UTC) if since else None,
                     until=until.replace(tzinfo=UTC) if until else None, adm=adm)
    if out is None:
        count = export_reports(obj.database(), fmt, sys.stdout, f)
    else:
        with outputs.written(out) as stream:  # never a half-written export
            count = export_reports(obj.database(), fmt, stream, f)
    click.echo(f"exported {words.count(count, 'report', grouped=False)}", err=True)
