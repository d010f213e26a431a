"""Correlation at scale, in bounded memory (issue 20): a million reports of five sources.

The record: the simulator (ceasefire.simulate) with its default sources (docs/simulation.md:
five, 2.39 reports an event on this seed) at the density of the UCDP GED record for Syria,
16 events a day from 1 January 2017, seed SEED: about BENCH_SCALE_REPORTS (default
1,000,000) reports, so 72 years of events. It is simulated once and kept under data/bench/
as the engine's columns with each report's true event, named by the count, the seed and
RECIPE (bumped when the record changes); bench/page_db.py builds the pages' record from
the same simulation (`simulation`).

Each method runs in a fresh subprocess, so that its peak memory (VmHWM: the peak resident
set, its inputs included) is its own: once to warm up, then once timed, not reading its
input. The floor and the engine take turns for ROUNDS rounds (BENCH_SCALE_ROUNDS, default
3), so that what else the machine does weighs on each alike; the time is the median.

- floor: every pair within 5 km and 24 h, connected components (bench/correlation_floor.py);
- engine: ceasefire.correlate.engine.correlate with the default settings on every core,
  with pairwise and B-cubed quality against the truth, and the recall of the true pairs
  at the candidate stage;
- engine-1: the same on one core (NUMBA_NUM_THREADS=1), as the floor runs;
- chain: as many reports in one component, a report an hour at one place, each linked
  with the next six: clustering splits it by time. Listing the pairs of a component, as
  clustering did before issue 20, takes 16 bytes a pair: 8 TB for this one.

The aims: a peak of at most 4 GiB, the engine within 3 times the floor's time, candidate
recall 1.000.

    PYTHONPATH=. python -m bench.correlation_scale
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import fields
from datetime import date
from pathlib import Path

import numpy as np

from ceasefire.correlate.columns import ReportColumns
from ceasefire.correlate.evaluate import bcubed, pairwise

REPORTS = int(os.environ.get("BENCH_SCALE_REPORTS", "1000000"))
SEED = 5  # as bench/correlation.py; not seed 1, which the default points were learnt from
START = date(2017, 1, 1)
EVENTS_PER_DAY = 16  # the UCDP GED record for Syria, Dec 2016 - Jun 2017
REPORTS_PER_EVENT = 2.39  # the simulator's default sources, measured on this seed
RECIPE = 1  # bump when the kept record changes
DEFAULT_WORKDIR = Path(__file__).resolve().parent.parent / "data" / "bench"
ROUNDS = int(os.environ.get("BENCH_SCALE_ROUNDS", "3"))
PEAK_AIM_MIB = 4096
TIME_AIM = 3.0  # × the floor's time


def days_and_events(reports: int) -> tuple[int, int]:
    """The events (and the days they take at EVENTS_PER_DAY) for about ``reports``."""
    events = round(reports / REPORTS_PER_EVENT)
    return math.ceil(events / EVENTS_PER_DAY), events


def simulation(reports: int = REPORTS, seed: int = SEED):  # noqa: ANN201 (a Simulation)
    """The simulator's reports of the record, with the truth."""
    from bench.correlation_quality import scenario
    from ceasefire.geo.admin import syria
    from ceasefire.geo.gazetteer import syria_gazetteer
    from ceasefire.simulate import simulate

    days, events = days_and_events(reports)
    return simulate(seed, events=events, start=START, days=days, admin=syria(),
                    gazetteer=syria_gazetteer(), actors=scenario().actors)


def record(reports: int = REPORTS, workdir: Path | None = None, *, log=print) -> Path:
    """The kept columns of the record (an .npz file), simulated first if need be."""
    from bench.correlation_quality import columns, scenario
    from ceasefire.correlate.settings import CorrelationSettings

    workdir = Path(workdir) if workdir is not None else DEFAULT_WORKDIR
    path = workdir / f"scale-{reports}-seed{SEED}-r{RECIPE}.npz"
    if path.exists():
        return path
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    sim = simulation(reports)
    truth = np.unique(np.array([sim.truth[r.id] for r in sim.reports], dtype=object),
                      return_inverse=True)[1].ravel()
    cols = columns(sim.reports, scenario().actors, CorrelationSettings())
    del sim
    building = path.with_suffix(".building.npz")
    np.savez(building, truth=truth, **{f.name: getattr(cols, f.name) for f in fields(cols)})
    building.rename(path)
    log(f"  simulated and kept {path.name} in {time.perf_counter() - started:.0f} s",
        flush=True)
    return path


def _status_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process, which starts afresh at exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _columns(stored) -> ReportColumns:  # noqa: ANN001
    values = {f.name: stored[f.name] for f in fields(ReportColumns)}
    values["areas"] = values["areas"].item()  # one object, stored pickled
    return ReportColumns(**values)


