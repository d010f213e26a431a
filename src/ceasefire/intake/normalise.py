"""From a report as given (ReportIn) to a domain Report: times checked, actors resolved,
the place geocoded to P-codes. Works on batches, so bulk imports geocode in one query."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol, TypeVar

import orjson

from ceasefire.domain.actors import ActorDirectory, is_civilians
from ceasefire.domain.casualties import Casualties
from ceasefire.domain.place import AdminCodes, Place, Point, WherePrecision
from ceasefire.domain.report import (
    Evidence,
    Report,
    Source,
    admin_for_precision,
)
from ceasefire.domain.when import TimePrecision, When
from ceasefire.errors import CeasefireError, InvalidInput
from ceasefire.geo.admin import AdminIndex
from ceasefire.intake.report_in import PlaceIn, ReportIn, ReportRecord, WhenIn

T = TypeVar("T")

# Ids of reports that come with a source key (or, from files, without one) are derived
# from it, so the same record gets the same id in every database that imports it.
REPORT_NAMESPACE = uuid.UUID("5b0f6c1e-8a53-4c1e-9d2f-6f1c2e0a7d41")
_NAMESPACE_BYTES = REPORT_NAMESPACE.bytes
# How far in the future of its arrival an event may lie: clocks and time zones disagree.
_CLOCK_SKEW = timedelta(days=1)
_LEVEL_PRECISION = {1: WherePrecision.GOVERNORATE, 2: WherePrecision.DISTRICT,
                    3: WherePrecision.NEAR}


class PlaceEntry(Protocol):
    """A place known by name (read only: the entries are frozen)."""

    @property
    def point(self) -> Point: ...
    @property
    def admin(self) -> AdminCodes: ...
    @property
    def precision(self) -> WherePrecision: ...


class PlaceLookup(Protocol):
    def resolve(self, text: str) -> PlaceEntry | None: ...


@dataclass(frozen=True)
class IntakeContext:
    """What normalising needs to know: the parties, actors and places of the mechanism."""

    parties: frozenset[str]
    actors: ActorDirectory
    admin: AdminIndex
    places: PlaceLookup


@dataclass(frozen=True, slots=True)
class Draft:
    """One report as given, and where it came from (for error messages)."""

    given: ReportIn
    line: int | None = None
    # The record says it lies in the country (UCDP and ACLED rows do): a point just
    # outside the boundary data may then take the nearest area.
    in_country: bool = False
    raw: str = ""  # the record as the file wrote it, for the rejects file
    # The key comes from a curated dataset's own file (a UCDP GED or ACLED import), which
    # vouches for it: the report's id is the key's, whoever imports the file. Any other
    # key is the submitting party's own (docs/formats.md).
    curated: bool = False


# Up to ~5 km: coastal towns and border camps that the rounded boundaries miss (Tartus,
# Jablah, Rukban), for records that state the country themselves.
IN_COUNTRY_SNAP_DEG = 0.05


@dataclass(frozen=True, slots=True)
class Refused:
    """A draft that does not make a report, with every problem it has, in the order
    found (the place first)."""

    draft: Draft
    problems: tuple[CeasefireError, ...]


class _Faults:
    """The problems of one row: each step is tried, so one fault hides no other."""

    __slots__ = ("found", "line")

    def __init__(self, line: int | None) -> None:
        self.line = line
        self.found: list[CeasefireError] = []

    def add(self, exc: CeasefireError) -> None:
        exc.line = exc.line if exc.line is not None else self.line
        self.found.append(exc)

    def check(self, build: Callable[..., T], *args: Any) -> T | None:
        """``build(*args)``, or None with its fault noted."""
        try:
            return build(*args)
        except CeasefireError as exc:
            self.add(exc)
            return None


def normalise(context: IntakeContext, drafts: Sequence[Draft], *, submitted_by: str,
              received_at: datetime, stable_ids: bool = True) -> list[Report]:
    """Domain reports for ``drafts``; the first fault raises InvalidInput with its line."""
    reports = []
    for item in normalise_each(context, drafts, submitted_by=submitted_by,
                               received_at=received_at, stable_ids=stable_ids):
        if isinstance(item, Refused):
            raise item.problems[0]
        reports.append(item)
    return reports


def normalise_each(context: IntakeContext, drafts: Sequence[Draft], *, submitted_by: str,
                   received_at: datetime, stable_ids: bool = True
                   ) -> list[Report | Refused]:
    """For each draft, in order, its domain report or every problem it has. Each draft is
    normalised once, however many others are refused."""
    faults = [_Faults(d.line) for d in drafts]
    places = [f.check(_place_given, d.given.place, context) for d, f in zip(drafts, faults,
                                                                           strict=True)]
    points = [(i, p.point) for i, p in enumerate(places) if p is not None and p.point is not None]
    located: dict[int, AdminCodes | None] = {}
    # A place that already names its admin area (given, or from the gazetteer) asserts
    # the country as much as a UCDP row does.
    asserted = {i for i, p in enumerate(places)
                if p is not None and (drafts[i].in_country or p.admin.codes())}
    for snap in (0.0, IN_COUNTRY_SNAP_DEG):
        batch = [(i, pt) for i, pt in points
                 if located.get(i) is None and (snap == 0.0 or i in asserted)]
        if not batch:
            break
        found = context.admin.locate_many([pt for _, pt in batch], snap_deg=snap)
        located.update((i, codes) for (i, _), codes in zip(batch, found, strict=True))
    out: list[Report | Refused] = []
    for i, d in enumerate(drafts):
        report = _report(d, places[i], located.get(i), context, faults[i],
                         submitted_by=submitted_by, received_at=received_at,
                         stable_ids=stable_ids)
        out.append(report if report is not None else Refused(d, tuple(faults[i].found)))
    return out


def name_problems(directory: ActorDirectory, names: Mapping[str, Sequence[str]],
                  line: int | None) -> list[CeasefireError]:
    """The problems of the actor names a row gives (every unknown one), for a row refused
    before it could be normalised."""
    faults = _Faults(line)
    for field, given in names.items():
        _actors(given, directory, field, faults)
    return faults.found


def _place_given(given: PlaceIn, context: IntakeContext) -> Place:
    """The place as given, before the point is located: a name is looked up here."""
    if (given.lon is None) != (given.lat is None):
        raise InvalidInput("give both lon and lat, or neither",
                           field="place.lat" if given.lat is None else "place.lon")
    codes = _given_codes(given)
    if codes.finest is not None and codes.finest not in context.admin:
        raise InvalidInput(f"unknown P-code {codes.finest!r}",
                           field=f"place.adm{len(codes.codes())}")
    if given.lon is not None and given.lat is not None:
        point = Point(given.lon, given.lat)
        return Place(point, given.precision or WherePrecision.EXACT, codes, given.name)
    if codes.finest is not None:
        full = context.admin.codes_for(codes.finest)
        precision = given.precision or _LEVEL_PRECISION[len(full.codes())]
        return Place(None, precision, admin_for_precision(full, precision), given.name)
    if given.name is None:
        raise InvalidInput("give a point (lon, lat), a place name or a P-code", field="place")
    entry = context.places.resolve(given.name)
    if entry is None:
        raise InvalidInput(f"no place called {given.name!r} is known: give lon and lat, "
                           "or a P-code", field="place.name")
    precision = given.precision or entry.precision
    return Place(entry.point, precision, admin_for_precision(entry.admin, precision),
                 given.name)


_NO_CODES = AdminCodes()


def _given_codes(given: PlaceIn) -> AdminCodes:
    if given.adm1 is None and given.adm2 is None and given.adm3 is None:
        return _NO_CODES
    try:
        return AdminCodes(given.adm1, given.adm2, given.adm3)
    except InvalidInput as exc:
        exc.field = f"place.{exc.field}"
        raise


def _located(place: Place, found: AdminCodes | None) -> Place:
    """The place with the P-codes of where its point lies, as far as its precision allows."""
    if place.point is None:
        return place
    if found is None:
        raise InvalidInput(f"the point ({place.point.lon}, {place.point.lat}) lies outside "
                           "every admin area of the covered country", field="place")
    given = place.admin.codes()
    if given and found.codes()[:len(given)] != given:
        if place.precision in (WherePrecision.GOVERNORATE, WherePrecision.REGION):
            # Known only to a governorate or a region: the governorate given is what the
            # source knows, and its point only stands for it (UCDP's may lie in the next).
            return Place(place.point, place.precision, AdminCodes(given[0]), place.name)
        raise InvalidInput(f"{given[-1]} does not hold the point, which lies in "
                           f"{found.codes()[len(given) - 1]}", field=f"place.adm{len(given)}")
    codes = admin_for_precision(found, place.precision)
    return Place(place.point, place.precision, codes, place.name)


def _when(given: WhenIn, received_at: datetime) -> When:
    if given.date is not None:
        if given.earliest is not None or given.latest is not None:
            raise InvalidInput("give a date, or earliest (and latest), not both", field="when")
        try:
            when = _day_span(given.date, given.precision or TimePrecision.DAY)
        except InvalidInput as exc:  # its week or month leaves the record's calendar
            exc.field = exc.field if (exc.field or "").startswith("when.") else "when.date"
            raise
    elif given.earliest is not None:
        latest = given.latest or given.earliest
        precision = given.precision or (TimePrecision.EXACT if latest == given.earliest
                                        else None)
        if precision is None:
            raise InvalidInput("give the precision of a span (day, week, month, year)",
                               field="when.precision")
        try:
            when = When(given.earliest, latest, precision)
        except InvalidInput as exc:
            exc.field = f"when.{exc.field}"
            raise
    else:
        raise InvalidInput("give a date, or earliest (and latest)", field="when")
    if when.earliest > received_at + _CLOCK_SKEW:
        raise InvalidInput(f"{when.earliest.isoformat()} is in the future",
                           field="when.earliest" if given.earliest else "when.date")
    return when


# Values are immutable and bulk files repeat them (a few hundred days, a few casualty
# figures): built once each, they cost a dictionary look-up per row.
@lru_cache(maxsize=4096)
def _day_span(day, precision: TimePrecision) -> When:  # noqa: ANN001
    if precision is TimePrecision.WEEK:
        return When.in_week(day)
    if precision is TimePrecision.MONTH:
        return When.in_month(day.year, day.month)
    if precision is TimePrecision.DAY:
        return When.on_day(day)
    raise InvalidInput(f"a date cannot have precision {precision.value!r}",
                       field="when.precision")


def _actors(names: Sequence[str], directory: ActorDirectory, field: str, faults: _Faults
            ) -> tuple[tuple[str, ...], bool]:
    """The codes of the actors named and whether civilians are; every name no actor has
    is a fault of its own."""
    codes: list[str] = []
    civilians = False
    for i, name in enumerate(names):
        if name in directory:  # an actor code: the common case in bulk files
            code = directory.current(name)  # a merged actor's code: its survivor
            if code not in codes:
                codes.append(code)
            continue
        if field == "targets" and is_civilians(name):
            civilians = True
            continue
        try:
            code = directory.resolve(name)
        except InvalidInput as exc:
            exc.field = f"{field}[{i}]"
            faults.add(exc)
            continue
        if code not in codes:  # "IS, ISIS" is one actor named twice
            codes.append(code)
    return tuple(codes), civilians


def _casualties(given) -> Casualties:  # noqa: ANN001
    low = given.best if given.low is None else given.low
    high = given.best if given.high is None else given.high
    try:
        return _casualty_figures(low, given.best, high, given.civilian, given.combatant,
                                 given.unknown, given.injured)
    except InvalidInput as exc:
        exc.field = (exc.field if (exc.field or "").startswith("casualties")
                     else f"casualties.{exc.field}")
        raise


@lru_cache(maxsize=4096)
def _casualty_figures(low: int, best: int, high: int, civilian: int | None,
                      combatant: int | None, unknown: int | None,
                      injured: int | None) -> Casualties:
    return Casualties(low, best, high, civilian, combatant, unknown, injured)


def _report(draft: Draft, place: Place | None, found: AdminCodes | None,
            context: IntakeContext, faults: _Faults, *, submitted_by: str,
            received_at: datetime, stable_ids: bool) -> Report | None:
    """The report, or None with every fault of the draft noted (``place`` None: its own
    fault is noted already)."""
    given = draft.given
    if isinstance(given, ReportRecord):
        submitted_by = given.submitted_by or submitted_by
        received_at = given.received_at or received_at
    if submitted_by not in context.parties:
        faults.add(InvalidInput(f"unknown party {submitted_by!r}", field="submitted_by"))
    when = faults.check(_when, given.when, received_at)
    where = faults.check(_located, place, found) if place is not None else None
    perpetrators, _ = _actors(given.perpetrators, context.actors, "perpetrators", faults)
    targets, civilians = _actors(given.targets, context.actors, "targets", faults)
    casualties = faults.check(_casualties, given.casualties)
    if faults.found or when is None or where is None or casualties is None:
        return None
    src = given.source
    source = (Source(src.name, src.key, src.reference, src.published) if src
              else Source(submitted_by))
    rid = _given_id(given, source, submitted_by, curated=draft.curated,
                    stable_ids=stable_ids) or ("" if stable_ids else str(uuid.uuid4()))
    try:
        report = Report(
            id=rid, submitted_by=submitted_by,
            received_at=received_at, when=when, place=where,
            violation=given.violation, source=source,
            perpetrators=perpetrators,
            perpetrator_text=given.perpetrator_text or (", ".join(given.perpetrators) or None),
            targets=targets,
            target_text=given.target_text or (", ".join(given.targets) or None),
            civilians_targeted=given.civilians_targeted or civilians,
            casualties=casualties, narrative=given.narrative,
            evidence=tuple(Evidence(e.description, e.sha256, e.uri) for e in given.evidence))
    except CeasefireError as exc:
        faults.add(exc)
        return None
    if report.id:
        return report
    # A file row without id or key: the same row is the same record.
    return replace(report, id=report_uid(f"content:{content_digest(report)}"))


def content_digest(report: Report) -> str:
    """SHA-256 of the report's content (Report.content) as canonical JSON: equal content,
    equal digest; it tells a repeated record from an amended one."""
    return hashlib.sha256(orjson.dumps(report.content())).hexdigest()


def _given_id(given: ReportIn, source: Source, party: str, *, curated: bool,
              stable_ids: bool) -> str | None:
    """The id a record brings: its own (our exports), its dataset's key (the same in
    every database that imports the dataset), or its party's key (in a file: the same
    for every import of that party's file). A key never gives a submission its id: it
    would take the id of the record the key names, and block the record's own import."""
    if isinstance(given, ReportRecord) and given.id is not None:
        return str(given.id)
    if source.key is None or not stable_ids:
        return None
    if curated:
        return report_uid(f"key:{source.key}")
    return report_uid(f"party-key:{party}:{source.key}")


def report_uid(name: str) -> str:
    """``str(uuid.uuid5(REPORT_NAMESPACE, name))``, without making a UUID object on the
    way (a file's million ids): SHA-1, then the version and variant bits."""
    h = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode()).digest()[:16])
    h[6] = (h[6] & 0x0F) | 0x50
    h[8] = (h[8] & 0x3F) | 0x80
    x = h.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"
