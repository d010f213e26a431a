"""Correlation quality on the simulator's ground truth, and on real UCDP GED events split
into two noisy party views (`python -m bench.correlation_quality`, part of `make bench`).

With --fit, learns the points of the settings from seed 1 and prints them; the settings'
defaults are that output. Evaluation uses other seeds, so the figures are not on the data
the points were learnt from.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import date
from importlib import resources

import numpy as np

from ceasefire.correlate.candidates import candidate_pairs
from ceasefire.correlate.columns import ActorBits, columns_of
from ceasefire.correlate.engine import correlate
from ceasefire.correlate.evaluate import bcubed, pair_recall, pairwise
from ceasefire.correlate.fit import fit_points, training_pairs
from ceasefire.correlate.settings import CorrelationSettings
from ceasefire.geo.admin import syria
from ceasefire.geo.gazetteer import syria_gazetteer
from ceasefire.intake.scenario import Scenario, parse
from ceasefire.simulate import events_from_reports, party_views, simulate

DAYS = 180
START = date(2017, 1, 1)
FIT_SEED = 1
EVAL_SEEDS = (2, 3, 4)
# Events in DAYS: `ceasefire simulate`'s default (1,000, 5.6 a day), then 3, 11 and 16 a
# day; the UCDP GED record for Syria, Dec 2016 - Jun 2017, has 16.
DENSITIES = {"1,000 events (the default)": 1000, **{f"{d} events/day": d * DAYS
                                                   for d in (3, 11, 16)}}


def scenario() -> Scenario:
    text = resources.files("ceasefire.scenarios").joinpath("syria-2016.toml").read_text()
    return parse(text, source="syria-2016.toml")


def simulated(seed: int, events: int, actors):  # noqa: ANN001, ANN201
    sim = simulate(seed, events=events, start=START, days=DAYS, admin=syria(),
                   gazetteer=syria_gazetteer(), actors=actors)
    truth = np.array([sim.truth[r.id] for r in sim.reports])
    return sim.reports, truth


def columns(reports, actors, settings):  # noqa: ANN001, ANN201
    return columns_of(reports, settings, syria(),
                      ActorBits.of((a.code, a.side) for a in actors))


# Below -1 the F1 gains are in the third decimal, while links join reports into components
# of thousands that the cannot-link rules must then take apart, at ten times the time.
THRESHOLDS = (-1.0, -0.5, 0.0, 0.5, 1.0, 1.5)
VETOES = (-8.0, -6.0, -5.0, -4.0, -3.0, -2.0)
# The real record's 5,688 reports never chain into large components, so its search goes
# lower (at -1.5 the split of seed 1 gains 0.01 of F1).
REAL_THRESHOLDS = (-2.0, -1.5, *THRESHOLDS)
REAL_AIM = 0.85  # issue 20, aim 6: two-view pairwise F1 with points learnt on another split


def learn(actors, settings: CorrelationSettings) -> CorrelationSettings:  # noqa: ANN001
    """Points from seed 1's candidate pairs; then the threshold and veto that give seed 1
    the best pairwise F1."""
    reports, truth = simulated(FIT_SEED, 11 * DAYS, actors)
    cols = columns(reports, actors, settings)
    i, j = candidate_pairs(cols, settings)
    return _tuned(cols, truth, fit_points(*training_pairs(cols, i, j, truth, settings),
                                          settings))


def _tuned(cols, truth, settings: CorrelationSettings,  # noqa: ANN001
           thresholds: tuple[float, ...] = THRESHOLDS) -> CorrelationSettings:
    """The threshold and veto that give these reports the best pairwise F1."""
    best = max((pairwise(truth, correlate(cols, s).label).f1, s.threshold, s.veto)
               for s in (replace(settings, threshold=t, veto=v)
                         for t in thresholds for v in VETOES if v < t))
    return replace(settings, threshold=best[1], veto=best[2])


def quality(reports, truth, actors, settings) -> dict[str, float]:  # noqa: ANN001
    cols = columns(reports, actors, settings)
    i, j = candidate_pairs(cols, settings)
    result = correlate(cols, settings)
    p, b = pairwise(truth, result.label), bcubed(truth, result.label)
    return {"reports": len(reports), "candidate recall": pair_recall(truth, i, j),
            "precision": p.precision, "recall": p.recall, "F1": p.f1, "B3 F1": b.f1}


def _ucdp_events(actors):  # noqa: ANN001, ANN202
    records = ucdp_reports(actors)
    return records, events_from_reports(records, admin=syria(), gazetteer=syria_gazetteer())


def learn_ucdp(actors, settings: CorrelationSettings) -> CorrelationSettings:  # noqa: ANN001
    """Points learnt on another split of the real record (party views drawn with seed 1),
    as a mechanism would learn them from a labelled sample of its own reports."""
    _, events = _ucdp_events(actors)
    sim = party_views(events, seed=1, admin=syria(), gazetteer=syria_gazetteer())
    truth = np.array([sim.truth[r.id] for r in sim.reports])
    cols = columns(sim.reports, actors, settings)
    i, j = candidate_pairs(cols, settings)
    return _tuned(cols, truth, fit_points(*training_pairs(cols, i, j, truth, settings),
                                          settings), REAL_THRESHOLDS)


def ucdp_views(actors, settings, *, with_originals: bool,  # noqa: ANN001
               twins_as_one: bool = False) -> dict[str, float]:
    """The real UCDP GED events as truth, seen by two noisy party views (and, optionally,
    the curated records themselves). With ``twins_as_one``, events that share their day,
    place (to about 1 km) and both sides count as one: nothing a party's report carries
    can tell such twins apart."""
    records, events = _ucdp_events(actors)
    sim = party_views(events, seed=2, admin=syria(), gazetteer=syria_gazetteer())
    reports = list(sim.reports)
    truth = [sim.truth[r.id] for r in reports]
    if with_originals:
        known = {e.id for e in events}
        kept = [r for r in records if f"ev-{r.source.key}" in known]
        reports += kept
        truth += [f"ev-{r.source.key}" for r in kept]
    if twins_as_one:
        twin = {e.id: (e.moment.date(), round(e.point.lat, 2), round(e.point.lon, 2),
                       e.perpetrators, e.targets) for e in events}
        truth = [twin[t] for t in truth]
    return quality(reports, np.array([str(t) for t in truth]), actors, settings)


def ucdp_reports(actors) -> list:  # noqa: ANN001
    """The shipped UCDP GED extract through the project's own reader, no database."""
    from datetime import UTC, datetime
    from pathlib import Path

    from ceasefire.domain.actors import ActorDirectory
    from ceasefire.intake.files import LineReader
    from ceasefire.intake.formats.ucdp import UcdpGed
    from ceasefire.intake.normalise import IntakeContext, normalise

    path = Path(str(resources.files("ceasefire.scenarios").joinpath(
        "data/ged_syria_2016-12_2017-06.csv")))
    context = IntakeContext(frozenset({"SEC"}), ActorDirectory(actors), syria(),
                            syria_gazetteer())
    with path.open("rb") as stream:
        drafts = list(UcdpGed().read(LineReader(path, stream), None))
    return normalise(context, drafts, submitted_by="SEC",
                     received_at=datetime(2017, 7, 1, tzinfo=UTC))


