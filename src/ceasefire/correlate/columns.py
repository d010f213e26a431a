"""Reports as columns of numbers: what the engine compares, and nothing else.

The engine works on whole arrays (numpy), never on report objects one pair at a time, so a
million reports correlate in seconds. The columns are built two ways, to the same values:
report by report (`ColumnBuilder`: a new report and the stored reports its window reaches,
a few hundred at most), or from the facts of many reports read a column at a time
(`columns_from`: a batch run over the whole record), with no per-report Python step.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Protocol, TypeAlias, TypeVar

import numpy as np
from numpy.typing import NDArray

from ceasefire.correlate.hashes import (
    NAMES,
    Utf8,
    names_of,
    names_table,
    tiebreak,
    tiebreaks,
)
from ceasefire.correlate.settings import CorrelationSettings
from ceasefire.domain.place import Point, WherePrecision
from ceasefire.domain.report import Report
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.when import TimePrecision
from ceasefire.geo.areas import AreaGrid, no_areas

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
VIOLATIONS = tuple(ViolationType)
_VIOLATION_INDEX = {v: i for i, v in enumerate(VIOLATIONS)}
CIVILIANS_BIT = np.uint64(1 << 63)  # targets: "civilians", which is not an actor
_ACTOR_BITS = 63

Positions: TypeAlias = NDArray[np.integer[Any]]
"""Positions of reports in the columns: int64 or numpy's intp, one type on 64-bit machines
but two in numpy's type stubs."""
Pairs: TypeAlias = tuple[Positions, Positions]
"""Pairs of reports: the k-th pair is (i[k], j[k])."""
_S = TypeVar("_S", bound=np.generic)


def _names_table(rows: list[tuple[int, ...]]) -> NDArray[np.int64]:
    table = np.zeros((len(rows), NAMES), np.int64)
    for k, row in enumerate(rows):
        table[k, :len(row)] = row
    return table


def hours(moment: datetime) -> float:
    return (moment - _EPOCH).total_seconds() / 3600.0


def _hours(microseconds: NDArray[np.int64]) -> NDArray[np.float64]:
    """`hours` of instants given in microseconds since 1970: the same float, as
    total_seconds() divides the exact microseconds by 10**6 too."""
    return microseconds.astype(np.float64) / 1e6 / 3600.0


class Extents(Protocol):
    """Where an admin area lies: geo.admin.AdminIndex gives it."""

    def extent(self, pcode: str) -> tuple[Point, float]: ...

    def area_grid(self) -> AreaGrid: ...


@dataclass(frozen=True, slots=True)
class ActorBits:
    """Each actor's bit in a 63-bit mask, and the bit of its side (e.g. "government").

    With more than 63 actors two share a bit; the masks then over-report overlap a little,
    which the other fields outweigh.
    """

    actor: Mapping[str, int]
    side: Mapping[str, int]

    @classmethod
    def of(cls, actors: Iterable[tuple[str, str | None]]) -> ActorBits:
        """From (code, side) pairs."""
        pairs = sorted(actors)
        sides = sorted({s for _, s in pairs if s})
        side_bit = {s: 1 << (i % _ACTOR_BITS) for i, s in enumerate(sides)}
        return cls({c: 1 << (i % _ACTOR_BITS) for i, (c, _) in enumerate(pairs)},
                   {c: side_bit[s] for c, s in pairs if s})

    def mask(self, codes: Iterable[str]) -> int:
        bits = 0
        for code in codes:
            bits |= self.actor.get(code, 0)
        return bits

    def sides(self, codes: Iterable[str]) -> int:
        bits = 0
        for code in codes:
            bits |= self.side.get(code, 0)
        return bits


