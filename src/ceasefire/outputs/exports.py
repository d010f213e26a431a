"""Report exports: JSON Lines, CSV, GeoJSON, HXL-tagged CSV and ACLED-shaped CSV.

All are streamed: one report at a time from the database to the file. JSON Lines and
HXL carry every field, so they import back unchanged (tested as a round trip).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from ceasefire.domain.actors import Actor
from ceasefire.domain.place import WherePrecision
from ceasefire.domain.report import Report
from ceasefire.domain.taxonomy import acled_event
from ceasefire.domain.when import TimePrecision
from ceasefire.intake.formats.flat import COLUMNS, flatten
from ceasefire.intake.report_in import record_of


class TextOut(Protocol):
    """Where an export is written: a text file, stdout, or an outputs.files.Output."""

    def write(self, text: str, /) -> object: ...


@dataclass(frozen=True)
class Names:
    """How codes read in an export: admin areas and actors by name, and the country."""

    admin_name: Callable[[str], str]
    actor: Callable[[str], Actor]
    country: str


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def export(fmt: str, reports: Iterable[Report], out: TextOut, names: Names) -> int:
    """Write ``reports`` to ``out`` in format ``fmt``; returns how many."""
    return WRITERS[fmt](reports, out, names)


def _jsonl(reports: Iterable[Report], out: TextOut, names: Names) -> int:
    count = 0
    for report in reports:
        out.write(_dumps(record_of(report)) + "\n")
        count += 1
    return count


def _flat(reports: Iterable[Report], out: TextOut, names: Names, *, tags: bool) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.header for c in COLUMNS])
    if tags:
        writer.writerow([c.tag for c in COLUMNS])
    count = 0
    for report in reports:
        writer.writerow(flatten(record_of(report), names.admin_name))
        count += 1
    return count


def _geojson(reports: Iterable[Report], out: TextOut, names: Names) -> int:
    out.write('{"type":"FeatureCollection","features":[')
    count = 0
    for report in reports:
        record = record_of(report)
        point = report.place.point
        geometry = {"type": "Point", "coordinates": [point.lon, point.lat]} if point else None
        out.write(("," if count else "") + "\n" + _dumps(
            {"type": "Feature", "id": report.id, "geometry": geometry, "properties": record}))
        count += 1
    out.write("\n]}\n")
    return count


ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "civilian_targeting", "country",
    "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "notes", "fatalities",
)
_ACLED_TIME = {TimePrecision.EXACT: 1, TimePrecision.DAY: 1, TimePrecision.WEEK: 2,
               TimePrecision.MONTH: 3, TimePrecision.YEAR: 3}


def _acled(reports: Iterable[Report], out: TextOut, names: Names) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ACLED_COLUMNS)
    count = 0
    for r in reports:
        perpetrators = [names.actor(c) for c in r.perpetrators]
        targets = [names.actor(c).name for c in r.targets]
        if r.civilians_targeted:
            targets.append("Civilians")
        event_type, sub_event = acled_event(
            r.violation, perpetrator_is_state=any(a.is_state for a in perpetrators))
        key = r.source.key or ""
        admin = r.place.admin
        point = r.place.point
        actor1 = [a.name for a in perpetrators] or ([r.perpetrator_text]
                                                     if r.perpetrator_text else [])
        writer.writerow([
            key.removeprefix("acled:") if key.startswith("acled:") else r.id,
            r.when.earliest.date().isoformat(), r.when.earliest.year,
            _ACLED_TIME[r.when.precision], event_type, sub_event,
            actor1[0] if actor1 else "", "; ".join(actor1[1:]),
            targets[0] if targets else "", "; ".join(targets[1:]),
            "Civilian targeting" if r.civilians_targeted else "", names.country,
            *(names.admin_name(c) if c else "" for c in (admin.adm1, admin.adm2, admin.adm3)),
            r.place.name or "", point.lat if point else "", point.lon if point else "",
            min(int(r.place.precision), int(WherePrecision.DISTRICT)),
            r.source.name, r.narrative, r.casualties.best,
        ])
        count += 1
    return count


WRITERS: dict[str, Callable[[Iterable[Report], TextOut, Names], int]] = {
    "jsonl": _jsonl,
    "csv": lambda reports, out, names: _flat(reports, out, names, tags=False),
    "hxl": lambda reports, out, names: _flat(reports, out, names, tags=True),
    "geojson": _geojson,
    "acled": _acled,
}
