"""How sources distort what happened: the noise model, its bounds, and the sources.

Every distortion is bounded, and the bounds are fields (or class constants) that other
modules read: the correlation engine's candidate stage is built to reach every pair of
reports of one event, which it can only promise against known limits.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import ClassVar

from ceasefire.domain.parties import PARTY_CODE_PATTERN
from ceasefire.domain.place import WherePrecision
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.text import check_name
from ceasefire.errors import InvalidInput

_PARTY = re.compile(PARTY_CODE_PATTERN)
_SUM_TOLERANCE = 1e-9

T = ViolationType
# The labels a source may give instead of the true one: remote fire is told from the
# ground (a shell and a bomb sound alike), fighting of unclear kind is just "violence".
CONFUSION: dict[ViolationType, tuple[ViolationType, ...]] = {
    T.SHELLING: (T.AIR_STRIKE, T.ARMED_VIOLENCE),
    T.AIR_STRIKE: (T.SHELLING,),
    T.ARMED_CLASH: (T.ARMED_VIOLENCE, T.GROUND_OFFENSIVE),
    T.ARMED_VIOLENCE: (T.ARMED_CLASH,),
    T.GROUND_OFFENSIVE: (T.ARMED_CLASH,),
    T.EXPLOSIVE_DEVICE: (T.SHELLING, T.SUICIDE_BOMBING),
    T.SUICIDE_BOMBING: (T.EXPLOSIVE_DEVICE,),
    T.ATTACK_ON_CIVILIANS: (T.SHELLING, T.ARMED_VIOLENCE),
    T.ABDUCTION: (T.ATTACK_ON_CIVILIANS,),
    T.MILITARY_BUILDUP: (T.GROUND_OFFENSIVE,),
    T.PROPERTY_DESTRUCTION: (T.ATTACK_ON_CIVILIANS,),
    T.CHEMICAL_ATTACK: (T.AIR_STRIKE, T.SHELLING),
}

def _check_share(value: float, field: str) -> None:
    if not 0.0 <= value <= 1.0:
        raise InvalidInput(f"must lie in 0..1, got {value!r}", field=field)


def _check_shares(values: tuple[float, ...], field: str) -> None:
    for i, value in enumerate(values):
        _check_share(value, f"{field}[{i}]")
    if abs(sum(values) - 1.0) > _SUM_TOLERANCE:
        raise InvalidInput(f"must add up to 1, got {sum(values)!r}", field=field)


@dataclass(frozen=True, slots=True)
class NoiseModel:
    """What sources get wrong, how often, and by how much at most."""

    # --- When ------------------------------------------------------------------------
    time_exact_share: float = 0.35
    """Reports giving a time of day: field teams and logs; most sources give only a day."""
    time_day_share: float = 0.58
    """Reports giving only the day, as UCDP GED and ACLED records do."""
    time_week_share: float = 0.07
    """Reports giving only the ISO week: late, second-hand accounts; kept small (<= 8%)."""
    time_jitter_sd_hours: float = 1.0
    """Spread of a stated time around the true one: clocks, estimates, "around noon"."""
    max_time_jitter_hours: float = 2.0
    """Bound of that error (the normal is truncated): a stated time is never further off."""
    neighbour_day_share: float = 0.3
    """Of day- or week-only reports of an event this close to midnight, those that give
    the neighbouring day: local time (UTC+2/+3) against UTC, a late-night event dated
    by the morning after."""
    max_day_slip_hours: float = 2.0
    """How far from midnight an event may be to be dated to the neighbouring day: the
    true moment lies at most this far outside a day- or week-only report's span."""
    max_span_days: ClassVar[int] = 7
    """The longest span a report gives (a week). Coarser reports (a month) cannot be
    correlated; the mechanism asks their sources for more."""

    # --- Where -----------------------------------------------------------------------
    place_exact_share: float = 0.54
    """Reports giving coordinates: GPS fixes, geocoded village centres."""
    place_name_share: float = 0.35
    """Reports naming the nearest town only; geocoded to the town (NEAR precision)."""
    place_district_share: float = 0.04
    """Reports naming only the district ("in the Jisr al-Shughur countryside")."""
    place_governorate_share: float = 0.07
    """Reports naming only the governorate: bulletins that sum up a province."""
    point_jitter_sd_km: float = 0.5
    """Spread of given coordinates around the true place (each axis)."""
    max_point_jitter_km: float = 1.5
    """Bound of that error (truncated): given coordinates are never further off."""
    max_name_distance_km: float = 10.0
    """A place is named by its nearest town only within this distance; further out the
    source gives coordinates instead. A named place is never further from the event."""
    coarsest_place: ClassVar[WherePrecision] = WherePrecision.GOVERNORATE
    """No report is placed more coarsely: country-wide reports cannot be correlated and
    the mechanism asks their sources for more."""

    # --- What and who ----------------------------------------------------------------
    type_confusion_share: float = 0.10
    """Reports giving another type from CONFUSION: shelling for an air strike, and so on."""
    blame_swap_share: float = 0.04
    """Reports with perpetrator and target swapped: each side blames the other."""
    blame_same_side_share: float = 0.08
    """Reports blaming another actor of the perpetrator's side (Actor.side in the
    scenario): the NDF for the army, a Russian jet for a Syrian one."""
    blame_missing_share: float = 0.10
    """Reports naming no perpetrator: "unidentified gunmen", a bomb nobody claims."""

    # --- Casualties and text ---------------------------------------------------------
    casualties_missing_share: float = 0.20
    """Reports without casualty figures (written 0/0/0: the record cannot tell them from
    "none killed", as sources often cannot)."""
    max_casualty_error: float = 0.30
    """Bound of the relative error of a given death toll (uniform in +-30%), before
    rounding to whole deaths; low and high lie around it."""
    narrative_missing_share: float = 0.10
    """Reports without a narrative: bare table rows."""

    # --- How many --------------------------------------------------------------------
    max_sources_per_event: int = 4
    """Distinct sources reporting one event, at most (at least one always does)."""
    duplicate_share: float = 0.03
    """Reports that the same (unkeyed) source files a second time, with fresh noise: a
    re-sent bulletin, two officers logging one event."""

    def __post_init__(self) -> None:
        _check_shares(self.time_shares(), "time shares")
        _check_shares(self.place_shares(), "place shares")
        for name in ("neighbour_day_share", "type_confusion_share", "blame_swap_share",
                     "blame_same_side_share", "blame_missing_share",
                     "casualties_missing_share", "narrative_missing_share",
                     "duplicate_share", "max_casualty_error"):
            _check_share(getattr(self, name), name)
        blame = self.blame_swap_share + self.blame_same_side_share + self.blame_missing_share
        if blame > 1.0 + _SUM_TOLERANCE:
            raise InvalidInput(f"the blame shares add up to {blame!r}, more than 1",
                               field="blame_swap_share")
        for name in ("time_jitter_sd_hours", "max_time_jitter_hours", "max_day_slip_hours",
                     "point_jitter_sd_km", "max_point_jitter_km", "max_name_distance_km"):
            value = getattr(self, name)
            if not (value > 0 and math.isfinite(value)):
                raise InvalidInput(f"must be positive, got {value!r}", field=name)
        if self.max_day_slip_hours > 12:
            raise InvalidInput("must be at most 12 (half a day)", field="max_day_slip_hours")
        if not self.max_sources_per_event >= 1:
            raise InvalidInput("must be at least 1", field="max_sources_per_event")

    def time_shares(self) -> tuple[float, float, float]:
        return (self.time_exact_share, self.time_day_share, self.time_week_share)

    def place_shares(self) -> tuple[float, float, float, float]:
        return (self.place_exact_share, self.place_name_share, self.place_district_share,
                self.place_governorate_share)


