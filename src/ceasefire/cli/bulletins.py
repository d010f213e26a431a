"""Bulletins: counted, written out and published."""

from __future__ import annotations

from pathlib import Path

import click

from ceasefire.cli.root import Context, pass_context
from ceasefire.errors import InvalidInput
from ceasefire.outputs import files as outputs


@click.command("bulletin")
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
@click.option("--site", default="", metavar="URL",
              help="Where the public pages are served (https://…), for the links to the "
              "incidents' records; without it the links are paths on the site.")
@pass_context
def bulletin_(obj: Context, day: str | None, start: str | None, end: str | None,
              agreement: str | None, fmt: str, out: Path | None, publish: bool,
              username: str | None, site: str) -> None:
    """Count the incidents that began on a day, or from A to B (a period that is over):
    by status, day, governorate, zone, reporting party and attributed actor, the deaths,
    the change on the period before, the notable ones, and the ledger checkpoint the
    counts rest on. With --publish, make it public."""
    from ceasefire.domain.bulletin import day as day_of
    from ceasefire.domain.bulletin import days
    from ceasefire.outputs import bulletin_pages as pages
    from ceasefire.outputs import bulletins as written

    if (day is None) == (start is None and end is None) or (start is None) != (end is None):
        raise InvalidInput("give --date D, or both --from A and --to B", field="date")
    if fmt == "pdf" and out is None:
        raise InvalidInput("a PDF is written to a file: give --out FILE", field="out")
    if publish and username is None:
        raise InvalidInput("--publish needs --account USERNAME (a secretariat account)",
                           field="account")
    given = day or start
    assert given is not None  # one of them, as checked above
    first = day_of(given, field="date" if day else "from")
    period = days(first, day_of(end, field="to") if end else None)
    last_field = "date" if day else "to"
    publication = None
    if publish:
        from ceasefire.services.bulletins import publish as publish_

        published = publish_(obj.database(), period, agreement=agreement, username=username,
                             last_field=last_field)
        document = published.document
        assert published.published_at is not None
        publication = pages.Publication(published.id, published.published_at)
        click.echo(f"bulletin {published.id} published (ledger entry {published.seq})"
                   + (f"; it corrects bulletin {published.corrects}" if published.corrects
                      else ""), err=True)
    else:
        from ceasefire.services.bulletins import issue

        document = issue(obj.database(), period, agreement=agreement,
                         last_field=last_field).document()
    site = site.rstrip("/")
    if fmt == "pdf":
        from ceasefire.outputs.pdf import as_pdf

        content: bytes = as_pdf(document, publication, site)
    else:
        text = written.as_json(document) if fmt == "json" else \
            {"md": pages.as_markdown, "html": pages.as_html}[fmt](document, publication, site)
        if out is None:
            click.echo(text, nl=False)
            return
        content = text.encode("utf-8")
    assert out is not None
    with outputs.written(out, binary=True) as stream:
        stream.write(content)
    click.echo(f"bulletin written to {out}", err=True)
