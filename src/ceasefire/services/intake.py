"""What intake needs from the record: parties, actors and the places known by name; and
what the report form shows an officer (places to choose from, the map to pick one on, the
incident a sent report joined)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from ceasefire.domain.actors import normalise_name
from ceasefire.domain.place import AdminCodes, Point, WherePrecision
from ceasefire.domain.report import Report, admin_for_precision
from ceasefire.errors import InvalidInput
from ceasefire.geo.admin import COAST_SNAP_DEG, syria
from ceasefire.geo.gazetteer import Gazetteer, place_key, syria_gazetteer
from ceasefire.geo.place_text import Coordinates, coordinates_in, pcode_in
from ceasefire.geo.spelling import letters_apart
from ceasefire.intake.normalise import IntakeContext, PlaceEntry
from ceasefire.outputs.mapshapes import Projection, outlines, view_for
from ceasefire.services.correlation import incidents_of_reports
from ceasefire.store import imports
from ceasefire.store import incidents as incidents_store
from ceasefire.store import reports as reports_store
from ceasefire.store.reference import Reference, reference


@dataclass(frozen=True, slots=True)
class LearntEntry:
    point: Point
    admin: AdminCodes
    precision: WherePrecision = WherePrecision.EXACT


class Places:
    """The shipped gazetteer first; then names learnt from imported records."""

    def __init__(self, session: Session, gazetteer: Gazetteer) -> None:
        self._session = session
        self._gazetteer = gazetteer

    def resolve(self, text: str) -> PlaceEntry | None:
        entry = self._gazetteer.resolve(text)
        if entry is not None:
            return entry
        learnt = imports.places_keyed(self._session, place_key(text))
        if not learnt:
            return None
        best = min(learnt, key=lambda p: p.precision)  # the most precise source wins
        return LearntEntry(Point(best.lon, best.lat),
                           AdminCodes(best.adm1, best.adm2, best.adm3),
                           WherePrecision(best.precision))


def intake_context(session: Session, known: Reference | None = None) -> IntakeContext:
    known = known or reference(session)
    return IntakeContext(
        parties=frozenset(known.party_ids),
        actors=known.actors,
        admin=syria(),
        places=Places(session, syria_gazetteer()),
    )


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place a name, P-code or point may mean, for an officer to choose from."""

    name: str
    kind: str  # governorate, district, sub-district, town, locality, neighbourhood, region,
    # landmark, imported (learnt from imported records), point (typed or picked)
    point: Point
    admin: AdminCodes  # only as precise as the place allows
    precision: WherePrecision
    how: str = "exact"  # exact, variant, fuzzy; or pcode, point
    spelled: str = ""  # for a variant or fuzzy match: the place's name nearest the text
    letters: int = 0  # and how many letters the text is from it
    km_from_first: float | None = None  # from the first candidate, when it is elsewhere

    @property
    def taken_as_typed(self) -> bool:
        """What an officer typed names this place outright (its exact name, its P-code,
        its coordinates): it may be filed without a choice."""
        return self.how in ("exact", "pcode", "point")


_LEVEL_KIND = {1: "governorate", 2: "district", 3: "sub-district"}
_LEVEL_PRECISION = {1: WherePrecision.GOVERNORATE, 2: WherePrecision.DISTRICT,
                    3: WherePrecision.NEAR}
SAME_PLACE_KM = 5.0  # candidates closer than this to the first are not said to be elsewhere


def search_places(session: Session, text: str, *, limit: int = 8) -> list[Candidate]:
    """The places ``text`` may mean, best first: the admin area of a P-code; the point of
    coordinates (and the other reading of the pair when it too lies in the country); or
    the gazetteer's places by name, then names learnt from imported records. Raises
    InvalidInput for a P-code no area has, or a point outside the country."""
    pcode = pcode_in(text)
    if pcode is not None:
        return [_area_candidate(pcode)]
    pair = coordinates_in(text)
    if pair is not None:
        return _point_candidates(pair)
    found = [Candidate(m.entry.name, m.entry.kind, m.entry.point,
                       admin_for_precision(m.entry.admin, m.entry.precision),
                       m.entry.precision, m.how, m.spelled, m.letters)
             for m in syria_gazetteer().search(text, limit=limit)]
    if len(found) < limit and text.strip() and not any(c.taken_as_typed for c in found):
        for p in imports.places_keyed(session, place_key(text))[:limit - len(found)]:
            precision = WherePrecision(p.precision)
            found.append(Candidate(p.name, "imported", Point(p.lon, p.lat),
                                   admin_for_precision(AdminCodes(p.adm1, p.adm2, p.adm3),
                                                       precision),
                                   precision, "variant", p.name,
                                   letters_apart(normalise_name(text), normalise_name(p.name))))
    return _with_distances(found)


def _with_distances(found: list[Candidate]) -> list[Candidate]:
    if not found:
        return found
    first = found[0].point
    out = [found[0]]
    for c in found[1:]:
        km = distance_km(first, c.point)
        out.append(replace(c, km_from_first=round(km) if km >= SAME_PLACE_KM else None))
    return out


