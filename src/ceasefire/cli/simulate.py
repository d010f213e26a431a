"""The simulator: synthetic events and noisy reports of them, with the truth."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import click

from ceasefire.errors import InvalidInput
from ceasefire.outputs import files as outputs


@click.command("simulate")
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
