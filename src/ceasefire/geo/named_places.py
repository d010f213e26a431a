"""Named places beyond the admin areas and GeoNames' towns: the villages, city
neighbourhoods, regions and landmarks that reports name ("Jobar", "Eastern Ghouta",
"Wadi Barada", "T4 airbase"). Two files in ``data/syria`` (SOURCE.md): the places UCDP GED
codes its Syrian events at, and a hand-curated list, each row with its source.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

from ceasefire.domain.place import Point, WherePrecision
from ceasefire.geo.names import LANDMARK, LOCALITY, NEIGHBOURHOOD, REGION

_DATA = "ceasefire.geo.data.syria"
KINDS = (LOCALITY, NEIGHBOURHOOD, REGION, LANDMARK)


@dataclass(frozen=True, slots=True)
class NamedPlace:
    name: str
    names: tuple[str, ...]  # the other names, Arabic too
    kind: str
    point: Point
    precision: WherePrecision
    source: str


def _precision(kind: str, where_prec: int) -> WherePrecision:
    # A region is a part of the country, whatever point UCDP gave it (docs/decisions.md).
    return WherePrecision.REGION if kind == REGION else WherePrecision(min(where_prec, 2))


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files(_DATA).joinpath(name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def ucdp_places() -> list[NamedPlace]:
    return [NamedPlace(r["name"], tuple(filter(None, r["names"].split("|"))), r["kind"],
                       Point(float(r["lon"]), float(r["lat"])),
                       _precision(r["kind"], int(r["where_prec"])), "UCDP GED")
            for r in _rows("ucdp_places.csv")]


def curated_places() -> list[NamedPlace]:
    return [NamedPlace(r["name"], tuple(filter(None, r["names"].split("|"))), r["kind"],
                       Point(float(r["lon"]), float(r["lat"])),
                       _precision(r["kind"], int(r["precision"])), r["source"])
            for r in _rows("curated_places.csv")]
