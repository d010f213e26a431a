"""Seeded synthetic reports as JSON Lines, shaped like real ones: points near Syrian towns,
2017 dates, the scenario's actors, casualty ranges and a short narrative."""

from __future__ import annotations

import json
import random
from importlib import resources
from pathlib import Path

from ceasefire.domain.place import Point
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.geo.admin import syria
from ceasefire.intake.scenario import locate, parse

SEED = 20170504
_VIOLATIONS = [v.value for v in ViolationType]


def _anchors(rng: random.Random, count: int) -> list[tuple[float, float]]:
    """Points within 2 km of the admin capitals, kept only when inside the admin areas."""
    text = resources.files("ceasefire.geo.data.syria").joinpath(
        "syr_admincapitals.geojson").read_text(encoding="utf-8")
    capitals = [f["geometry"]["coordinates"] for f in json.loads(text)["features"]]
    candidates = [(lon + rng.uniform(-0.02, 0.02), lat + rng.uniform(-0.02, 0.02))
                  for lon, lat in (rng.choice(capitals) for _ in range(count * 2))]
    found = syria().locate_many([Point(lon, lat) for lon, lat in candidates])
    inside = [c for c, codes in zip(candidates, found, strict=True) if codes is not None]
    return [(round(lon, 5), round(lat, 5)) for lon, lat in inside[:count]]


def write_reports(path: Path, count: int, *, seed: int = SEED) -> Path:
    rng = random.Random(seed)
    source, body = locate("syria-2016")
    actors = [a.code for a in parse(body, source=source).actors]
    anchors = _anchors(rng, 20_000)
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            lon, lat = anchors[i % len(anchors)]
            best = rng.choice((0, 0, 0, 1, 2, 3, 5, 8, 13))
            record = {
                "when": {"date": f"2017-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}"},
                "place": {"lon": lon, "lat": lat, "precision": rng.choice((1, 1, 2))},
                "violation": rng.choice(_VIOLATIONS),
                "source": {"name": "bench", "key": f"bench:{seed}:{i}"},
                "perpetrators": [rng.choice(actors)],
                "targets": [rng.choice(actors)] if rng.random() < 0.7 else ["civilians"],
                "casualties": {"low": best, "best": best, "high": best + rng.randint(0, 3)},
                "narrative": f"Synthetic event {i}: {rng.choice(_VIOLATIONS)} reported.",
            }
            out.write(json.dumps(record, separators=(",", ":")) + "\n")
    return path
