"""The one command-line entry point: ``ceasefire …``.

Commands map their arguments onto services; errors from below are turned into one clean
line on stderr and a non-zero exit here, and nowhere else.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from ceasefire.config import SETTINGS, Settings, proxies
from ceasefire.domain.agreement import Position
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.errors import CeasefireError, InvalidInput, NotFound
from ceasefire.outputs import files as outputs
from ceasefire.store.db import Database

EXIT_ERROR = 1  # bad input, missing record, unreachable database: the message says which
SHARED_KEYS_SHOWN = 10  # an import's keys that other parties' reports give too, named


class _Group(click.Group):
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


class _Context:
    def __init__(self, database_url: str | None, key: Path | None = None) -> None:
        self._database_url = database_url
        self._key_file = key
        self._key: object | None = None
        self._settings: Settings | None = None
        self._databases: list[Database] = []

    def party_key(self) -> object | None:
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
            self._key = unseal(content, _passphrase("key file", confirm=False))
        return self._key

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.from_env(database_url=self._database_url)
        return self._settings

    def database(self, *, migrated: bool = True) -> Database:
        db = Database(self.settings.database_url,
                      server_passphrase=self.settings.server_passphrase or None)
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


_pass = click.make_pass_decorator(_Context)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]},
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
    ctx.obj = _Context(database_url, key)
    ctx.call_on_close(ctx.obj.close)


# -- db ---------------------------------------------------------------------------------

@cli.group(cls=_Group)
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@_pass
def db_upgrade(obj: _Context) -> None:
    """Create the database or bring its schema up to date."""
    from ceasefire.services import ledger

    database = obj.database(migrated=False)
    database.upgrade()
    click.echo(f"{database.describe()}: schema at {database.current_revision()}")
    if (kid := ledger.prepare(database)) is not None:
        click.echo(f"server signing key: {kid}")


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
    """Revoke every API token of an account and end its web sessions (its password still
    logs in; `account disable` stops that too)."""
    from ceasefire.services.accounts import revoke_tokens

    tokens, sessions = revoke_tokens(obj.database(), username=username)
    click.echo(f"revoked {tokens} token(s); {sessions} web session(s) ended")


@account.command("disable")
@click.argument("username")
@_pass
def account_disable(obj: _Context, username: str) -> None:
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
@_pass
def account_enable(obj: _Context, username: str) -> None:
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
@_pass
def account_password(obj: _Context, username: str, from_stdin: bool) -> None:
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


# -- reports ------------------------------------------------------------------------------

IMPORT_FORMATS = ("ucdp", "acled", "jsonl", "hxl")
EXPORT_FORMATS = ("jsonl", "csv", "geojson", "hxl", "acled")


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(IMPORT_FORMATS), required=True)
@click.option("--party", required=True, help="The party that submits the reports (e.g. SEC).")
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
@_pass
def import_(obj: _Context, file: Path, fmt: str, party: str, source_name: str | None,
            skip_invalid: bool, rejects: Path | None, batch_size: int,
            no_correlate: bool) -> None:
    """Import a file of reports: all of it, or nothing (unless --skip-invalid)."""
    from ceasefire.services.imports import import_file

    if rejects is not None and not skip_invalid:
        raise click.UsageError("--rejects needs --skip-invalid")
    if skip_invalid and rejects is None:
        rejects = file.with_name(file.name + ".rejects.csv")
    with _progress(f"importing {file.name}") as progress:
        summary = import_file(obj.database(), file, format=fmt, party=party,
                              source_name=source_name, rejects=rejects,
                              batch_size=batch_size, progress=progress,
                              correlate=not no_correlate)
    click.echo(f"{summary.file}: {summary.read} rows read, {summary.added} reports added, "
               f"{summary.present} already present, {summary.rejected} rejected, "
               f"{summary.places_learnt} place names learnt "
               f"({summary.seconds:.1f} s, {summary.rows_per_second:,.0f} rows/s)")
    if summary.incidents is not None:
        click.echo(f"the new reports belong to {summary.incidents} incidents")
    for shared in summary.shared_keys[:SHARED_KEYS_SHOWN]:
        click.echo(f"source key {shared.key!r} of report {shared.report} is also given by "
                   f"{shared.other_party}'s report {shared.other}")
    if len(summary.shared_keys) > SHARED_KEYS_SHOWN:
        click.echo(f"… and {len(summary.shared_keys) - SHARED_KEYS_SHOWN} more source keys "
                   "other parties' reports give too")
    if summary.rejects_file and summary.rejected:
        click.echo(f"rejected rows: {summary.rejects_file}")


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


@cli.group(cls=_Group)
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
@click.option("--narrative", default="")
@click.option("--source", "source_name", default=None, help="Default: the party.")
@_pass
def report_add(obj: _Context, party: str, violation: str, day: str | None, at: str | None,
               lat: float | None, lon: float | None, place: str | None, pcode: str | None,
               perpetrator: tuple[str, ...], target: tuple[str, ...], killed: int,
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
        "casualties": {"best": killed}, "narrative": narrative,
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
@_pass
def report_export(obj: _Context, fmt: str, out: Path | None, since: datetime | None,
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
    click.echo(f"exported {count} reports", err=True)


# -- correlation ----------------------------------------------------------------------------

@cli.command()
@_pass
def correlate(obj: _Context) -> None:
    """Group every stored report into incidents from scratch, keeping analysts' splits and
    merges. New reports are correlated as they arrive; this rebuilds the whole record."""
    from ceasefire.services.correlation import run_batch

    started = time.perf_counter()
    result = run_batch(obj.database())
    click.echo(f"{result.reports} reports in {result.incidents} incidents "
               f"({result.links} links from {result.candidates} candidate pairs; "
               f"{result.changed} incidents changed; {time.perf_counter() - started:.1f} s)")


@cli.command()
@_pass
def assess(obj: _Context) -> None:
    """Assess every incident again under the agreements (correlation assesses incidents as
    they change; this is for after an agreement changed). Verdicts already cast stay."""
    from ceasefire.services.verification import assess_all

    click.echo(f"{assess_all(obj.database())} incidents assessed")


@cli.group(cls=_Group)
def verdict() -> None:
    """Guarantors' verdicts: an incident's standing, casting one, and a party's queue."""