@dataclass(frozen=True, slots=True)
class ReportColumns:
    ids: NDArray[np.object_]  # str
    # uint64 hash of the id: breaks ties between equal scores the same way in every run,
    # without sorting strings.
    tiebreak: NDArray[np.uint64]
    lon: NDArray[np.float64]  # the place's centre, degrees
    lat: NDArray[np.float64]
    radius_km: NDArray[np.float64]  # how far from the centre the event may be
    t0_h: NDArray[np.float64]  # earliest and latest instant, hours since 1970 UTC
    t1_h: NDArray[np.float64]
    correlatable: NDArray[np.bool_]  # precise enough to compare automatically
    violation: NDArray[np.int8]  # index into VIOLATIONS
    perpetrators: NDArray[np.uint64]  # actor masks
    targets: NDArray[np.uint64]  # CIVILIANS_BIT when civilians were targeted
    sides: NDArray[np.uint64]  # side masks of everyone named
    killed: NDArray[np.int32]  # best estimate; -1 when the source gave no figure
    dataset: NDArray[np.int32]  # index of the keyed source dataset, -1 when unkeyed
    key: NDArray[np.int64]  # code of the record's key within all keys, -1 when none
    received_h: NDArray[np.float64]  # hours since 1970: which report founds an incident
    narrative: NDArray[np.object_]  # str
    names: NDArray[np.int64]  # (n, NAMES): the narrative's names and figures, hashed,
    # ascending, then zeros
    source: NDArray[np.int32]  # code of the source's name (one source rarely reports twice)
    area: NDArray[np.int32]  # the admin area a coarse place is (index in areas), else -1
    areas: AreaGrid = field(default_factory=no_areas)  # shared by all rows

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, index: Positions | Sequence[int]) -> ReportColumns:
        return ReportColumns(**{f.name: getattr(self, f.name)[index] for f in fields(self)
                                if f.name != "areas"}, areas=self.areas)


class ColumnBuilder:
    """Collects reports (from domain objects or stored rows) into ReportColumns."""

    def __init__(self, settings: CorrelationSettings, extents: Extents, bits: ActorBits,
                 ) -> None:
        self._settings = settings
        self._extents = extents
        self._bits = bits
        self._datasets: dict[tuple[str, str], int] = {}
        self._sources: dict[tuple[str, str], int] = {}
        self._keys: dict[str, int] = {}
        self._rows: list[tuple[float, ...]] = []
        self._ids: list[str] = []
        self._narratives: list[str] = []
        self._names: list[tuple[int, ...]] = []
        self._grid = extents.area_grid()

    def add(self, uid: str, *, lon: float | None, lat: float | None, precision: int,
            adm1: str | None, adm2: str | None, earliest: datetime, latest: datetime,
            time_precision: str, violation: str, perpetrators: Sequence[str],
            targets: Sequence[str], civilians: bool, killed: int, source_name: str,
            source_key: str | None, narrative: str, received: datetime,
            party: str) -> None:
        """``party`` submitted the report: a source (its name, its dataset and keys) is
        known only as that party gave it, so one party's claim to another's source or
        dataset never binds the other's reports (docs/correlation.md)."""
        s = self._settings
        where = WherePrecision(precision)
        centre, radius, area = self._place(where, lon, lat, adm1, adm2)
        t0, t1 = hours(earliest), hours(latest)
        correlatable = (centre is not None and where <= s.coarsest_place
                        and time_precision not in (TimePrecision.MONTH, TimePrecision.YEAR)
                        and t1 - t0 <= s.longest_span_days * 24.0 + 1e-6)
        dataset = key = -1
        source = (party, source_name)
        if source_key is not None:
            dataset = self._datasets.setdefault(source, len(self._datasets))
            key = self._keys.setdefault(source_key, len(self._keys))
        target_bits = self._bits.mask(targets) | (int(CIVILIANS_BIT) if civilians else 0)
        self._ids.append(uid)
        self._narratives.append(narrative)
        self._names.append(names_of(narrative))
        self._rows.append((
            centre.lon if centre else np.nan, centre.lat if centre else np.nan, radius, t0, t1,
            correlatable, _VIOLATION_INDEX[ViolationType(violation)],
            self._bits.mask(perpetrators), target_bits,
            self._bits.sides(perpetrators) | self._bits.sides(targets),
            killed if killed > 0 else -1, dataset, key, hours(received),
            self._sources.setdefault(source, len(self._sources)), area))

    def add_report(self, report: Report) -> None:
        place, point = report.place, report.place.point
        self.add(report.id, lon=point.lon if point else None, lat=point.lat if point else None,
                 precision=int(place.precision), adm1=place.admin.adm1, adm2=place.admin.adm2,
                 earliest=report.when.earliest, latest=report.when.latest,
                 time_precision=report.when.precision.value, violation=report.violation.value,
                 perpetrators=report.perpetrators, targets=report.targets,
                 civilians=report.civilians_targeted, killed=report.casualties.best,
                 source_name=report.source.name, source_key=report.source.key,
                 narrative=report.narrative, received=report.received_at,
                 party=report.submitted_by)

    def _place(self, where: WherePrecision, lon: float | None, lat: float | None,
               adm1: str | None, adm2: str | None) -> tuple[Point | None, float, int]:
        """The centre and radius of where the event can be, and the admin area it is
        (-1: none): a coarse place is its whole admin area, wherever the source put its
        point."""
        s = self._settings
        area = adm2 if where is WherePrecision.DISTRICT else (
            adm1 if where >= WherePrecision.GOVERNORATE else None)
        if area is not None:
            return *self._extents.extent(area), self._grid.index.get(area, -1)
        if lon is None or lat is None:
            return None, np.nan, -1
        return Point(lon, lat), s.radius_for(where), -1

    def build(self) -> ReportColumns:
        n = len(self._rows)
        table = np.array(self._rows, dtype=object).reshape(n, 16) if n else np.zeros((0, 16))
        def col(i: int, dtype: type[_S]) -> NDArray[_S]:
            return table[:, i].astype(dtype) if n else np.zeros(0, dtype)
        return ReportColumns(
            ids=np.array(self._ids, dtype=object),
            tiebreak=np.fromiter(map(tiebreak, self._ids), np.uint64, n), lon=col(0, np.float64),
            lat=col(1, np.float64), radius_km=col(2, np.float64), t0_h=col(3, np.float64),
            t1_h=col(4, np.float64), correlatable=col(5, np.bool_), violation=col(6, np.int8),
            perpetrators=col(7, np.uint64), targets=col(8, np.uint64), sides=col(9, np.uint64),
            killed=col(10, np.int32), dataset=col(11, np.int32), key=col(12, np.int64),
            received_h=col(13, np.float64), source=col(14, np.int32),
            narrative=np.array(self._narratives, dtype=object),
            names=_names_table(self._names), area=col(15, np.int32), areas=self._grid)


