"""Admin areas as the candidate rule sees them: rasters of distance, not circles.

A report placed only "in Aleppo governorate" can be anywhere in that area. A circle holding
the area would do as its place, but a circle about an elongated governorate holds two or
three times the land, and as many unrelated reports meet it. So each area carries a raster
of how far every cell lies from it, and two areas the least distance between them. The
figures are lower bounds (the raster's cell size is taken off), so the rule they serve can
only meet more pairs than the exact geometry would, never fewer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, slots=True, eq=False)
class AreaGrid:
    codes: tuple[str, ...]  # P-codes; a report's `area` column indexes this
    distance_km: np.ndarray  # float32 (areas, rows, columns): at most the distance from
    # any point of the cell to the area; 0 inside it
    lon0: float  # west edge of the raster
    lat0: float  # south edge
    step_lon: float  # cell size in degrees
    step_lat: float
    gap_km: np.ndarray  # float32 (areas, areas): at most the distance between two areas
    bounds: np.ndarray  # float64 (areas, 4): west, south, east, north of each area
    index: Mapping[str, int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {c: k for k, c in enumerate(self.codes)})

    def __len__(self) -> int:
        return len(self.codes)


def no_areas() -> AreaGrid:
    """A grid without areas: every place is a circle."""
    return AreaGrid((), np.zeros((0, 1, 1), np.float32), 0.0, 0.0, 1.0, 1.0,
                    np.zeros((0, 0), np.float32), np.zeros((0, 4)))