@dataclass(frozen=True, slots=True)
class SourceProfile:
    """One source of reports: who submits them, how much it sees, and its habits."""

    name: str
    party: str  # the party that submits its reports (Report.submitted_by)
    coverage: float  # probability that it reports a given event
    keyed: bool = False  # a curated dataset: a stable key per record, one record per event
    time_shares: tuple[float, float, float] | None = None  # exact, day, week; None: noise's
    place_shares: tuple[float, float, float, float] | None = None  # exact, name, district,
    # governorate; None: the noise model's
    median_delay_hours: float = 12.0  # from the event to the report's arrival

    def __post_init__(self) -> None:
        check_name(self.name, field="name")
        if not _PARTY.match(self.party):
            raise InvalidInput(f"{self.party!r} is not a party code", field="party",
                               id=self.name)
        if not 0.0 < self.coverage <= 1.0:
            raise InvalidInput(f"must lie in (0, 1], got {self.coverage!r}", field="coverage",
                               id=self.name)
        for field in ("time_shares", "place_shares"):
            shares = getattr(self, field)
            if shares is not None:
                size = 3 if field == "time_shares" else 4
                if len(shares) != size:
                    raise InvalidInput(f"needs {size} shares", field=field, id=self.name)
                _check_shares(tuple(shares), field)
        if not self.median_delay_hours > 0:
            raise InvalidInput("must be positive", field="median_delay_hours", id=self.name)

    def times(self, noise: NoiseModel) -> tuple[float, float, float]:
        return self.time_shares or noise.time_shares()

    def places(self, noise: NoiseModel) -> tuple[float, float, float, float]:
        return self.place_shares or noise.place_shares()

    @property
    def key_prefix(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.casefold()).strip("-") or "record"


# Coverages give about 2.3 distinct sources per event once every event has at least one
# and none more than four; habits follow what each kind of source publishes.
DEFAULT_SOURCES: tuple[SourceProfile, ...] = (
    # Daily bulletins naming settlements; reported the next day.
    SourceProfile("Russian reconciliation centre", "RU", 0.55,
                  time_shares=(0.30, 0.65, 0.05), place_shares=(0.40, 0.50, 0.06, 0.04),
                  median_delay_hours=20),
    # Officers on the ground with GPS and a watch.
    SourceProfile("Turkish field team", "TR", 0.45,
                  time_shares=(0.55, 0.41, 0.04), place_shares=(0.65, 0.29, 0.04, 0.02),
                  median_delay_hours=6),
    # Second-hand accounts relayed by liaison officers: coarser and later.
    SourceProfile("Iranian liaison office", "IR", 0.30,
                  time_shares=(0.20, 0.72, 0.08), place_shares=(0.35, 0.50, 0.10, 0.05),
                  median_delay_hours=36),
    SourceProfile("UN monitors", "UN", 0.35,
                  time_shares=(0.45, 0.50, 0.05), place_shares=(0.60, 0.33, 0.05, 0.02),
                  median_delay_hours=48),
    # A UCDP-GED-like dataset coded from the press: days, not hours; filed by the
    # secretariat, a week or so later.
    SourceProfile("Curated open-source dataset", "SEC", 0.60, keyed=True,
                  time_shares=(0.0, 0.94, 0.06), place_shares=(0.54, 0.35, 0.03, 0.08),
                  median_delay_hours=168),
)
