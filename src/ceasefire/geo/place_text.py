"""What an officer may type for a place besides a name: a P-code ("SY0703") or
coordinates ("35.93, 36.63": latitude first, as map applications copy them)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ceasefire.domain.place import Point

_PCODE = re.compile(r"^\s*([A-Za-z]{2}(?:\d\d){1,3})\s*$")
_NUMBER = r"([-+]?\d{1,3}(?:\.\d+)?)\s*°?\s*([NSEW]?)"
_PAIR = re.compile(rf"^\s*{_NUMBER}\s*[,;/ ]\s*{_NUMBER}\s*$", re.I)


@dataclass(frozen=True, slots=True)
class Coordinates:
    """A pair of numbers: ``first`` as latitude and longitude, and ``swapped`` the other
    reading (None when hemisphere letters or the range leave only one)."""

    first: Point
    swapped: Point | None


def pcode_in(text: str) -> str | None:
    """The P-code ``text`` is, upper-cased ("sy0703" is SY0703); None if it is none."""
    found = _PCODE.match(text)
    return found.group(1).upper() if found else None


def coordinates_in(text: str) -> Coordinates | None:
    """The point ``text`` gives as two numbers, latitude first unless letters say
    otherwise ("36.63E 35.93N"); None if it is not two numbers or they cannot be one."""
    found = _PAIR.match(text)
    if found is None:
        return None
    a, a_side, b, b_side = found.groups()
    x, y = float(a), float(b)
    if a_side.upper() in "SN" and b_side.upper() in "EW" and (a_side or b_side):
        x, y = -x if a_side.upper() == "S" else x, -y if b_side.upper() == "W" else y
        return Coordinates(Point(y, x), None) if _fits(x, y) else None
    if a_side.upper() in "EW" and b_side.upper() in "SN" and (a_side or b_side):
        x, y = -x if a_side.upper() == "W" else x, -y if b_side.upper() == "S" else y
        return Coordinates(Point(x, y), None) if _fits(y, x) else None
    first = Point(y, x) if _fits(x, y) else None
    other = Point(x, y) if _fits(y, x) else None
    if first is None:
        return Coordinates(other, None) if other is not None else None
    return Coordinates(first, other if other != first else None)


def _fits(lat: float, lon: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lon <= 180