def chain(n: int) -> ReportColumns:
    """n reports an hour apart at one place (within half a km): each meets the next six,
    and the links chain them all into one component spanning n hours."""
    from ceasefire.correlate.columns import NAMES, tiebreak

    rng = np.random.default_rng(n)
    ids = np.array([f"chain-{k:07d}" for k in range(n)], dtype=object)
    t = 412_000.0 + np.arange(n, dtype=np.float64)
    return ReportColumns(
        ids=ids, tiebreak=np.fromiter(map(tiebreak, ids), np.uint64, n),
        lon=37.0 + rng.uniform(-0.005, 0.005, n), lat=36.0 + rng.uniform(-0.005, 0.005, n),
        radius_km=np.full(n, 2.0), t0_h=t, t1_h=t.copy(), correlatable=np.ones(n, bool),
        violation=np.zeros(n, np.int8), perpetrators=np.zeros(n, np.uint64),
        targets=np.zeros(n, np.uint64), sides=np.zeros(n, np.uint64),
        killed=np.full(n, -1, np.int32), dataset=np.full(n, -1, np.int32),
        key=np.full(n, -1, np.int64), received_h=t.copy(),
        narrative=np.array([""] * n, dtype=object), names=np.zeros((n, NAMES), np.int64),
        source=np.arange(n, dtype=np.int32), area=np.full(n, -1, np.int32))


Run = Callable[[], np.ndarray]


def _engine(stored) -> tuple[Run, Callable[[np.ndarray], dict]]:  # noqa: ANN001
    from ceasefire.correlate.candidates import candidate_pairs
    from ceasefire.correlate.cluster import clusters, founders
    from ceasefire.correlate.engine import correlate, link
    from ceasefire.correlate.evaluate import pair_recall
    from ceasefire.correlate.settings import CorrelationSettings

    cols = _columns(stored)
    truth = stored["truth"]

    def extra(labels: np.ndarray) -> dict:
        """Once the timed runs and the peak are taken: each stage's time, and the
        candidate pairs' recall of the true pairs."""
        settings = CorrelationSettings()
        clock = [time.perf_counter()]
        i, j = candidate_pairs(cols, settings)
        clock.append(time.perf_counter())
        found, vetoed = link(cols, i, j, settings)
        clock.append(time.perf_counter())
        label = clusters(cols, found, vetoed, settings)
        clock.append(time.perf_counter())
        founders(cols, label)
        clock.append(time.perf_counter())
        stages = dict(zip(("candidates", "scores and links", "clusters", "founders"),
                          np.diff(clock).tolist(), strict=True))
        return {"stages": stages, "candidates": len(i), "links": len(found.i),
                "candidate_recall": pair_recall(truth, i, j)}

    return (lambda: correlate(cols).label), extra


def _floor(stored) -> tuple[Run, None]:  # noqa: ANN001
    from bench.correlation_floor import floor_labels

    lon, lat = stored["lon"], stored["lat"]
    t = (stored["t0_h"] + stored["t1_h"]) / 2.0
    return (lambda: floor_labels(lon, lat, t)), None


def _chain(stored) -> tuple[Run, Callable[[np.ndarray], dict]]:  # noqa: ANN001
    from ceasefire.correlate.cluster import components
    from ceasefire.correlate.engine import Correlation, correlate

    cols = chain(len(stored["truth"]))
    correlate(chain(100))  # the compiled loops read from numba's cache, not timed
    last: list[Correlation] = []

    def run() -> np.ndarray:
        last[:] = [correlate(cols)]
        return last[0].label

    def extra(labels: np.ndarray) -> dict:
        links = last[0].links
        return {"component": int(np.bincount(components(len(cols), links.i,
                                                        links.j)).max()),
                "incidents": len(np.unique(labels)), "largest": int(np.bincount(labels).max())}

    return run, extra


METHODS: dict[str, Callable] = {"floor": _floor, "engine": _engine,
                                "engine-1": lambda stored: (_engine(stored)[0], None),
                                "chain": _chain}
ENVIRONMENT = {"engine-1": {"NUMBA_NUM_THREADS": "1"}}


def _child(method: str, data: Path, out: Path, extra_wanted: bool) -> None:
    """Run one method: once to warm up (numba's cache read, the memory first touched),
    except the chain, which warms up on a small one; then once timed. Writes its labels
    and figures."""
    with np.load(data, allow_pickle=True) as stored:
        run, extra = METHODS[method](stored)
    input_mib = _status_mib("VmRSS")
    if method != "chain":
        run()
    start = time.perf_counter()
    labels = run()
    seconds = time.perf_counter() - start
    peak_mib = _status_mib("VmHWM")
    np.save(out.with_suffix(".npy"), labels)
    out.write_text(json.dumps({"seconds": seconds, "peak_mib": peak_mib,
                               "input_mib": input_mib,
                               "extra": extra(labels) if extra and extra_wanted else {}}))


