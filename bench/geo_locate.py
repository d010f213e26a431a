"""Point → admin P-codes: our STR-tree lookup against a linear scan of every sub-district.

Both run in this process on the same points (the 266 OCHA admin capitals plus seeded
random points over Syria's bounding box), so the ratio holds whatever the machine's load.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from importlib import resources

import shapely

from ceasefire.domain.place import Point
from ceasefire.geo.admin import syria

SEED = 20161230
RANDOM_POINTS = 20_000
REPEATS = 5


def points() -> list[Point]:
    text = resources.files("ceasefire.geo.data.syria").joinpath(
        "syr_admincapitals.geojson").read_text(encoding="utf-8")
    capitals = [Point(*f["geometry"]["coordinates"]) for f in json.loads(text)["features"]]
    rng = random.Random(SEED)
    scattered = [Point(rng.uniform(35.7, 42.4), rng.uniform(32.3, 37.3))
                 for _ in range(RANDOM_POINTS)]
    return capitals + scattered


def linear_scan(pts: list[Point]) -> list[str | None]:
    index = syria()
    areas = [(a.pcode, index.geometry(a.pcode)) for a in index.level(3)]
    out = []
    for p in pts:
        geom = shapely.Point(p.lon, p.lat)
        out.append(next((code for code, poly in areas if poly.intersects(geom)), None))
    return out


def indexed(pts: list[Point]) -> list[str | None]:
    index = syria()
    out = []
    for p in pts:
        codes = index.locate(p, snap_deg=0)
        out.append(codes.adm3 if codes else None)
    return out


def indexed_batch(pts: list[Point]) -> list[str | None]:
    return [c.adm3 if c else None for c in syria().locate_many(pts, snap_deg=0)]


def _median_seconds(fn, pts) -> tuple[float, list[str | None]]:
    times, result = [], []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = fn(pts)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    syria()  # load the boundaries outside the timed part
    pts = points()
    scan_s, scan = _median_seconds(linear_scan, pts)
    tree_s, tree = _median_seconds(indexed, pts)
    batch_s, batch = _median_seconds(indexed_batch, pts)
    assert batch == tree, "the batch lookup must give the one-by-one answers"
    # Same answers, except where a point sits exactly on a shared boundary.
    agree = sum(a == b for a, b in zip(scan, tree, strict=True)) / len(pts)
    print(f"\ngeo_locate: {len(pts)} points, median of {REPEATS} runs")
    print(f"  {'method':<28}{'points/s':>12}{'ratio':>8}")
    print(f"  {'linear scan (272 polygons)':<28}{len(pts) / scan_s:>12,.0f}{1.0:>8.1f}")
    print(f"  {'STR-tree, one by one':<28}{len(pts) / tree_s:>12,.0f}{scan_s / tree_s:>8.1f}")
    print(f"  {'STR-tree, batch':<28}{len(pts) / batch_s:>12,.0f}{scan_s / batch_s:>8.1f}")
    print(f"  answers agree on {agree:.2%} of points")


if __name__ == "__main__":
    main()
