"""Where something happened, and how precisely we know it.

``WherePrecision`` follows UCDP GED ``where_prec`` (1 exact … 7 international waters or
airspace), the most widely used scale; admin codes are OCHA P-codes (e.g. SY02, SY0200,
SY020000), the codes humanitarian partners already share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from ceasefire.errors import InvalidInput


class WherePrecision(IntEnum):
    EXACT = 1  # the exact location is known
    NEAR = 2  # within about 25 km of the point
    DISTRICT = 3  # only the second-order admin area (district) is known
    GOVERNORATE = 4  # only the first-order admin area (governorate) is known
    REGION = 5  # a region: part of a governorate ("northern Hama countryside"), a line
    # (a road, a river) or an area larger than a governorate
    COUNTRY = 6  # only the country is known: located in no governorate
    WATERS = 7  # international waters or airspace

    @classmethod
    def from_acled(cls, geo_precision: int) -> WherePrecision:
        """ACLED geo_precision: 1 the named place, 2 near it or a part of a region,
        3 only a larger region (ACLED then codes its capital)."""
        table = {1: cls.EXACT, 2: cls.NEAR, 3: cls.GOVERNORATE}
        if geo_precision not in table:
            raise InvalidInput(f"{geo_precision!r} is not one of [1, 2, 3]",
                               field="geo_precision")
        return table[geo_precision]


@dataclass(frozen=True, slots=True)
class Point:
    lon: float
    lat: float

    def __post_init__(self) -> None:
        if not -180.0 <= self.lon <= 180.0:
            raise InvalidInput(f"longitude {self.lon} is outside -180..180", field="lon")
        if not -90.0 <= self.lat <= 90.0:
            raise InvalidInput(f"latitude {self.lat} is outside -90..90", field="lat")


# An OCHA P-code: ISO alpha-2 country code and two digits per admin level.
_PCODE = re.compile(r"^[A-Z]{2}(\d\d){1,4}$")


def admin_level(pcode: str) -> int:
    """The admin level of a P-code by its length: SY02 → 1, SY0200 → 2, SY020000 → 3."""
    if not _PCODE.match(pcode):
        raise InvalidInput(f"{pcode!r} is not a P-code (like SY02, SY0200, SY020000)",
                           field="pcode")
    return (len(pcode) - 2) // 2


@dataclass(frozen=True, slots=True)
class AdminCodes:
    """The admin areas (P-codes) a place lies in; each level is optional, coarser first."""

    adm1: str | None = None
    adm2: str | None = None
    adm3: str | None = None

    def __post_init__(self) -> None:
        parent = None
        for level, code in enumerate((self.adm1, self.adm2, self.adm3), start=1):
            if code is None:
                continue
            field = f"adm{level}"
            if admin_level(code) != level:
                raise InvalidInput(f"{code!r} is not a level-{level} P-code", field=field)
            if parent is not None and not code.startswith(parent):
                raise InvalidInput(f"{code!r} does not lie in {parent!r}", field=field)
            parent = code

    @property
    def finest(self) -> str | None:
        return self.adm3 or self.adm2 or self.adm1

    def codes(self) -> tuple[str, ...]:
        return tuple(c for c in (self.adm1, self.adm2, self.adm3) if c)

    def within(self, pcode: str) -> bool:
        """Whether this place lies in the admin area ``pcode`` (at any level)."""
        finest = self.finest
        return finest is not None and finest.startswith(pcode) and len(finest) >= len(pcode)


@dataclass(frozen=True, slots=True)
class Place:
    point: Point | None
    precision: WherePrecision
    admin: AdminCodes = AdminCodes()
    name: str | None = None

    def __post_init__(self) -> None:
        if self.point is None and not self.admin.codes() and not self.name:
            raise InvalidInput("a place needs a point, an admin P-code or a name", field="place")
