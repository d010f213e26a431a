"""Extract the named places of a UCDP GED Syria extract into the package's data file.

UCDP codes each event's place as free text (`where_coordinates`: "Saqba suburb", "Eastern
Ghouta", "Tadmur/Palmyra town") with a point and `where_prec`. Each distinct place is kept
once (its most precise coding), its kind read from the word UCDP ends it with, and
military units, roads, borders, rivers and admin areas (OCHA has those) are left out.
Regenerate with:

    python3 scripts/extract-ucdp-places.py /path/to/ged_syria_2016-12_2017-06.csv
"""

from __future__ import annotations

import csv
import math
import re
import sys
from pathlib import Path

OUT = Path(__file__).parent.parent / "src/ceasefire/geo/data/syria/ucdp_places.csv"
_SKIP = re.compile(r"^\d|Division|Brigade|Army Base|Defense Base|factory|company|between|"
                   r"road\b|border|river|highway|Sector|Governorate|district\b|Syria$|"
                   r"Silos|Research|^Rif al|"
                   r"Forty Seven|\?", re.I)
_REGION = re.compile(r"Ghouta|Qalamoun|Pocket|\barea$|plain$|range$|Jabal al Akrad|"
                     r"Jabal at Turkuman|Jabal az Zawiyah", re.I)
_LOCALITY_WORDS = ("town", "village", "city", "locality", "suburb", "camp")
_SUFFIXES = (*_LOCALITY_WORDS, "area", "mountain", "mount", "hill", "hills", "plain",
             "mountain range")
_SAME_PLACE_DEG = 0.05


def _clean(text: str) -> tuple[str, list[str], str] | None:
    """(name, other names, kind) of a `where_coordinates`, or None if it is no place."""
    text = " ".join(text.split())
    if _SKIP.search(text):
        return None
    aliases = re.findall(r"\(([^)]+)\)", text)
    base = re.sub(r"\s*\([^)]*\)", "", text).strip()
    last = base.rsplit(" ", 1)[-1].lower()
    kind = ("region" if _REGION.search(base) else
            "locality" if last in _LOCALITY_WORDS else "landmark")
    bare = base
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if bare.lower().endswith(" " + suffix):
            bare = bare[:-len(suffix) - 1].strip()
            break
    # "Tadmur/Palmyra": two names; "Jihar oil/gas field": one.
    names = ([n.strip() for n in bare.split("/") if n.strip()]
             if re.search(r"/[A-Z]", bare) else [bare])
    others = [*names[1:], *aliases]
    if bare != text:
        others.append(base)
    return names[0], others, kind


def main(path: str) -> None:
    places: list[dict[str, object]] = []
    with open(path, encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: (int(r["where_prec"]), r["id"]))
    for row in rows:
        prec = int(row["where_prec"])
        cleaned = _clean(row["where_coordinates"])
        if cleaned is None or prec > 5:
            continue
        name, others, kind = cleaned
        if prec >= 3 and kind != "region":
            continue
        lat, lon = round(float(row["latitude"]), 5), round(float(row["longitude"]), 5)
        same = [p for p in places if p["name"] == name
                and math.dist((lat, lon), (p["lat"], p["lon"])) <= _SAME_PLACE_DEG]
        if same:  # its most precise coding came first
            names = same[0]["names"]
            assert isinstance(names, list)
            names.extend(n for n in others if n not in names)
            continue
        places.append({"name": name, "names": list(dict.fromkeys(others)), "kind": kind,
                       "lat": lat, "lon": lon, "where_prec": prec})
    places.sort(key=lambda p: (str(p["name"]), p["lat"], p["lon"]))
    with OUT.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["name", "kind", "lat", "lon", "where_prec", "names"])
        for p in places:
            out.writerow([p["name"], p["kind"], p["lat"], p["lon"], p["where_prec"],
                          "|".join(p["names"])])  # type: ignore[arg-type]
    print(f"{len(places)} places written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
