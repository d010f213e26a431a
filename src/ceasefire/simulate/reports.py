"""Noisy reports of true events, and the ground truth that ties each report to its event.

Every random draw is made for all reports at once with numpy (same seed, same reports);
the domain objects are built in one pass at the end.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import numpy as np

from ceasefire.domain.actors import Actor
from ceasefire.domain.casualties import Casualties
from ceasefire.domain.place import AdminCodes, Place, Point, WherePrecision
from ceasefire.domain.report import Report, Source
from ceasefire.domain.when import When
from ceasefire.errors import InvalidInput
from ceasefire.geo.admin import AdminIndex
from ceasefire.geo.gazetteer import Gazetteer
from ceasefire.simulate import places
from ceasefire.simulate.actors import ActorNames
from ceasefire.simulate.events import (
    TrueEvent,
    disc,
    simulate_events,
    truncated_normal,
)
from ceasefire.simulate.narrative import MONTHS, WEEK_FORMS, narrative, part_of_day
from ceasefire.simulate.noise import (
    CONFUSION,
    DEFAULT_SOURCES,
    NoiseModel,
    SourceProfile,
)

EXACT, DAY, WEEK = 0, 1, 2  # time kinds
POINT, NAMED, DISTRICT, GOVERNORATE = 0, 1, 2, 3  # place kinds
DELAY_SPREAD = 1.0  # sd of the log of the reporting delay: minutes for some, days for others
MIN_DELAY_S, MAX_DELAY_S = 300, 30 * 86400
_TRIES = 50  # redraws of a point that falls outside the country, before giving the true one
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_ZERO = date(1970, 1, 1).toordinal()
_MINUTE, _SECOND = timedelta(minutes=1), timedelta(seconds=1)
_BIG = 1 << 62  # bound of the integers that choose wordings
DEFAULT_NOISE = NoiseModel()  # the documented defaults (docs/simulation.md)


@dataclass
class Simulation:
    """Reports, the event each one describes, and the events (reported or not)."""

    reports: list[Report]  # in order of arrival (received_at, then id)
    truth: dict[str, str]  # report id -> event id
    events: list[TrueEvent] = field(default_factory=list)


class _World:
    """What building reports needs to know, made once per set of inputs."""

    def __init__(self, admin: AdminIndex, gazetteer: Gazetteer,
                 actors: tuple[Actor, ...]) -> None:
        self.admin = admin
        self.towns = places.named_places(gazetteer, admin)
        self.names = ActorNames(actors)
        sides: dict[str, list[str]] = {}
        for actor in actors:
            if actor.side:
                sides.setdefault(actor.side, []).append(actor.code)
        self.same_side = {a.code: tuple(c for c in sides[a.side] if c != a.code)
                          for a in actors if a.side}
        self.named = [Place(e.point, WherePrecision.NEAR, codes, e.name)
                      for e, codes in zip(self.towns.entries, self.towns.admin, strict=True)]
        self._areas: dict[str, Place] = {}

    def area(self, codes: AdminCodes, level: int) -> Place:
        """A place known only as the admin area of ``codes`` at ``level`` (2 the district,
        1 the governorate)."""
        pcode = codes.codes()[level - 1]
        if pcode not in self._areas:
            precision = WherePrecision.DISTRICT if level == 2 else WherePrecision.GOVERNORATE
            self._areas[pcode] = Place(None, precision, AdminCodes(*codes.codes()[:level]))
        return self._areas[pcode]

    def area_name(self, pcode: str) -> str:
        return self.admin.area(pcode).name


@lru_cache(maxsize=8)
def _world(admin: AdminIndex, gazetteer: Gazetteer, actors: tuple[Actor, ...]) -> _World:
    return _World(admin, gazetteer, actors)


def _packaged_actors() -> tuple[Actor, ...]:
    from ceasefire.intake.scenario import locate, parse

    source, text = locate("syria-2016")
    return parse(text, source=source).actors


def _defaults(admin: AdminIndex | None, gazetteer: Gazetteer | None,
              actors: Iterable[Actor] | None) -> _World:
    from ceasefire.geo.admin import syria
    from ceasefire.geo.gazetteer import syria_gazetteer

    return _world(admin or syria(), gazetteer or syria_gazetteer(),
                  tuple(actors) if actors is not None else _packaged_actors())


def _kinds(rng: np.random.Generator, shares: np.ndarray) -> np.ndarray:
    """One category per row of ``shares`` (rows add up to 1)."""
    u = rng.random(len(shares))
    return (u[:, None] >= np.cumsum(shares, axis=1)[:, :-1]).sum(axis=1)


def _exact_points(rng: np.random.Generator, lon: np.ndarray, lat: np.ndarray,
                  noise: NoiseModel, world: _World
                  ) -> tuple[np.ndarray, np.ndarray, list[AdminCodes | None]]:
    """Given coordinates within max_point_jitter_km of the truth and inside the country;
    None codes where no such draw was found (the true point is then given)."""
    out_lon, out_lat = lon.copy(), lat.copy()
    codes: list[AdminCodes | None] = [None] * len(lon)
    todo = np.arange(len(lon))
    for _ in range(_TRIES):
        if not len(todo):
            break
        east, north = disc(rng, len(todo), noise.point_jitter_sd_km, noise.max_point_jitter_km)
        x, y = places.offset(lon[todo], lat[todo], east, north)
        near = places.distance_km(lon[todo], lat[todo], x, y) <= noise.max_point_jitter_km
        found = places.locate(world.admin, x, y)
        ok = near & np.array([c is not None for c in found], dtype=bool)
        out_lon[todo[ok]], out_lat[todo[ok]] = x[ok], y[ok]
        for i in np.flatnonzero(ok).tolist():
            codes[int(todo[i])] = found[i]
        todo = todo[~ok]
    return out_lon, out_lat, codes


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The cyclic garbage collector would rescan the millions of objects a large run
    makes, again and again, for nothing: reports hold no cycles. Off while building."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@dataclass(frozen=True)
class _Draws:
    """Every random choice for a batch of reports, one array element per report."""

    time_kind: np.ndarray  # EXACT, DAY or WEEK
    minute: np.ndarray  # stated time (EXACT), epoch minutes
    day: np.ndarray  # stated day (DAY, WEEK), days since 1970-01-01
    arrival: np.ndarray  # received_at, epoch seconds
    place_kind: np.ndarray  # POINT, NAMED, DISTRICT or GOVERNORATE
    point_lon: np.ndarray  # given coordinates (POINT), indexed by point_row
    point_lat: np.ndarray
    point_codes: list[AdminCodes | None]  # their codes; None: the true point is given
    point_row: dict[int, int]  # report -> its index in the point arrays
    town: np.ndarray  # nearest town of each event
    town_km: np.ndarray
    confused: np.ndarray
    blame: np.ndarray
    casualties_missing: np.ndarray
    error: np.ndarray
    low_share: np.ndarray
    high_share: np.ndarray
    narrative_missing: np.ndarray
    words: np.ndarray  # (n, 10) integers choosing labels, names and wordings
    ids: list[str]
    keys: dict[int, str]  # report -> source key, for keyed sources


def _ids(rng: np.random.Generator, n: int) -> list[str]:
    """Random (version 4) UUIDs as strings."""
    halves = rng.integers(0, np.iinfo(np.uint64).max, (n, 2), dtype=np.uint64, endpoint=True)
    hi = (halves[:, 0] & np.uint64(~0xF000 & (2**64 - 1))) | np.uint64(0x4000)
    lo = (halves[:, 1] & np.uint64(2**62 - 1)) | np.uint64(2**63)
    out = []
    for h, low in zip(hi.tolist(), lo.tolist(), strict=True):
        x = f"{h:016x}{low:016x}"
        out.append(f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}")
    return out


def _draw(events: Sequence[TrueEvent], event_of: np.ndarray, source_of: np.ndarray,
          sources: Sequence[SourceProfile], rng: np.random.Generator, noise: NoiseModel,
          world: _World) -> _Draws:
    n = len(event_of)
    ev_lon = np.array([e.point.lon for e in events])
    ev_lat = np.array([e.point.lat for e in events])
    ev_minute = np.array([(e.moment - _EPOCH) // _MINUTE for e in events], dtype=np.int64)
    town, town_km = world.towns.nearest(ev_lon, ev_lat)
    lon, lat, true_minute = ev_lon[event_of], ev_lat[event_of], ev_minute[event_of]

    # When: the kind of statement, the error of a stated time, a day across midnight.
    time_kind = _kinds(rng, np.array([s.times(noise) for s in sources])[source_of])
    jitter = np.rint(truncated_normal(rng, n, noise.time_jitter_sd_hours * 60,
                                      noise.max_time_jitter_hours * 60)).astype(np.int64)
    slip = rng.random(n) < noise.neighbour_day_share
    of_day = true_minute % 1440
    edge = round(noise.max_day_slip_hours * 60)
    day = true_minute // 1440 + (slip & (of_day >= 1440 - edge)) - (slip & (of_day < edge))
    monday = day - (day + 3) % 7  # 1970-01-01 was a Thursday
    earliest = np.where(time_kind == EXACT, true_minute + jitter,
                        np.where(time_kind == DAY, day, monday) * 1440)
    # Where: the kind of statement, and coordinates near the truth.
    place_kind = _kinds(rng, np.array([s.places(noise) for s in sources])[source_of])
    unnamed = (place_kind == NAMED) & (town_km[event_of] > noise.max_name_distance_km)
    place_kind[unnamed] = POINT  # no town close enough to name: coordinates instead
    at_point = np.flatnonzero(place_kind == POINT)
    point_lon, point_lat, point_codes = _exact_points(rng, lon[at_point], lat[at_point],
                                                      noise, world)
    # What, who, how many, in which words, and when it arrived.
    confused = rng.random(n) < noise.type_confusion_share
    blame = rng.random(n)
    casualties_missing = rng.random(n) < noise.casualties_missing_share
    error = rng.uniform(-noise.max_casualty_error, noise.max_casualty_error, n)
    low_share, high_share = rng.uniform(0.6, 1.0, n), rng.uniform(1.0, 1.5, n)
    narrative_missing = rng.random(n) < noise.narrative_missing_share
    words = rng.integers(0, _BIG, (n, 10))
    delay = np.clip(np.rint(np.array([s.median_delay_hours for s in sources])[source_of]
                            * 3600 * np.exp(DELAY_SPREAD * rng.standard_normal(n))),
                    MIN_DELAY_S, MAX_DELAY_S).astype(np.int64)
    arrival = np.maximum(true_minute, earliest) * 60 + delay
    ids = _ids(rng, n)
    keys: dict[int, str] = {}
    for s, profile in enumerate(sources):
        if profile.keyed:
            mine = np.flatnonzero(source_of == s)
            serials = rng.permutation(len(mine)) + 1
            keys.update((i, f"{profile.key_prefix}:{k:07d}")
                        for i, k in zip(mine.tolist(), serials.tolist(), strict=True))
    return _Draws(time_kind, true_minute + jitter, day, arrival, place_kind, point_lon,
                  point_lat, point_codes, {r: j for j, r in enumerate(at_point.tolist())},
                  town, town_km, confused, blame, casualties_missing, error, low_share,
                  high_share, narrative_missing, words, ids, keys)


def _build(events: Sequence[TrueEvent], event_of: np.ndarray, source_of: np.ndarray,
           sources: Sequence[SourceProfile], rng: np.random.Generator, noise: NoiseModel,
           world: _World, *, ids: Sequence[str] | None = None,
           received: Sequence[datetime] | None = None) -> list[Report]:
    """One report per (event_of[i], source_of[i]); all draws first, objects last."""
    if len(event_of) == 0:
        return []
    x = _draw(events, event_of, source_of, sources, rng, noise, world)
    ids = ids if ids is not None else x.ids
    town, near_town = x.town.tolist(), (x.town_km <= noise.max_name_distance_km).tolist()
    plain_sources = [Source(s.name) for s in sources]
    spans: dict[tuple[int, int], tuple[When, str]] = {}
    tallies: dict[tuple[int, int, int, int | None], Casualties] = {}
    no_figures = Casualties.none()
    reports = []
    rows = zip(event_of.tolist(), source_of.tolist(), x.time_kind.tolist(),
               x.minute.tolist(), x.day.tolist(), x.arrival.tolist(), x.place_kind.tolist(),
               x.confused.tolist(), x.blame.tolist(), x.casualties_missing.tolist(),
               x.error.tolist(), x.low_share.tolist(), x.high_share.tolist(),
               x.narrative_missing.tolist(), x.words.tolist(), strict=True)
    for i, (e, s, tk, minute, d, arrival, pk, conf, bl, cas_out, err, lo_f, hi_f, no_text,
            w) in enumerate(rows):
        event, profile = events[e], sources[s]
        # When
        if tk == EXACT:
            when = When.exact(_EPOCH + minute * _MINUTE)
            when_words = part_of_day(when.earliest)
        else:
            if (d, tk) not in spans:
                first = date.fromordinal(_DAY_ZERO + d)
                spans[(d, tk)] = ((When.on_day(first), f"on {first.day} {MONTHS[first.month - 1]}")
                                  if tk == DAY else (When.in_week(first), ""))
            when, when_words = spans[(d, tk)]
            if tk == WEEK:
                when_words = WEEK_FORMS[w[6] % len(WEEK_FORMS)]
        # Where
        if pk == POINT:
            j = x.point_row[i]
            codes = x.point_codes[j]
            if codes is None:  # no draw inside the country: the true point
                place = Place(event.point, WherePrecision.EXACT, event.admin)
            else:
                place = Place(Point(float(x.point_lon[j]), float(x.point_lat[j])),
                              WherePrecision.EXACT, codes)
            if near_town[e]:
                place_words, level = event.place_name, 0
            else:
                place_words, level = world.area_name(event.admin.adm2 or ""), 2
        elif pk == NAMED:
            place = world.named[town[e]]
            place_words, level = event.place_name, 0
        elif pk == DISTRICT:
            place = world.area(event.admin, 2)
            place_words, level = world.area_name(place.admin.adm2 or ""), 2
        else:
            place = world.area(event.admin, 1)
            place_words, level = world.area_name(place.admin.adm1 or ""), 1
        # What and who
        violation = event.violation
        if conf and (alternatives := CONFUSION.get(violation)):
            violation = alternatives[w[7] % len(alternatives)]
        perps, targets = _blamed(event, bl, w[8], noise, world)
        civilians = event.civilians_targeted
        party = profile.party
        perp_names = [world.names.pick(c, party, w[9] + k) for k, c in enumerate(perps)]
        target_names = [world.names.pick(c, party, w[9] + 7 * k + 3)
                        for k, c in enumerate(targets)]
        # How many
        if cas_out:
            best = None
            casualties = no_figures
        else:
            best = max(0, round(event.killed * (1 + err)))
            figures = (math.floor(best * lo_f), best, math.ceil(best * hi_f),
                       best if civilians else None)
            casualties = tallies.get(figures) or tallies.setdefault(figures,
                                                                    Casualties(*figures))
        text = "" if no_text else narrative(
            violation, perp=perp_names[0] if perp_names else None,
            target=target_names[0] if target_names else None, civilians=civilians,
            place=place_words, place_level=level, when=when_words, killed=best, draws=w)
        key = x.keys.get(i)
        reports.append(Report(
            id=ids[i], submitted_by=party,
            received_at=received[i] if received is not None else _EPOCH + arrival * _SECOND,
            when=when, place=place, violation=violation,
            source=Source(profile.name, key=key) if key else plain_sources[s],
            perpetrators=perps, perpetrator_text=", ".join(perp_names) or None,
            targets=targets,
            target_text="civilians" if civilians else (", ".join(target_names) or None),
            civilians_targeted=civilians, casualties=casualties, narrative=text))
    return reports


def _blamed(event: TrueEvent, draw: float, pick: int, noise: NoiseModel,
            world: _World) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The perpetrators and targets a report names: the true ones, or swapped, or another
    actor of the perpetrator's side, or no perpetrator."""
    perps, targets = event.perpetrators, event.targets
    swap = noise.blame_swap_share
    same = swap + noise.blame_same_side_share
    if draw < swap:
        if targets and not event.civilians_targeted:
            return targets, perps
    elif draw < same:
        if perps:
            others = [c for c in world.same_side.get(perps[0], ())
                      if c not in perps and c not in targets]
            if others:
                return (others[pick % len(others)], *perps[1:]), targets
    elif draw < same + noise.blame_missing_share:
        return (), targets
    return perps, targets