@verdict.command("show")
@click.argument("incident_id")
@_pass
def verdict_show(obj: _Context, incident_id: str) -> None:
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
@_pass
def verdict_cast(obj: _Context, incident_id: str, username: str, position: str,
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
@_pass
def verdict_queue(obj: _Context, party: str, limit: int) -> None:
    """Incidents awaiting the party's verdict, oldest first."""
    from ceasefire.services.verification import awaiting_verdict

    _, items = awaiting_verdict(obj.database(), party=party, limit=limit)
    for a in items:
        click.echo(f"{a.incident} {a.agreement} opened {a.opened_at:%Y-%m-%d %H:%M}, due "
                   f"{a.deadline:%Y-%m-%d %H:%M} UTC, version {a.version}")


@cli.group(cls=_Group)
def incident() -> None:
    """Read incidents and why their reports were grouped; split and merge them."""


@incident.command("show")
@click.argument("incident_id")
@_pass
def incident_show(obj: _Context, incident_id: str) -> None:
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
@_pass
def incident_split(obj: _Context, incident_id: str, reports: tuple[str, ...], party: str,
                   reason: str) -> None:
    """Split reports off an incident; later batch runs keep them apart."""
    from ceasefire.services.correlation import split

    for uid in split(obj.database(), incident_id, reports, reason=reason, party=party):
        click.echo(uid)


@incident.command("merge")
@click.argument("incident_ids", nargs=-1, required=True)
@click.option("--party", required=True, help="The party making the decision (e.g. SEC).")
@click.option("--reason", required=True, help="Why: kept with the decision.")
@_pass
def incident_merge(obj: _Context, incident_ids: tuple[str, ...], party: str,
                   reason: str) -> None:
    """Merge incidents into one; later batch runs keep them together."""
    from ceasefire.services.correlation import merge

    click.echo(merge(obj.database(), incident_ids, reason=reason, party=party))


# -- simulation ---------------------------------------------------------------------------

@cli.command("simulate")
@click.option("--seed", type=int, default=0, show_default=True,
              help="The same seed gives the same files, byte for byte.")
@click.option("--events", "count", type=int, default=1000, show_default=True,
              help="True events to simulate (about 2.4 reports each).")
@click.option("--start", default="2017-01-01", show_default=True,
              help="The first day of the events (YYYY-MM-DD, UTC).")
@click.option("--days", type=int, default=180, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The reports, as JSON Lines that `ceasefire import --format jsonl` reads.")
@click.option("--truth", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The ground truth, CSV report_id,event_id (default: OUT.truth.csv).")
def simulate_reports(seed: int, count: int, start: str, days: int, out: Path,
                     truth: Path | None) -> None:
    """Simulate events of the syria-2016 scenario and noisy reports of them by several
    sources, with the ground truth (docs/simulation.md). Needs no database."""

    import orjson

    from ceasefire.errors import InvalidInput
    from ceasefire.geo.admin import syria
    from ceasefire.geo.gazetteer import syria_gazetteer
    from ceasefire.intake.report_in import record_of
    from ceasefire.intake.scenario import locate, parse
    from ceasefire.simulate import simulate

    try:
        first = date.fromisoformat(start)
    except ValueError:
        raise InvalidInput(f"{start!r} is not a date (YYYY-MM-DD)", field="start") from None
    started = time.perf_counter()
    source, text = locate("syria-2016")
    sim = simulate(seed, events=count, start=first, days=days, admin=syria(),
                   gazetteer=syria_gazetteer(), actors=parse(text, source=source).actors)
    truth = truth or out.with_name(out.name + ".truth.csv")
    # Each file whole or not at all; the truth first, so the reports never come alone.
    with (outputs.written(out, binary=True) as stream,
          outputs.written(truth) as truth_stream):
        stream.writelines(orjson.dumps(record_of(r)) + b"\n" for r in sim.reports)
        truth_stream.write("report_id,event_id\n")
        truth_stream.writelines(f"{r.id},{sim.truth[r.id]}\n" for r in sim.reports)
    click.echo(f"{len(sim.events)} events, {len(sim.reports)} reports "
               f"({time.perf_counter() - started:.1f} s): {out}, truth in {truth}", err=True)


# -- party keys and the ledger ------------------------------------------------------------

def _passphrase(what: str, *, confirm: bool) -> str:
    """CEASEFIRE_KEY_PASSPHRASE, or asked for without echo."""
    import os

    given = os.environ.get("CEASEFIRE_KEY_PASSPHRASE")
    if given:
        return given
    return click.prompt(f"passphrase for the {what}", hide_input=True,
                        confirmation_prompt=confirm, err=True)


@cli.group(cls=_Group)
def party() -> None:
    """Parties' signing keys."""


def _account_named(database: Database, username: str) -> Any:
    from ceasefire.services.accounts import get_account

    return get_account(database, username=username)


@party.command("keygen")
@click.argument("code")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the key file (it must not exist).")
@click.option("--account", "username", default=None, metavar="USERNAME",
              help="The secretariat account that registers the party's first key (the "
              "server signs on its behalf, so CEASEFIRE_SERVER_PASSPHRASE is needed).")
@_pass
def party_keygen(obj: _Context, code: str, out: Path, username: str | None) -> None:
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
    account = _account_named(database, username) if current is None else None
    key = SigningKey.generate()
    sealed = seal(key, _passphrase("new key file", confirm=True))
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("xb") as f:  # a file left by someone else is never overwritten
            os.fchmod(f.fileno(), 0o600)  # readable by its owner alone from the first byte
            f.write(sealed)
    except OSError as exc:
        raise InvalidInput(f"cannot write {partial}: {exc.strerror}", field="out") from None
    try:
        if current is None:
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
@_pass
def party_revoke(obj: _Context, code: str, reason: str, username: str | None) -> None:
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
@_pass
def party_keys(obj: _Context) -> None:
    """The keys the ledger registered: the server's and the parties', with their status."""
    from ceasefire.services import ledger

    for k in ledger.server_public_keys(obj.database()):
        click.echo(f"{k['key_id']}  {k['party'] or 'server'}  {k['status']}  "
                   f"{k['created_at']}")


@cli.group(cls=_Group, name="ledger")
def ledger_group() -> None:
    """The ledger: verify it, export it, give its checkpoint."""


@ledger_group.command("verify")
@click.option("--offline", "offline", type=click.Path(file_okay=False, path_type=Path),
              default=None, metavar="DIR", help="Verify an export (no database).")
@click.option("--checkpoint", "saved", multiple=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A checkpoint kept earlier (JSON, or a published bulletin's JSON): show "
              "the ledger only grew since it. Repeatable.")
@_pass
def ledger_verify(obj: _Context, offline: Path | None, saved: tuple[Path, ...]) -> None:
    """Check the chain, every signature, every checkpoint's Merkle root and (with a
    database) that the record equals a replay of the ledger. Names the first bad entry."""
    import json

    from ceasefire.ledger.checkpoints import checkpoint_of
    from ceasefire.services import ledger_checks

    kept = []
    for path in saved:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
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
@_pass
def ledger_export(obj: _Context, directory: Path) -> None:
    """Write the ledger, the records each entry wrote, the public keys and the
    checkpoints to DIRECTORY (new), for `ledger verify --offline`."""
    from ceasefire.services import ledger_checks

    n = ledger_checks.export(obj.database(), directory)
    click.echo(f"{n:,} entries exported to {directory}")


@ledger_group.command("rotate-key")
@_pass
def ledger_rotate_key(obj: _Context) -> None:
    """Replace the server's signing key with a new one, sealed with the same passphrase;
    the entry that registers it is signed with the key it replaces."""
    from ceasefire.services import ledger

    kid = ledger.rotate_server_key(obj.database())
    click.echo(f"server key {kid} registered; the key it replaces signs nothing more")


@ledger_group.command("checkpoint")
@_pass
def ledger_checkpoint(obj: _Context) -> None:
    """Print the ledger's signed checkpoint now, as JSON: keep it to check later that the
    ledger only grew (`ledger verify --checkpoint FILE`)."""
    import json

    from ceasefire.ledger.checkpoints import checkpoint_json
    from ceasefire.services import ledger

    click.echo(json.dumps(checkpoint_json(ledger.checkpoint(obj.database())),
                          indent=2))


# -- bulletins -----------------------------------------------------------------------------

@cli.command("bulletin")
@click.option("--date", "day", default=None, metavar="D", help="The daily bulletin of day D.")
@click.option("--from", "start", default=None, metavar="A",
              help="The report to the talks from day A…")
@click.option("--to", "end", default=None, metavar="B", help="…to day B (inclusive).")
@click.option("--agreement", default=None, help="Needed when the record has several.")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "html", "pdf"]), default="md",
              show_default=True, help="pdf needs --out.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here (whole or not at all) instead of to standard output.")
@click.option("--publish", is_flag=True,
              help="Publish it: kept as issued, shown on the public pages, and a ledger "
              "entry. Publishing a period again makes a correction; the first stays.")
@click.option("--account", "username", default=None,
              help="The secretariat account publishing (needed with --publish).")
@_pass
def bulletin_(obj: _Context, day: str | None, start: str | None, end: str | None,
              agreement: str | None, fmt: str, out: Path | None, publish: bool,
              username: str | None) -> None:
    """Count the incidents that began on a day, or from A to B: by status, governorate
    and reporting party, the change on the period before, the notable ones, and the
    ledger checkpoint the counts rest on. With --publish, make it public."""
    from ceasefire.domain.bulletin import day as day_of
    from ceasefire.domain.bulletin import days
    from ceasefire.outputs import bulletins as written

    if (day is None) == (start is None and end is None) or (start is None) != (end is None):
        raise InvalidInput("give --date D, or both --from A and --to B", field="date")
    if fmt == "pdf" and out is None:
        raise InvalidInput("a PDF is written to a file: give --out FILE", field="out")
    if publish and username is None:
        raise InvalidInput("--publish needs --account USERNAME (a secretariat account)",
                           field="account")
    first = day_of(day or start, field="date" if day else "from")
    period = days(first, day_of(end, field="to") if end else None)
    if publish:
        from ceasefire.services.bulletins import publish as publish_

        published = publish_(obj.database(), period, agreement=agreement, username=username)
        document = published.document
        click.echo(f"bulletin {published.id} published (ledger entry {published.seq})"
                   + (f"; it corrects bulletin {published.corrects}" if published.corrects
                      else ""), err=True)
    else:
        from ceasefire.services.bulletins import issue

        issued = issue(obj.database(), period, agreement=agreement)
        document = written.as_dict(issued.bulletin, issued.checkpoint, issued.at,
                                   issued.verified)
    if fmt == "pdf":
        from ceasefire.outputs.pdf import as_pdf

        content: bytes = as_pdf(document)
    else:
        write = {"md": written.as_markdown, "json": written.as_json,
                 "html": written.as_html}[fmt]
        text = write(document)
        if out is None:
            click.echo(text, nl=False)
            return
        content = text.encode("utf-8")
    assert out is not None
    with outputs.written(out, binary=True) as stream:
        stream.write(content)
    click.echo(f"bulletin written to {out}", err=True)


# -- serve --------------------------------------------------------------------------------

@cli.command()
@click.option("--host", default=None, help="Overrides CEASEFIRE_HOST.")
@click.option("--port", type=int, default=None, help="Overrides CEASEFIRE_PORT.")
@_pass
def serve(obj: _Context, host: str | None, port: int | None) -> None:
    """Serve the HTTP API, its docs (/docs) and the web pages (/login)."""
    import uvicorn

    from ceasefire.api.app import create_app

    settings = Settings.from_env(database_url=obj.settings.database_url, host=host, port=port)
    database = obj.database()
    click.echo(f"serving {database.describe()} on http://{settings.host}:{settings.port}")
    # X-Forwarded-For and -Proto are believed from the configured proxies only: uvicorn's
    # default believes any client on 127.0.0.1, which would let a local client choose the
    # address the login rate limit counts.
    trusted = proxies(settings.trusted_proxies)
    uvicorn.run(create_app(settings, database=database), host=settings.host, port=settings.port,
                proxy_headers=bool(trusted), forwarded_allow_ips=",".join(trusted))


def main() -> None:
    cli(prog_name="ceasefire")
