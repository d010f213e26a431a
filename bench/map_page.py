"""The map page's two costs, measured apart on a record: the database's counts (per
area and per grid cell, `services.map_counts.map_counts`) and the SVG built from them
(`reports.maps.svg`, outlines simplified on first use and kept).

    PYTHONPATH=. python -m bench.map_page DATABASE_URL

Each view is timed REPEATS times after one warm-up run; the median is printed, with the
same map from the page's cache (`MapCache`: the ledger's head read, then a dictionary),
the first (cold) SVG build, the SVG's size and the number of clusters.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from ceasefire.outputs import maps
from ceasefire.services.map_counts import MapCache, map_counts
from ceasefire.services.overview import Selection
from ceasefire.store.db import Database

REPEATS = 5
VIEWS = {  # name: (selection, all districts)
    "Syria by governorate": (Selection(), False),
    "Syria by district": (Selection(), True),
    "Aleppo by district": (Selection(adm="SY02"), False),
    "Syria, confirmed only": (Selection(statuses=("confirmed",)), False),
    "Syria, one month": (Selection(since=datetime(2017, 3, 1).date(),
                                   until=datetime(2017, 4, 1).date()), False),
}


def _timed(run, repeats: int = REPEATS) -> tuple[float, object]:
    run()
    took = []
    for _ in range(repeats):
        start = time.perf_counter()
        found = run()
        took.append(time.perf_counter() - start)
    return statistics.median(took), found


def main(url: str) -> None:
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        sys.exit(f"no database file at {url}")  # SQLite would make an empty one
    db = Database(url)
    now = datetime.now(UTC)
    with db.session() as session:
        incidents = map_counts(session, Selection(), now=now).incidents
    print(f"{url}: {incidents:,} incidents in the first agreement's scope")
    for name, (selection, districts) in VIEWS.items():
        with db.session() as session:
            query, m = _timed(lambda s=session, x=selection, d=districts:
                              map_counts(s, x, now=now, districts=d))
            cache = MapCache()
            cached, _ = _timed(lambda s=session, x=selection, d=districts, c=cache:
                               c.counts(s, x, now=now, districts=d))
        start = time.perf_counter()
        maps.svg(m.view, m.by_area, m.clusters, title=name)
        cold = time.perf_counter() - start
        build, svg = _timed(lambda m=m, n=name: maps.svg(m.view, m.by_area, m.clusters,
                                                         title=n))
        print(f"{name:24} query {query * 1000:7.1f} ms (cached {cached * 1000:.1f} ms) | "
              f"svg {build * 1000:5.1f} ms "
              f"(first {cold * 1000:5.1f} ms) {len(svg.encode()) / 1024:5.1f} KiB | "
              f"{len(m.clusters)} clusters (bound {m.view.most_clusters}), "
              f"{m.incidents:,} incidents")


if __name__ == "__main__":
    main(sys.argv[1])