def distance_km(a: Point, b: Point) -> float:
    """The great-circle distance, on a sphere of the Earth's mean radius."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _area_candidate(pcode: str) -> Candidate:
    index = syria()
    if pcode not in index:
        raise InvalidInput(f"no admin area has the P-code {pcode}", field="place")
    area = index.area(pcode)
    entry = next(e for e in syria_gazetteer()
                 if e.kind == _LEVEL_KIND[area.level] and e.admin.finest == pcode)
    precision = _LEVEL_PRECISION[area.level]
    return Candidate(area.name, _LEVEL_KIND[area.level], entry.point,
                     admin_for_precision(index.codes_for(pcode), precision), precision,
                     "pcode", pcode)


def _point_candidates(pair: Coordinates) -> list[Candidate]:
    index = syria()
    found = []
    for point, how in ((pair.first, "point"), (pair.swapped, "swapped")):
        codes = index.locate(point, snap_deg=COAST_SNAP_DEG) if point is not None else None
        if point is not None and codes is not None:
            found.append(Candidate(f"{point.lat:g}, {point.lon:g}", "point", point, codes,
                                   WherePrecision.EXACT, how))
    if not found:
        point = pair.first
        raise InvalidInput(f"the point at latitude {point.lat:g}, longitude {point.lon:g} "
                           "lies outside Syria", field="place")
    if found[0].how == "swapped":  # only the other reading lies in the country
        found[0] = replace(found[0], how="point")
    return found


# --- a point picked on the map (an <input type="image">: the click's x, y) -------------

PICK_WIDTH = 320  # px: fixed, so a click's x, y are the drawing's own (fits 390 px screens)
_PICK_VIEW = view_for(None)


def pick_projection() -> Projection:
    return Projection.of(_PICK_VIEW, PICK_WIDTH)


def picked_point(x: float, y: float) -> Point:
    """The point under a click at ``x``, ``y`` px of the pick map."""
    p = pick_projection()
    if not (0 <= x <= p.width and 0 <= y <= p.height):
        raise InvalidInput("the map was clicked outside its drawing", field="place")
    return Point(round(p.west + x / (p.shrink * p.scale), 4), round(p.north - y / p.scale, 4))


def picked_candidates(x: float, y: float) -> list[Candidate]:
    """The point picked (known to within a few km: a pixel is about 2 km) and the known
    places within PICK_NEAR_KM of it, nearest first."""
    point = picked_point(x, y)
    codes = syria().locate(point, snap_deg=COAST_SNAP_DEG)
    if codes is None:
        raise InvalidInput("the point picked lies outside Syria", field="place")
    here = Candidate(f"{point.lat:g}, {point.lon:g}", "point", point, codes,
                     WherePrecision.NEAR, "point")
    near = sorted((distance_km(point, e.point), e.name, e) for e in syria_gazetteer()
                  if e.kind in ("town", "locality", "neighbourhood")
                  and distance_km(point, e.point) <= PICK_NEAR_KM)[:5]
    return [here, *(replace(Candidate(e.name, e.kind, e.point,
                                      admin_for_precision(e.admin, e.precision),
                                      e.precision, "near"), km_from_first=round(km))
                    for km, _, e in near)]


PICK_NEAR_KM = 10.0


def pick_map_svg() -> str:
    """The governorates and the main towns, drawn PICK_WIDTH px wide, to click on."""
    p = pick_projection()
    shapes = outlines(_PICK_VIEW, PICK_WIDTH)
    paths = "".join(f'<path d="{d}"/>' for d in shapes.values())
    towns = []
    for name in _PICK_TOWNS:
        entry = syria_gazetteer().resolve(name)
        if entry is not None:
            x, y = p.x(entry.point.lon), p.y(entry.point.lat)
            towns.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>'
                         f'<text x="{x + 4:.1f}" y="{y + 4:.1f}">{name}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{p.width:g}" '
            f'height="{p.height:g}" viewBox="0 0 {p.width:g} {p.height:g}">'
            f'<rect width="100%" height="100%" fill="#eef3f8"/>'
            f'<g fill="#fff" stroke="#57606a" stroke-width=".6">{paths}</g>'
            f'<g fill="#1b1f24" font-family="sans-serif" font-size="10">{"".join(towns)}</g>'
            "</svg>")


_PICK_TOWNS = ("Damascus", "Aleppo", "Homs", "Hama", "Idlib", "Latakia", "Raqqa",
               "Deir ez-Zor", "Hasakah", "Daraa", "Palmyra")


# --- what the officer is told after sending a report -----------------------------------

@dataclass(frozen=True, slots=True)
class Sent:
    report: Report
    incident: str | None  # the incident it joined or founded
    reports: int  # how many reports that incident holds, this one included


def sent_report(session: Session, uid: str) -> Sent:
    report = reports_store.get_report(session, uid=uid)
    incident = incidents_of_reports(session, [uid]).get(uid)
    count = 0
    if incident is not None:
        row = incidents_store.incident(session, incident)
        count = len(incidents_store.member_ids(session, [row.id]).get(row.id, []))
    return Sent(report, incident, count)
