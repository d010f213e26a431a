"""The shape of a report as it comes in: through the API, a JSON Lines file or a mapped
CSV row. This only checks the shape; `intake.normalise` turns it into a domain Report
(actors resolved, place geocoded to P-codes)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeInt,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from ceasefire.domain.casualties import DEATHS_MAX
from ceasefire.domain.parties import PARTY_CODE_PATTERN
from ceasefire.domain.place import WherePrecision
from ceasefire.domain.report import KEY_MAX, NARRATIVE_MAX, Report
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.text import is_unicode
from ceasefire.domain.when import (
    CALENDAR,
    CALENDAR_END,
    CALENDAR_START,
    FIRST_DAY,
    LAST_DAY,
    TimePrecision,
)


def _plain(text: str) -> str:
    # No source means a NUL, and PostgreSQL's text cannot hold it; a lone surrogate
    # ("\ud800" in JSON) is no character at all, and neither UTF-8 nor the ledger's JSON
    # can hold it. Refused here, before any write, on both backends alike.
    if "\x00" in text:
        raise PydanticCustomError("nul_character", "contains a NUL character")
    if not is_unicode(text):
        raise PydanticCustomError("unicode_surrogate",
                                  "is not valid Unicode (a lone surrogate)")
    return text


Text = Annotated[str, AfterValidator(_plain)]  # free text: any Unicode but NUL
Name = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[Text, StringConstraints(max_length=2000)]


def _not_a_bool(value: object) -> object:
    # pydantic would read true as 1: a count of the dead is a number, never a yes or no.
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "give a number, not true or false")
    return value


Count = Annotated[NonNegativeInt, Field(le=DEATHS_MAX), BeforeValidator(_not_a_bool)]


def _in_calendar(value: dt.date) -> dt.date:
    # Python's dates end at 9999-12-31: the day after it, or its end in another time zone,
    # would fail deep inside. The record's calendar is checked at the door instead.
    within = (FIRST_DAY <= value <= LAST_DAY if type(value) is dt.date
              else CALENDAR_START <= value < CALENDAR_END)
    if not within:
        raise PydanticCustomError("calendar", "is outside the record's calendar ({calendar})",
                                  {"calendar": CALENDAR})
    return value


Day = Annotated[dt.date, AfterValidator(_in_calendar)]
Moment = Annotated[AwareDatetime, AfterValidator(_in_calendar)]  # with a UTC offset

PCode1 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}\d\d$")]
PCode2 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}\d{4}$")]
PCode3 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}\d{6}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WhenIn(_In):
    """Either a `date` (the whole day), or `earliest` (and `latest`, for a span)."""

    date: Day | None = Field(None, description="the day it happened, when only that is known")
    earliest: Moment | None = Field(None, description="ISO 8601 with a UTC offset")
    latest: Moment | None = None
    precision: TimePrecision | None = Field(
        None, description="how precisely the source knows the time; default: exact for "
        "`earliest` alone, day for `date`")


class PlaceIn(_In):
    """A point, or a place name to look up, or the P-code of an admin area."""

    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    precision: WherePrecision | None = Field(
        None, description="UCDP where_prec scale: 1 exact … 7 waters; default from what is given")
    name: Name | None = Field(None, description="a town, village or admin area, in English or "
                              "Arabic; looked up when no point is given")
    adm1: PCode1 | None = None
    adm2: PCode2 | None = None
    adm3: PCode3 | None = None


class SourceIn(_In):
    name: Name
    key: Annotated[Text, StringConstraints(min_length=1, max_length=KEY_MAX)] | None = Field(
        None, description="the record's id in its source dataset; a second report with the "
        "same key is the same record")
    reference: LongText | None = None
    published: Moment | None = None


class CasualtiesIn(_In):
    """Deaths: low / best / high, and the split where known; the injured, if known."""

    low: Count | None = None
    best: Count = 0
    high: Count | None = None
    civilian: Count | None = None
    combatant: Count | None = None
    unknown: Count | None = None
    injured: Count | None = Field(None, description="injured, best estimate; absent or null: "
                                  "unknown")


class EvidenceIn(_In):
    description: Annotated[Text, StringConstraints(min_length=1, max_length=2000)]
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    uri: LongText | None = None


class ReportIn(_In):
    """A report as a party submits it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "when": {"earliest": "2017-01-05T14:30:00+02:00"},
        "place": {"lat": 35.9306, "lon": 36.6339},
        "violation": "shelling",
        "perpetrators": ["syrian-government"],
        "targets": ["civilians"],
        "casualties": {"best": 3, "civilian": 3},
        "narrative": "Mortar rounds hit the market.",
    }]})

    when: WhenIn
    place: PlaceIn
    violation: ViolationType
    source: SourceIn | None = Field(None, description="default: the submitting party itself")
    perpetrators: list[Name] = Field(
        default_factory=list, max_length=20,
        description="actor codes or names (any alias, any language)")
    perpetrator_text: Annotated[Text, StringConstraints(max_length=500)] | None = Field(
        None, description="the perpetrator as the source wrote it; default: the names given")
    targets: list[Name] = Field(
        default_factory=list, max_length=20,
        description="actor codes or names; `civilians` marks an attack on civilians")
    target_text: Annotated[Text, StringConstraints(max_length=500)] | None = None
    civilians_targeted: bool = False
    casualties: CasualtiesIn = Field(default_factory=CasualtiesIn)
    narrative: Annotated[Text, StringConstraints(max_length=NARRATIVE_MAX)] = ""
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)


class ReportRecord(ReportIn):
    """A report as a file carries it, with what the record adds: its id, the party that
    submitted it and when (as our own exports write them). Absent ones are filled in."""

    id: UUID | None = None
    submitted_by: Annotated[str, StringConstraints(pattern=PARTY_CODE_PATTERN)] | None = None
    received_at: Moment | None = None


def _time(moment: dt.datetime | None) -> str | None:
    # ISO 8601 in UTC with a Z and always microseconds: one spelling per instant, so
    # exports of the same record are byte-identical.
    if moment is None:
        return None
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond:06d}Z"


def record_of(report: Report) -> dict[str, Any]:
    """The report in the shape ReportRecord reads: what the API answers and JSON Lines
    exports write, so an export can be imported again unchanged."""
    place, point, cas, src = report.place, report.place.point, report.casualties, report.source
    return {
        "id": report.id,
        "submitted_by": report.submitted_by,
        "received_at": _time(report.received_at),
        "when": {"earliest": _time(report.when.earliest), "latest": _time(report.when.latest),
                 "precision": report.when.precision.value},
        "place": {"lon": point.lon if point else None, "lat": point.lat if point else None,
                  "precision": int(place.precision), "name": place.name,
                  "adm1": place.admin.adm1, "adm2": place.admin.adm2, "adm3": place.admin.adm3},
        "violation": report.violation.value,
        "source": {"name": src.name, "key": src.key, "reference": src.reference,
                   "published": _time(src.published)},
        "perpetrators": list(report.perpetrators),
        "perpetrator_text": report.perpetrator_text,
        "targets": list(report.targets),
        "target_text": report.target_text,
        "civilians_targeted": report.civilians_targeted,
        "casualties": {"low": cas.low, "best": cas.best, "high": cas.high,
                       "civilian": cas.civilian, "combatant": cas.combatant,
                       "unknown": cas.unknown, "injured": cas.injured},
        "narrative": report.narrative,
        "evidence": [{"description": e.description, "sha256": e.sha256, "uri": e.uri}
                     for e in report.evidence],
    }