def columns_of(reports: Iterable[Report], settings: CorrelationSettings, extents: Extents,
               bits: ActorBits) -> ReportColumns:
    builder = ColumnBuilder(settings, extents, bits)
    for report in reports:
        builder.add_report(report)
    return builder.build()


# --- many reports at once -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Facts:
    """The facts of many reports as stored, one array per fact with an entry per report (in
    one order), and the actors they name, one entry per naming: what `columns_from` reads.
    Times are microseconds since 1970 UTC."""

    ids: NDArray[np.object_]  # str
    lon: NDArray[np.float64]  # the point given; NaN: none
    lat: NDArray[np.float64]
    precision: NDArray[np.int64]  # WherePrecision
    adm1: NDArray[np.object_]  # P-codes (str), None where not known
    adm2: NDArray[np.object_]
    adm3: NDArray[np.object_]
    earliest: NDArray[np.int64]
    latest: NDArray[np.int64]
    time_precision: NDArray[np.object_]  # TimePrecision's value (str)
    violation: NDArray[np.object_]  # ViolationType's value (str)
    civilians: NDArray[np.bool_]  # civilians were targeted
    killed: NDArray[np.int64]  # best estimate
    source_name: NDArray[np.object_]  # str
    source_key: NDArray[np.object_]  # str, None where the source gave none
    narrative: NDArray[np.object_]  # str
    received: NDArray[np.int64]
    party: NDArray[np.int64]  # who submitted it: any number that tells parties apart
    named_by: NDArray[np.int64]  # per naming: the report's position
    named_target: NDArray[np.bool_]  # ... named as a target (else as a perpetrator)
    named: NDArray[np.int64]  # ... the actor, as a position in `actor_codes`
    actor_codes: tuple[str, ...]
    # The ids and narratives as UTF-8 too, where the reader has them so (Arrow): hashed
    # from there, none is encoded again.
    ids_utf8: Utf8 | None = None
    narrative_utf8: Utf8 | None = None

    def __len__(self) -> int:
        return len(self.ids)


_NONE = np.array(None, dtype=object)


def _numbered(values: Sequence[Hashable]) -> tuple[NDArray[np.int64], list[Hashable]]:
    """Each value's number, counting the distinct values from 0 in order of first
    appearance (as ColumnBuilder numbers sources and keys), and the distinct values."""
    distinct = list(dict.fromkeys(values))
    number = {v: k for k, v in enumerate(distinct)}
    return np.fromiter(map(number.__getitem__, values), np.int64, len(values)), distinct


