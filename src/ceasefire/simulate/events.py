"""True events: what really happened, drawn to look like the Syrian war of 2016-17.

Places are drawn around the UCDP GED events of December 2016 to June 2017 (shipped in
``ceasefire.scenarios.data``), so the hotspots of the period dominate as they did;
times, types, actors and death tolls follow the tables below.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources

import numpy as np

from ceasefire.domain.actors import Actor
from ceasefire.domain.place import AdminCodes, Point
from ceasefire.domain.report import Report
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.when import utc
from ceasefire.errors import InvalidInput
from ceasefire.geo.admin import AdminIndex
from ceasefire.geo.gazetteer import Gazetteer
from ceasefire.simulate import places
from ceasefire.simulate.actors import Dyads

T = ViolationType
# The violation mix, close to ACLED's coding of Syria in 2017 (remote violence first).
MIX: dict[ViolationType, float] = {
    T.SHELLING: 0.30, T.AIR_STRIKE: 0.22, T.ARMED_CLASH: 0.20, T.GROUND_OFFENSIVE: 0.06,
    T.EXPLOSIVE_DEVICE: 0.07, T.ATTACK_ON_CIVILIANS: 0.08, T.SUICIDE_BOMBING: 0.02,
    T.ABDUCTION: 0.02, T.MILITARY_BUILDUP: 0.02, T.PROPERTY_DESTRUCTION: 0.01,
}
# Mean deaths per event by type; counts are negative binomial with KILLED_SHAPE, so most
# events kill 0-3 and a few tens (UCDP GED 2017: median 2, mean 6).
KILLED_MEAN: dict[ViolationType, float] = {
    T.SHELLING: 2.0, T.AIR_STRIKE: 4.5, T.ARMED_CLASH: 5.0, T.GROUND_OFFENSIVE: 7.0,
    T.EXPLOSIVE_DEVICE: 2.5, T.ATTACK_ON_CIVILIANS: 3.0, T.SUICIDE_BOMBING: 12.0,
    T.ABDUCTION: 0.2, T.MILITARY_BUILDUP: 0.05, T.PROPERTY_DESTRUCTION: 0.1,
}
KILLED_SHAPE = 0.6  # negative binomial r: smaller is more heavy-tailed
KILLED_MAX = 500
# Events per local hour (UTC+2), 0..23: few at night, most by day.
DIURNAL = (2.0, 1.5, 1.2, 1.0, 1.0, 1.5, 3.0, 4.0, 5.0, 5.5, 6.0, 6.0,
           6.0, 6.0, 6.0, 6.0, 5.5, 5.0, 4.5, 4.0, 3.5, 3.0, 2.5, 2.0)
LOCAL_UTC_OFFSET_HOURS = 2
HOTSPOT_JITTER_SD_KM = 3.0  # "a few km" around a GED location (each axis)
HOTSPOT_JITTER_MAX_KM = 10.0
_HOTSPOT_PRECISIONS = {"1", "2"}  # GED rows placed at the site or within ~25 km of it
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TRIES = 100  # redraws of points outside the country before giving up
# How far outside the boundary data a record's point may lie and still count as inside:
# what the importer allows records that name their country (coastal towns, border camps).
IN_COUNTRY_SNAP_DEG = 0.05


@dataclass(frozen=True, slots=True)
class TrueEvent:
    """One real event: the ground truth every report of it is a distorted view of."""

    id: str
    moment: datetime  # UTC, to the minute
    point: Point
    admin: AdminCodes  # all three levels
    violation: ViolationType
    perpetrators: tuple[str, ...]  # actor codes
    targets: tuple[str, ...]
    civilians_targeted: bool
    killed: int
    place_name: str  # the nearest town, for reports that give only a name

    def __post_init__(self) -> None:
        object.__setattr__(self, "moment", utc(self.moment, field="moment"))
        if self.killed < 0:
            raise InvalidInput(f"is negative ({self.killed})", field="killed", id=self.id)


@cache
def hotspots() -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes of the well-placed UCDP GED events of the period."""
    data = resources.files("ceasefire.scenarios.data").joinpath(
        "ged_syria_2016-12_2017-06.csv").read_text(encoding="utf-8")
    rows = [(float(r["longitude"]), float(r["latitude"]))
            for r in csv.DictReader(io.StringIO(data)) if r["where_prec"] in _HOTSPOT_PRECISIONS]
    table = np.array(rows)
    return table[:, 0], table[:, 1]


def truncated_normal(rng: np.random.Generator, shape: int | tuple[int, ...], sd: float,
                     bound: float) -> np.ndarray:
    """Normal draws with the ones beyond +-bound drawn again."""
    out = rng.normal(0.0, sd, shape)
    while (far := np.abs(out) > bound).any():
        out[far] = rng.normal(0.0, sd, int(far.sum()))
    return out


