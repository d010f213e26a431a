"""The correlation engine's settings, in one place.

Every default is justified by the evaluation on the simulator's ground truth
(docs/correlation.md); the reach settings are chosen to cover the simulator's noise bounds,
which follow what real sources do, so the candidate stage meets every true pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ceasefire.domain.place import WherePrecision
from ceasefire.errors import InvalidInput

POINTS_CAP = 5.0
POINTS_FIELDS = {"place": "place_points", "time": "time_points", "type": "type_points",
                 "actors": "actor_points", "casualties": "casualty_points",
                 "source": "source_points", "narrative": "narrative_points"}
POINTS_SIZES = {"place_points": 13, "time_points": 13, "type_points": 6, "actor_points": 7,
                "casualty_points": 5, "source_points": 2, "narrative_points": 7}


@dataclass(frozen=True, slots=True)
class CorrelationSettings:
    # --- Reach: which reports are compared at all -------------------------------------
    exact_radius_km: float = 2.0
    """How far an "exact" point may lie from the event: a village centre, a GPS fix."""
    near_radius_km: float = 10.0
    """A place given by name (WherePrecision.NEAR): the event lies within this of the named
    place. UCDP allows "about 25 km"; the sources we model name the nearest village."""
    district_radius_km: float = 35.0
    """A district-level place without a known district: half a typical district's width."""
    governorate_radius_km: float = 120.0
    """A governorate-level place without a known governorate."""
    slack_km: float = 5.0
    """Added to the two places' radii: two points further apart than radius + radius +
    slack are never the same event."""
    slack_hours: float = 6.0
    """Gap allowed between two time spans: clock errors and local time against UTC."""
    coarsest_place: WherePrecision = WherePrecision.GOVERNORATE
    """Reports placed more coarsely than this are not correlated automatically."""
    longest_span_days: float = 7.0
    """Reports known only to a span longer than this (a month) are not correlated
    automatically: they would meet every report of their period."""

    # --- Scoring: points per level of each field (scoring.LEVELS names the levels) ------
    # Match weights learnt from the simulator's ground truth: log P(level | one event) -
    # log P(level | two events), over candidate pairs, capped at +-POINTS_CAP so that no
    # single field decides alone. `python -m bench.correlation_quality --fit` learns them
    # again (docs/correlation.md); the figures below are its output for seed 1 (the last
    # place level, two exact places apart, learnt alone: the rest of a refit moves the
    # simulator's figures both ways in the third decimal).
    place_points: tuple[float, ...] = (
        0.97, 3.08, 1.88, 0.49, 0.09, -0.65, -4.2, -5.0, -0.55, -1.24, -0.7, -5.0,
        -5.0)
    time_points: tuple[float, ...] = (
        2.46, 2.35, 2.35, 2.12, 0.78, -1.03, -3.15, 1.0, -1.52, 1.02, -3.31, -0.93, -5.0)
    type_points: tuple[float, ...] = (-3.05, -5.0, -2.46, 0.03, -0.36, 1.44)
    actor_points: tuple[float, ...] = (0.78, -5.0, -5.0, 0.45, -1.61, -5.0, 1.75)
    casualty_points: tuple[float, ...] = (-0.21, -5.0, -0.23, 1.54, 1.83)
    source_points: tuple[float, ...] = (0.13, -1.81)
    narrative_points: tuple[float, ...] = (-0.02, -2.18, -0.51, 0.62, 1.72, 2.31, 3.42)
    prior: float = -0.78
    """Log-odds that two candidate reports describe one event, before their fields."""
    threshold: float = -1.0
    """Two reports are linked when prior + points reaches this (0 is even odds)."""
    veto: float = -5.0
    """Two reports scoring at or below this are never put in one incident by links through
    others: it stops chains (A like B, B like C, C plainly not A) from joining events."""

    def __post_init__(self) -> None:
        for name in ("exact_radius_km", "near_radius_km", "district_radius_km",
                     "governorate_radius_km", "slack_km", "slack_hours",
                     "longest_span_days"):
            value = getattr(self, name)
            if not value > 0:
                raise InvalidInput(f"must be positive, got {value!r}", field=name)
        if not self.exact_radius_km < self.near_radius_km:
            # scoring tells an exact place from a named one by its radius
            raise InvalidInput(f"must be below near_radius_km ({self.near_radius_km})",
                               field="exact_radius_km")
        if not self.veto < self.threshold:
            raise InvalidInput(f"must be below the threshold ({self.threshold})", field="veto")
        for name, size in POINTS_SIZES.items():
            if len(getattr(self, name)) != size:
                raise InvalidInput(f"needs {size} values, one per level", field=name)

    def points(self) -> dict[str, NDArray[np.float64]]:
        """Points per level, by field (scoring.FIELDS)."""
        return {field: np.asarray(getattr(self, name), np.float64)
                for field, name in POINTS_FIELDS.items()}

    def radius_for(self, precision: WherePrecision) -> float:
        """The place radius when the admin area of a coarse place is not known."""
        return {WherePrecision.EXACT: self.exact_radius_km,
                WherePrecision.NEAR: self.near_radius_km,
                WherePrecision.DISTRICT: self.district_radius_km}.get(
                    precision, self.governorate_radius_km)