def _run(method: str, data: Path, workdir: Path, *, extra: bool) -> dict | str:
    out = workdir / f"{method}.json"
    command = [sys.executable, "-m", "bench.correlation_scale", method, str(data), str(out),
               "extra" if extra else "-"]
    try:
        subprocess.run(command, check=True, env={**os.environ, **ENVIRONMENT.get(method, {})})
    except subprocess.CalledProcessError as exc:
        return f"failed (exit status {exc.returncode})"
    result = json.loads(out.read_text())
    result["labels"] = np.load(out.with_suffix(".npy"))
    return result


def _rounds(data: Path, workdir: Path) -> dict[str, dict | str]:
    """Each timed method in ROUNDS rounds, the methods taking turns, so that what else
    the machine does weighs on each alike; its median time, its highest peak. The chain
    once."""
    runs: dict[str, list[dict]] = {}
    failed: dict[str, dict | str] = {}
    for k in range(ROUNDS):
        for method in (m for m in METHODS if m != "chain"):
            if method in failed:
                continue
            result = _run(method, data, workdir, extra=k == 0)
            if isinstance(result, str):
                failed[method] = result
            else:
                runs.setdefault(method, []).append(result)
    results: dict[str, dict | str] = {}
    for method, done in runs.items():
        results[method] = {**done[0], "seconds": statistics.median(r["seconds"] for r in done),
                           "peak_mib": max(r["peak_mib"] for r in done), "rounds": len(done)}
    results.update(failed)
    results["chain"] = _run("chain", data, workdir, extra=True)
    return results


def main() -> None:
    days, events = days_and_events(REPORTS)
    print(f"\ncorrelation at scale: the simulator's five sources, {EVENTS_PER_DAY} events a "
          f"day from {START} (seed {SEED}), {events:,} events over {days:,} days; each "
          f"method in its own process, {ROUNDS} rounds taking turns (median time)",
          flush=True)
    data = record(REPORTS)
    with np.load(data, allow_pickle=True) as stored:
        truth = stored["truth"]
    n = len(truth)
    print(f"  {n:,} reports ({data})")
    with tempfile.TemporaryDirectory(prefix="ceasefire-bench-") as tmp:
        found = _rounds(data, Path(tmp))
    print(f"  {'method':<10}{'seconds':>9}{'× floor':>9}{'peak MiB':>10}{'inputs':>8}"
          f"{'P':>7}{'R':>7}{'F1':>7}{'B3 F1':>7}", flush=True)
    results: dict[str, dict] = {}
    for method in METHODS:
        result = found.get(method, "did not run")
        if isinstance(result, str):
            print(f"  {method:<10}  {result}", flush=True)
            continue
        results[method] = result
        s, floor = result["seconds"], results.get("floor", result)["seconds"]
        line = (f"  {method:<10}{s:>9.2f}{s / floor:>9.1f}{result['peak_mib']:>10,.0f}"
                f"{result['input_mib']:>8,.0f}")
        if method != "chain":
            p, b = pairwise(truth, result["labels"]), bcubed(truth, result["labels"])
            line += f"{p.precision:>7.3f}{p.recall:>7.3f}{p.f1:>7.3f}{b.f1:>7.3f}"
        print(line, flush=True)
        extra = result["extra"]
        if "stages" in extra:
            stages = ", ".join(f"{k} {v:.2f} s" for k, v in extra["stages"].items())
            print(f"  {'':<10}stages (once more, alone): {stages}")
            print(f"  {'':<10}{extra['candidates']:,} candidate pairs, "
                  f"{extra['links']:,} links; recall of the true pairs at the "
                  f"candidate stage {extra['candidate_recall']:.3f}")
        if "component" in extra:
            print(f"  {'':<10}one component of {extra['component']:,} reports, split "
                  f"into {extra['incidents']:,} incidents of at most "
                  f"{extra['largest']} (listing its pairs: {_size(16 * n * (n - 1) / 2)})")
    _verdict(results)


def _size(octets: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if octets < 1024:
            return f"{octets:,.0f} {unit}"
        octets /= 1024
    return f"{octets:,.0f} TiB"


def _verdict(results: dict[str, dict]) -> None:
    peak = max((r["peak_mib"] for m, r in results.items() if m != "floor"), default=None)
    if peak is not None:
        print(f"  aim: peak at most {PEAK_AIM_MIB:,} MiB: {peak:,.0f} MiB "
              f"{'ok' if peak <= PEAK_AIM_MIB else 'OVER'}")
    if "floor" in results:
        for method in ("engine", "engine-1"):
            if method in results:
                ratio = results[method]["seconds"] / results["floor"]["seconds"]
                print(f"  aim: {method} within {TIME_AIM:.0f}× the floor's time: "
                      f"{ratio:.1f}× {'ok' if ratio <= TIME_AIM else 'OVER'}")
    if "engine" in results:
        recall = results["engine"]["extra"]["candidate_recall"]
        print(f"  aim: candidate recall 1.000: {recall:.3f} "
              f"{'ok' if recall == 1.0 else 'BELOW'}")


if __name__ == "__main__":
    if len(sys.argv) == 5:
        _child(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4] == "extra")
    else:
        main()
