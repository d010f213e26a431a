"""Correlation: reports grouped into incidents, against the numpy floor and Splink.

One run, same data: the stand-in reports (bench/correlation_standin.py) at 100,000 and at
BENCH_CORRELATION_REPORTS (default 1,000,000), so the growth from one size to the other
shows. Each method runs in a fresh subprocess, one after the other, so its peak memory
(peak resident set, inputs included) is its own; the time covers the method alone, not reading
its input (the floor: median of three runs; Splink: one). Quality is pairwise
precision/recall/F1 against the stand-in's true events.

- floor: every pair within 5 km and 24 h, connected components (bench/correlation_floor.py);
- splink: Splink 5 on DuckDB, trained (u, prior, EM) and run on the same reports
  (bench/correlation_splink.py). It needs the bench dependency group (`make bench`).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

import numpy as np

from bench.correlation_standin import stand_in
from ceasefire.correlate.columns import ReportColumns
from ceasefire.correlate.evaluate import pairwise

REPORTS = int(os.environ.get("BENCH_CORRELATION_REPORTS", "1000000"))
SMALL = 100_000
SPLINK_TIMEOUT_S = int(os.environ.get("BENCH_SPLINK_TIMEOUT", "3600"))
SPLINK_THRESHOLD = 0.9  # the best F1 of 0.5–0.999 on the 100,000 stand-in
REPEATS = {"floor": 3}  # median of; one run of the others


def _status_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process. Unlike ru_maxrss, VmHWM starts afresh
    at exec, so the parent's memory at fork time does not count."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _floor(stored) -> Callable[[], tuple[np.ndarray, dict[str, float]]]:
    from bench.correlation_floor import floor_labels

    lon, lat = stored["lon"], stored["lat"]
    t = (stored["t0_h"] + stored["t1_h"]) / 2.0
    return lambda: (floor_labels(lon, lat, t), {})


def _columns(stored) -> ReportColumns:
    return ReportColumns(*(stored[f.name] for f in fields(ReportColumns)))


def _splink(stored) -> Callable[[], tuple[np.ndarray, dict[str, float]]]:
    from bench.correlation_splink import frame_from_columns, splink_labels

    frame = frame_from_columns(_columns(stored))
    return lambda: splink_labels(frame, threshold_match_probability=SPLINK_THRESHOLD)


# Each method: the stored columns (read field by field, so each method holds only what it
# uses) → a call returning (labels, seconds per stage). The engine's row
# (ceasefire.correlate.engine.correlate on _columns(stored)) goes here too.
METHODS: dict[str, Callable] = {
    "floor": _floor,
    "splink": _splink,
}


def _child(method: str, data: Path, out: Path) -> None:
    """Run one method on the stored columns; write its labels and figures."""
    with np.load(data, allow_pickle=True) as stored:
        run = METHODS[method](stored)
    input_mib = _status_mib("VmRSS")
    times = []
    for _ in range(REPEATS.get(method, 1)):
        start = time.perf_counter()
        labels, stages = run()
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    peak_mib = _status_mib("VmHWM")
    np.save(out.with_suffix(".npy"), labels)
    out.write_text(json.dumps({"seconds": seconds, "stages": stages, "peak_mib": peak_mib,
                               "input_mib": input_mib}))


def _run(method: str, data: Path, workdir: Path, timeout: int | None) -> dict | None:
    out = workdir / f"{method}.json"
    command = [sys.executable, "-m", "bench.correlation", method, str(data), str(out)]
    try:
        subprocess.run(command, check=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    result = json.loads(out.read_text())
    result["labels"] = np.load(out.with_suffix(".npy"))
    return result


def main() -> None:
    sizes = sorted({min(SMALL, REPORTS), REPORTS})
    print(f"\ncorrelation: stand-in reports, {', '.join(f'{n:,}' for n in sizes)}; "
          "each method in its own process")
    print(f"  {'method':<10}{'reports':>11}{'seconds':>10}{'reports/s':>12}{'vs floor':>10}"
          f"{'peak MiB':>10}{'P':>8}{'R':>8}{'F1':>8}")
    with tempfile.TemporaryDirectory(prefix="ceasefire-bench-") as tmp:
        workdir = Path(tmp)
        for n in sizes:
            columns, truth = stand_in(n)
            data = workdir / f"columns-{n}.npz"
            np.savez(data, **{f.name: getattr(columns, f.name) for f in fields(columns)})
            del columns
            floor_s = None
            for method in METHODS:
                timeout = SPLINK_TIMEOUT_S if method == "splink" else None
                result = _run(method, data, workdir, timeout)
                if result is None:
                    print(f"  {method:<10}{n:>11,}  did not finish in {timeout:,} s")
                    continue
                seconds = result["seconds"]
                floor_s = floor_s or seconds
                q = pairwise(truth, result["labels"])
                print(f"  {method:<10}{n:>11,}{seconds:>10.2f}{n / seconds:>12,.0f}"
                      f"{seconds / floor_s:>10.1f}{result['peak_mib']:>10,.0f}"
                      f"{q.precision:>8.3f}{q.recall:>8.3f}{q.f1:>8.3f}")
                if result["stages"]:
                    stages = ", ".join(f"{k} {v:.1f} s" for k, v in result["stages"].items())
                    print(f"  {'':<10}{'':>11}  {stages}; inputs {result['input_mib']:,.0f} MiB")


if __name__ == "__main__":
    if len(sys.argv) == 4:
        _child(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        main()
