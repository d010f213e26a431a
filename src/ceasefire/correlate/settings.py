"""The correlation engine's settings, in one place.

Every default is justified by the evaluation on the simulator's ground truth
(docs/correlation.md); the reach settings are chosen to cover the simulator's noise bounds,
which follow what real sources do, so the candidate stage meets every true pair.
"""

from __future__ import annotations

from dataclasses import dataclass

from ceasefire.domain.place import WherePrecision
from ceasefire.errors import InvalidInput


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

    # --- Scoring: weights of each field's similarity (each in -1..1) ---------------------
    # Fitted by logistic regression on the candidate pairs of a simulation (seed 1, 2,000
    # events over 180 days: the density of the UCDP GED record for Syria) and rounded; the
    # threshold gave the best pairwise F1 on seeds 2 and 3. `python -m bench.correlation_quality`
    # repeats the evaluation (docs/correlation.md).
    place_weight: float = 2.5
    time_weight: float = 8.8
    type_weight: float = 4.0
    actor_weight: float = 3.2
    casualty_weight: float = 2.3
    narrative_weight: float = 1.3
    place_scale_km: float = 4.0
    """A combined place uncertainty of this size halves the weight of agreeing places."""
    time_scale_hours: float = 4.0
    """A combined time uncertainty of this size halves the weight of agreeing times."""
    threshold: float = 6.5
    """Two reports are linked when their weighted score reaches this."""

    def __post_init__(self) -> None:
        for name in ("exact_radius_km", "near_radius_km", "district_radius_km",
                     "governorate_radius_km", "slack_km", "slack_hours", "longest_span_days",
                     "place_scale_km", "time_scale_hours"):
            value = getattr(self, name)
            if not value > 0:
                raise InvalidInput(f"must be positive, got {value!r}", field=name)
        for name in ("place_weight", "time_weight", "type_weight", "actor_weight",
                     "casualty_weight", "narrative_weight"):
            if getattr(self, name) < 0:
                raise InvalidInput("must not be negative", field=name)

    def radius_for(self, precision: WherePrecision) -> float:
        """The place radius when the admin area of a coarse place is not known."""
        return {WherePrecision.EXACT: self.exact_radius_km,
                WherePrecision.NEAR: self.near_radius_km,
                WherePrecision.DISTRICT: self.district_radius_km}.get(
                    precision, self.governorate_radius_km)