def _row(label: str, q: dict[str, float]) -> str:
    return (f"| {label} | {q['reports']:,} | {q['candidate recall']:.3f} | {q['precision']:.3f} "
            f"| {q['recall']:.3f} | **{q['F1']:.3f}** | {q['B3 F1']:.3f} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fit", action="store_true", help="learn the points and print them")
    args = parser.parse_args(argv if argv is not None else [])
    actors = scenario().actors
    settings = CorrelationSettings()
    if args.fit:
        settings = learn(actors, settings)
        for name in ("place_points", "time_points", "type_points", "actor_points",
                     "casualty_points", "source_points", "narrative_points", "prior",
                     "threshold", "veto"):
            print(f"    {name} = {getattr(settings, name)!r}")
    print("\n## Correlation quality (simulator ground truth; points learnt on seed 1)\n")
    print("| data | reports | candidate recall | pairwise P | pairwise R | pairwise F1 "
          "| B-cubed F1 |")
    print("|---|---|---|---|---|---|---|")
    synthetic = []
    for label, events in DENSITIES.items():
        for seed in EVAL_SEEDS:
            started = time.perf_counter()
            reports, truth = simulated(seed, events, actors)
            q = quality(reports, truth, actors, settings)
            synthetic.append(q)
            print(_row(f"{label}, seed {seed}", q), flush=True)
            print(f"  ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    for originals in (False, True):
        for twins in (False, True):
            label = "UCDP GED 3,484 events, two party views" + (
                " + the UCDP records" if originals else "") + (
                "; twins as one" if twins else "")
            print(_row(label, ucdp_views(actors, settings, with_originals=originals,
                                         twins_as_one=twins)))
    own = learn_ucdp(actors, CorrelationSettings())
    real = {}
    for originals in (False, True):
        label = "UCDP GED, two party views" + (" + the UCDP records" if originals else "")
        real[originals] = ucdp_views(actors, own, with_originals=originals)
        print(_row(label + "; points learnt on another split of the record", real[originals]))
    worst = {k: min(q[k] for q in synthetic) for k in ("F1", "B3 F1", "candidate recall")}
    print(f"\nReal events, two party views, points learnt on another split: pairwise F1 "
          f"**{real[False]['F1']:.3f}** (aim ≥ {REAL_AIM}). Simulator, lowest of "
          f"{len(synthetic)} runs: pairwise F1 {worst['F1']:.3f}, B-cubed F1 "
          f"{worst['B3 F1']:.3f}, candidate recall {worst['candidate recall']:.3f}.")


if __name__ == "__main__":
    main(sys.argv[1:])