def _assign(rng: np.random.Generator, count: int, sources: Sequence[SourceProfile],
            noise: NoiseModel, *, at_least_one: bool) -> tuple[np.ndarray, np.ndarray]:
    """(event, source) of each report, by event then source: each source sees an event
    with its coverage; with ``at_least_one`` every event is seen; at most
    max_sources_per_event distinct sources; then duplicates of unkeyed sources."""
    cover = np.array([s.coverage for s in sources])
    seen = rng.random((count, len(sources))) < cover
    while at_least_one and (unseen := ~seen.any(axis=1)).any():
        seen[unseen] = rng.random((int(unseen.sum()), len(sources))) < cover
    crowded = np.flatnonzero(seen.sum(axis=1) > noise.max_sources_per_event)
    if len(crowded):  # keep a random max_sources_per_event of them
        rank = np.where(seen[crowded], rng.random((len(crowded), len(sources))), np.inf)
        order = np.argsort(rank, axis=1)[:, noise.max_sources_per_event:]
        seen[crowded[:, None], order] = False
    unkeyed = np.array([not s.keyed for s in sources])
    twice = seen & unkeyed & (rng.random(seen.shape) < noise.duplicate_share)
    events, kinds = np.nonzero(seen)
    again_events, again_kinds = np.nonzero(twice)
    event_of = np.concatenate([events, again_events])
    source_of = np.concatenate([kinds, again_kinds])
    order = np.lexsort((source_of, event_of))
    return event_of[order], source_of[order]