def _renumbered(values: NDArray[np.int64]) -> NDArray[np.int64]:
    """`_numbered` of numbers."""
    _, first, inverse = np.unique(values, return_index=True, return_inverse=True)
    order = np.empty(len(first), np.int64)
    order[np.argsort(first)] = np.arange(len(first))
    return order[inverse.ravel()]


def columns_from(facts: Facts, settings: CorrelationSettings, extents: Extents,
                 bits: ActorBits) -> ReportColumns:
    """The columns of these reports: what ColumnBuilder gives for them one by one, computed
    on whole arrays (each distinct area, violation and actor is looked up once)."""
    s, n, grid = settings, len(facts), extents.area_grid()
    where = facts.precision
    # A coarse place is its whole admin area, wherever the source put its point.
    area_code = np.full(n, None, dtype=object)
    district, wider = where == WherePrecision.DISTRICT, where >= WherePrecision.GOVERNORATE
    area_code[district], area_code[wider] = facts.adm2[district], facts.adm1[wider]
    area_of, codes = _numbered(area_code.tolist())
    places = [extents.extent(c) if isinstance(c, str) else None for c in codes]
    in_area = np.array([p is not None for p in places], np.bool_)[area_of]
    on_point = ~in_area & ~np.isnan(facts.lon) & ~np.isnan(facts.lat)
    precisions = np.unique(where)
    radius_for = np.array([s.radius_for(WherePrecision(p)) for p in precisions.tolist()])
    lon = np.where(in_area, np.array([p[0].lon if p else np.nan for p in places])[area_of],
                   np.where(on_point, facts.lon, np.nan))
    lat = np.where(in_area, np.array([p[0].lat if p else np.nan for p in places])[area_of],
                   np.where(on_point, facts.lat, np.nan))
    radius = np.where(in_area, np.array([p[1] if p else np.nan for p in places])[area_of],
                      np.where(on_point, radius_for[np.searchsorted(precisions, where)], np.nan))
    area = np.array([grid.index.get(c, -1) if isinstance(c, str) else -1 for c in codes],
                    np.int32)[area_of]
    t0, t1 = _hours(facts.earliest), _hours(facts.latest)
    vague = np.isin(facts.time_precision, [TimePrecision.MONTH.value, TimePrecision.YEAR.value])
    correlatable = ((in_area | on_point) & (where <= s.coarsest_place) & ~vague
                    & (t1 - t0 <= s.longest_span_days * 24.0 + 1e-6))
    violation_of, violations = _numbered(facts.violation.tolist())
    violation = np.array([_VIOLATION_INDEX[ViolationType(str(v))] for v in violations],
                         np.int8)[violation_of]
    # A source is its party's: (party, name), numbered as ColumnBuilder numbers them.
    name_of, names = _numbered(facts.source_name.tolist())
    party_source = facts.party * len(names) + name_of
    keyed = np.flatnonzero(np.not_equal(facts.source_key, _NONE))
    dataset, key = np.full(n, -1, np.int32), np.full(n, -1, np.int64)
    dataset[keyed] = _renumbered(party_source[keyed])
    key[keyed] = _numbered(facts.source_key[keyed].tolist())[0]
    perpetrators, targets, sides = (np.zeros(n, np.uint64) for _ in range(3))
    actor_bit = np.array([bits.actor.get(c, 0) for c in facts.actor_codes], np.uint64)
    side_bit = np.array([bits.side.get(c, 0) for c in facts.actor_codes], np.uint64)
    target = facts.named_target
    np.bitwise_or.at(perpetrators, facts.named_by[~target], actor_bit[facts.named[~target]])
    np.bitwise_or.at(targets, facts.named_by[target], actor_bit[facts.named[target]])
    np.bitwise_or.at(sides, facts.named_by, side_bit[facts.named])
    targets[facts.civilians] |= CIVILIANS_BIT
    return ReportColumns(
        ids=facts.ids, tiebreak=tiebreaks(facts.ids, facts.ids_utf8), lon=lon, lat=lat,
        radius_km=radius,
        t0_h=t0, t1_h=t1, correlatable=correlatable, violation=violation,
        perpetrators=perpetrators, targets=targets, sides=sides,
        killed=np.where(facts.killed > 0, facts.killed, -1).astype(np.int32),
        dataset=dataset, key=key, received_h=_hours(facts.received),
        narrative=facts.narrative, names=names_table(facts.narrative, facts.narrative_utf8),
        source=_renumbered(party_source).astype(np.int32), area=area, areas=grid)