def disc(rng: np.random.Generator, count: int, sd: float,
         bound: float) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (east, north, km) with normal axes, drawn again beyond ``bound`` km."""
    east, north = rng.normal(0.0, sd, count), rng.normal(0.0, sd, count)
    while (far := np.hypot(east, north) > bound).any():
        east[far], north[far] = rng.normal(0.0, sd, (2, int(far.sum())))
    return east, north


def _points(rng: np.random.Generator, count: int,
            admin: AdminIndex) -> tuple[np.ndarray, np.ndarray, list[AdminCodes]]:
    lon0, lat0 = hotspots()
    lon, lat = np.empty(count), np.empty(count)
    codes: list[AdminCodes] = [AdminCodes()] * count
    todo = np.arange(count)
    for _ in range(_TRIES):
        pick = rng.integers(0, len(lon0), len(todo))
        east, north = disc(rng, len(todo), HOTSPOT_JITTER_SD_KM, HOTSPOT_JITTER_MAX_KM)
        lon[todo], lat[todo] = places.offset(lon0[pick], lat0[pick], east, north)
        found = places.locate(admin, lon[todo], lat[todo])
        for i, c in zip(todo.tolist(), found, strict=True):
            if c is not None:
                codes[i] = c
        todo = todo[np.array([c is None for c in found], dtype=bool)]
        if not len(todo):
            return lon, lat, codes
    raise InvalidInput("the admin areas hold too few of the hotspots", field="admin")


def _moments(rng: np.random.Generator, count: int, start: date, days: int) -> np.ndarray:
    """Epoch minutes: days uniform, hours by DIURNAL (in local time), minutes uniform."""
    weights = np.roll(np.array(DIURNAL), -LOCAL_UTC_OFFSET_HOURS)  # index: the UTC hour
    day = rng.integers(0, days, count)
    hour = rng.choice(24, count, p=weights / weights.sum())
    minute = rng.integers(0, 60, count)
    first = int((datetime.combine(start, time.min, tzinfo=UTC) - _EPOCH).total_seconds()) // 60
    return first + day * 1440 + hour * 60 + minute


def moment_of(minutes: int) -> datetime:
    return _EPOCH + timedelta(minutes=minutes)


def killed(rng: np.random.Generator, kinds: Sequence[ViolationType]) -> np.ndarray:
    mean = np.array([KILLED_MEAN.get(k, 2.0) for k in kinds])
    return np.minimum(rng.negative_binomial(KILLED_SHAPE, KILLED_SHAPE / (KILLED_SHAPE + mean)),
                      KILLED_MAX)


def simulate_events(rng: np.random.Generator, count: int, start: date, days: int, *,
                    admin: AdminIndex, gazetteer: Gazetteer,
                    actors: Iterable[Actor]) -> list[TrueEvent]:
    """``count`` real-like events over ``days`` days from ``start``, ids ev-000000 on."""
    if count < 1:
        raise InvalidInput(f"must be at least 1, got {count}", field="events")
    if days < 1:
        raise InvalidInput(f"must be at least 1, got {days}", field="days")
    lon, lat, codes = _points(rng, count, admin)
    minutes = _moments(rng, count, start, days)
    kinds_list = list(MIX)
    weights = np.array([MIX[k] for k in kinds_list])
    kinds = [kinds_list[i] for i in rng.choice(len(kinds_list), count,
                                               p=weights / weights.sum()).tolist()]
    sides = Dyads(actors).draw(rng, kinds, [c.adm1 or "" for c in codes])
    deaths = killed(rng, kinds).tolist()
    towns = places.named_places(gazetteer, admin)
    nearest, _ = towns.nearest(lon, lat)
    width = max(6, len(str(count - 1)))
    return [TrueEvent(f"ev-{i:0{width}d}", moment_of(m), Point(x, y), c, k, p, t, civ, d,
                      towns.entries[n].name)
            for i, (m, x, y, c, k, (p, t, civ), d, n) in enumerate(zip(
                minutes.tolist(), lon.tolist(), lat.tolist(), codes, kinds, sides, deaths,
                nearest.tolist(), strict=True))]


def events_from_reports(reports: Iterable[Report], *, admin: AdminIndex | None = None,
                        gazetteer: Gazetteer | None = None) -> list[TrueEvent]:
    """Take each report as the truth of one event (e.g. UCDP GED records, to be split into
    noisy party views): the middle of its time span to the minute, its point, its actors
    and best death toll. Reports without a point, or outside the admin areas even
    allowing for the coast, are left out."""
    from ceasefire.geo.admin import syria
    from ceasefire.geo.gazetteer import syria_gazetteer

    admin = admin or syria()
    gazetteer = gazetteer or syria_gazetteer()
    placed = [r for r in reports if r.place.point is not None]
    points = [p for r in placed if (p := r.place.point) is not None]  # all of them
    found = admin.locate_many(points, snap_deg=IN_COUNTRY_SNAP_DEG)
    kept = [(r, c) for r, c in zip(placed, found, strict=True) if c is not None]
    if not kept:
        return []
    lon = np.array([r.place.point.lon for r, _ in kept])  # type: ignore[union-attr]
    lat = np.array([r.place.point.lat for r, _ in kept])  # type: ignore[union-attr]
    towns = places.named_places(gazetteer, admin)
    nearest, _ = towns.nearest(lon, lat)
    events = []
    for (report, codes), n in zip(kept, nearest.tolist(), strict=True):
        middle = report.when.midpoint
        minute = (middle - _EPOCH + timedelta(seconds=30)) // timedelta(minutes=1)
        events.append(TrueEvent(f"ev-{report.source.key or report.id}", moment_of(minute),
                                report.place.point, codes, report.violation,  # type: ignore[arg-type]
                                report.perpetrators, report.targets,
                                report.civilians_targeted, report.casualties.best,
                                towns.entries[n].name))
    return events