def _simulation(events: list[TrueEvent], reports: list[Report],
                event_of: np.ndarray) -> Simulation:
    truth = {r.id: events[e].id for r, e in zip(reports, event_of.tolist(), strict=True)}
    if len(truth) != len(reports):
        raise InvalidInput("two reports drew the same id; use another seed", field="seed")
    reports.sort(key=lambda r: (r.received_at, r.id))
    return Simulation(reports, {r.id: truth[r.id] for r in reports}, events)


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidInput(f"must be a whole number >= 0, got {seed!r}", field="seed")


def report_event(event: TrueEvent, source: SourceProfile, rng: np.random.Generator,
                 noise: NoiseModel, *, gazetteer: Gazetteer, admin: AdminIndex,
                 report_id: str, received_at: datetime,
                 actors: Iterable[Actor] | None = None) -> Report:
    """One noisy report of ``event`` by ``source`` (actors: for the names in the text;
    default the packaged syria-2016 scenario's)."""
    world = _defaults(admin, gazetteer, actors)
    (report,) = _build([event], np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64),
                       [source], rng, noise, world, ids=[report_id], received=[received_at])
    return report


def simulate(seed: int, *, events: int, start: date, days: int,
             sources: Sequence[SourceProfile] = DEFAULT_SOURCES,
             noise: NoiseModel = DEFAULT_NOISE, admin: AdminIndex, gazetteer: Gazetteer,
             actors: Iterable[Actor]) -> Simulation:
    """``events`` true events over ``days`` days from ``start`` and their reports by
    ``sources``; the same seed gives the same simulation."""
    _check_seed(seed)
    if not sources:
        raise InvalidInput("give at least one source", field="sources")
    actors = tuple(actors)
    rng = np.random.default_rng(seed)
    truth = simulate_events(rng, events, start, days, admin=admin, gazetteer=gazetteer,
                            actors=actors)
    event_of, source_of = _assign(rng, len(truth), sources, noise, at_least_one=True)
    world = _world(admin, gazetteer, actors)
    with _no_cyclic_gc():
        reports = _build(truth, event_of, source_of, sources, rng, noise, world)
        return _simulation(truth, reports, event_of)


def party_views(events: Sequence[TrueEvent], *, seed: int, views: Sequence[str] = ("RU", "TR"),
                coverage: float = 0.8, noise: NoiseModel = DEFAULT_NOISE,
                admin: AdminIndex | None = None, gazetteer: Gazetteer | None = None,
                actors: Iterable[Actor] | None = None) -> Simulation:
    """Each party in ``views`` reports each event with probability ``coverage``, through
    the same noise (e.g. real UCDP events, see events_from_reports, split into two
    noisy views). A party with a default source keeps its habits; events no view saw
    have no report."""
    _check_seed(seed)
    if not views:
        raise InvalidInput("give at least one party", field="views")
    defaults = {s.party: s for s in DEFAULT_SOURCES}
    profiles = [replace(defaults[p], coverage=coverage, keyed=False) if p in defaults
                else SourceProfile(f"{p} monitors", p, coverage) for p in views]
    events = list(events)
    rng = np.random.default_rng(seed)
    event_of, source_of = _assign(rng, len(events), profiles, noise, at_least_one=False)
    world = _defaults(admin, gazetteer, actors)
    with _no_cyclic_gc():
        reports = _build(events, event_of, source_of, profiles, rng, noise, world)
        return _simulation(events, reports, event_of)
