"""Incident exports: the record's main output, one row (CSV), feature (GeoJSON) or object
(JSON) per incident of a selection under one agreement, with its status now, each
guarantor's standing verdict, the actors the confirming verdicts name, and the ledger
checkpoint the export was read against (docs/formats.md).

Each writer is a generator of text, so a file or an HTTP response takes it piece by piece.
Nothing in it depends on when or where it was made: equal records (and the same clock)
give byte-equal files.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

FORMATS = ("csv", "geojson", "json")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json",
               "json": "application/json"}


@dataclass(frozen=True)
class Named:
    """A code and the words for it (an admin area, an actor)."""

    code: str
    name: str


@dataclass(frozen=True)
class GuarantorVerdict:
    """A guarantor's standing verdict: its position and when it was cast."""

    position: str  # confirm, reject, abstain
    at: datetime


@dataclass(frozen=True)
class ExportedIncident:
    id: str
    began: datetime
    ended: datetime
    adm: tuple[Named | None, Named | None, Named | None]  # adm1..adm3
    lon: float | None
    lat: float | None
    where_precision: int  # UCDP's where_prec scale
    violation: str
    violation_words: str
    reports: int
    reporting_parties: tuple[str, ...]
    killed_low: int  # each: the highest any of its reports gives
    killed_best: int
    killed_high: int
    injured: int | None  # the highest any of its reports gives; None: none gives a figure
    status: str  # now, under the agreement
    verdicts: dict[str, GuarantorVerdict | None]  # by guarantor, in the agreement's order
    attributed_to: tuple[Named, ...]  # the actors the standing confirming verdicts name
    deadline: datetime | None  # for the guarantors' verdicts (None: not covered)


@dataclass(frozen=True)
class Header:
    """What holds for the whole export."""

    agreement: str
    guarantors: tuple[str, ...]
    selection: dict[str, Any]  # as the list's query names it: agreement, from, to, …
    checkpoint_size: int  # the ledger's entries the export was read with
    checkpoint_root: str  # their Merkle root (hex)

    @property
    def checkpoint(self) -> dict[str, Any]:
        return {"size": self.checkpoint_size, "root": self.checkpoint_root}


def _time(moment: datetime | None) -> str | None:
    # As the report exports spell it: UTC, a Z, always microseconds; one spelling per
    # instant.
    if moment is None:
        return None
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond:06d}Z"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# -- CSV: one flat row per incident -------------------------------------------------------

def csv_columns(header: Header) -> list[str]:
    verdicts = [c for g in header.guarantors for c in (f"verdict_{g}", f"verdict_{g}_at")]
    return ["id", "began", "ended", "adm1_code", "adm1_name", "adm2_code", "adm2_name",
            "adm3_code", "adm3_name", "lon", "lat", "where_precision", "violation",
            "violation_words", "reports", "reporting_parties", "killed_low", "killed_best",
            "killed_high", "injured", "agreement", "status", *verdicts, "attributed_to",
            "attributed_to_names", "deadline", "checkpoint_size", "checkpoint_root"]


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _verdict(v: GuarantorVerdict | None) -> tuple[str | None, str | None]:
    return (None, None) if v is None else (v.position, _time(v.at))


def csv_row(x: ExportedIncident, header: Header) -> list[str]:
    places = [v for area in x.adm for v in ((area.code, area.name) if area else ("", ""))]
    verdicts = [v for g in header.guarantors for v in _verdict(x.verdicts.get(g))]
    return [_cell(v) for v in (
        x.id, _time(x.began), _time(x.ended), *places, x.lon, x.lat, x.where_precision,
        x.violation, x.violation_words, x.reports, "; ".join(x.reporting_parties),
        x.killed_low, x.killed_best, x.killed_high, x.injured, header.agreement, x.status,
        *verdicts,
        "; ".join(a.code for a in x.attributed_to),
        "; ".join(a.name for a in x.attributed_to), _time(x.deadline),
        header.checkpoint_size, header.checkpoint_root)]


def _csv(header: Header, incidents: Iterable[ExportedIncident]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def line(row: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        return buffer.getvalue()

    yield line(csv_columns(header))
    for x in incidents:
        yield line(csv_row(x, header))


# -- JSON and GeoJSON: one object per incident, the checkpoint once -------------------------

def _named(found: Named | None) -> dict[str, str] | None:
    return None if found is None else {"code": found.code, "name": found.name}


def record(x: ExportedIncident) -> dict[str, Any]:
    """An incident as JSON and GeoJSON give it."""
    return {
        "id": x.id, "began": _time(x.began), "ended": _time(x.ended),
        "place": {"adm1": _named(x.adm[0]), "adm2": _named(x.adm[1]),
                  "adm3": _named(x.adm[2]), "lon": x.lon, "lat": x.lat,
                  "precision": x.where_precision},
        "violation": {"code": x.violation, "words": x.violation_words},
        "reports": x.reports, "reporting_parties": list(x.reporting_parties),
        "killed": {"low": x.killed_low, "best": x.killed_best, "high": x.killed_high},
        "injured": x.injured,
        "status": x.status,
        "verdicts": {g: None if v is None else {"position": v.position, "at": _time(v.at)}
                     for g, v in x.verdicts.items()},
        "attributed_to": [_named(a) for a in x.attributed_to],
        "deadline": _time(x.deadline)}


def _about(header: Header) -> str:
    """The export's own members, without the braces: what holds for every incident."""
    return (f'"agreement":{_dumps(header.agreement)},"selection":{_dumps(header.selection)},'
            f'"checkpoint":{_dumps(header.checkpoint)}')


def _json(header: Header, incidents: Iterable[ExportedIncident]) -> Iterator[str]:
    yield "{" + _about(header) + ',"incidents":['
    for k, x in enumerate(incidents):
        yield ("," if k else "") + "\n" + _dumps(record(x))
    yield "\n]}\n"


def _geojson(header: Header, incidents: Iterable[ExportedIncident]) -> Iterator[str]:
    # RFC 7946: a FeatureCollection; the export's own members are foreign members (6.1).
    yield '{"type":"FeatureCollection",' + _about(header) + ',"features":['
    for k, x in enumerate(incidents):
        point = None if x.lon is None or x.lat is None else {
            "type": "Point", "coordinates": [x.lon, x.lat]}  # longitude first
        yield ("," if k else "") + "\n" + _dumps(
            {"type": "Feature", "id": x.id, "geometry": point, "properties": record(x)})
    yield "\n]}\n"


WRITERS: dict[str, Callable[[Header, Iterable[ExportedIncident]], Iterator[str]]] = {
    "csv": _csv, "geojson": _geojson, "json": _json}


def pieces(fmt: str, header: Header, incidents: Iterable[ExportedIncident]) -> Iterator[str]:
    """The export in format ``fmt``, a piece of text at a time."""
    return WRITERS[fmt](header, incidents)
