"""The map drawn as SVG: admin areas shaded by their number of incidents (a choropleth),
the incidents as circles, one per grid cell that holds any (clusters), each a link to
the incidents it counts; the agreement's zones outlined and numbered; the seats of the
admin areas and the larger towns named, placed so that no name covers another.

Pure: counts and clusters in, a string out. Colours are colour-blind safe (ColorBrewer's
YlGnBu steps for counts, Okabe & Ito's palette for statuses), and nothing is told by
colour alone: every area and circle has a <title> (tooltip and screen readers) saying
its name and numbers, and the legends say what each colour means in words. Names come
from data, so the SVG is written by an autoescaping template.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from numpy.typing import NDArray

from ceasefire.domain.agreement import Zone
from ceasefire.domain.bulletin import STATUSES
from ceasefire.domain.words import count, moment, status_words
from ceasefire.geo.admin import syria
from ceasefire.outputs.charts import STATUS_COLOURS
from ceasefire.outputs.mapshapes import (
    CAPITAL,
    DISTRICT_SEAT,
    GOVERNORATE_SEAT,
    Projection,
    View,
    ZoneShape,
    outlines,
    view_places,
    zone_shape,
)

NONE_FILL = "#f2f2f2"  # areas without incidents
FILLS = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")  # YlGnBu
STATUS_FILLS = STATUS_COLOURS  # one palette for every chart and map
RADIUS = (4.0, 18.0)  # px: a single incident, the largest cluster


@dataclass(frozen=True)
class Cluster:
    """Incidents in one grid cell: their mean position and their count by status."""

    lon: float
    lat: float
    by_status: Mapping[str, int]
    place: str = ""  # where the mean position lies, in words
    area: str | None = None  # the narrowest area holding its incidents: its link's
    in_area: int = 0  # how many of its incidents that area holds (all, but at a border)
    listed: int = 0  # how many incidents the list of that area shows

    @property
    def incidents(self) -> int:
        return sum(self.by_status.values())

    @property
    def status(self) -> str:
        """The most frequent status (the more serious one on a tie, in STATUSES order)."""
        order = [s.value for s in STATUSES]
        return max(self.by_status, key=lambda s: (self.by_status[s], -order.index(s)))


@dataclass(frozen=True)
class Step:
    """One class of the choropleth: counts in [low, high] get `fill`."""

    low: int
    high: int
    fill: str

    @property
    def label(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


def steps(counts: Sequence[int]) -> list[Step]:
    """Classes at quantiles of the non-zero counts, rounded to two significant digits,
    so that each colour holds about as many areas and the legend reads plainly."""
    found = sorted(n for n in counts if n > 0)
    if not found:
        return []
    k = min(len(FILLS), len(set(found)))
    tops: list[int] = []
    for i in range(1, k + 1):
        top = _round_up(found[math.ceil(i * len(found) / k) - 1])
        if not tops or top > tops[-1]:
            tops.append(min(top, found[-1]) if i == k else top)
    tops[-1] = found[-1]
    fills = FILLS[len(FILLS) - len(tops):]  # fewer classes keep the darker colours
    lows = [1] + [t + 1 for t in tops[:-1]]
    return [Step(lo, hi, f) for lo, hi, f in zip(lows, tops, fills, strict=True) if lo <= hi]


def _round_up(n: int) -> int:
    if n < 100:
        return n
    unit = 10 ** (len(str(n)) - 2)
    return -(-n // unit) * unit


def fill_of(n: int, classes: Sequence[Step]) -> str:
    return next((s.fill for s in classes if n <= s.high), NONE_FILL) if n else NONE_FILL


@dataclass(frozen=True)
class Drawn:
    """A cluster as drawn: centre, radius, colour, label, tooltip and link."""

    x: float
    y: float
    r: float
    fill: str
    label: str
    title: str
    small_label: bool
    href: str | None = None


def _title(by_status: Mapping[str, int], place: str = "") -> str:
    n = sum(by_status.values())
    parts = ", ".join(f"{by_status[s.value]} {status_words(s.value, short=True)}"
                      for s in STATUSES
                      if by_status.get(s.value))
    near = f" around {place}" if place else ""
    return f"{n} incident{'s' if n != 1 else ''}{near}: {parts}"


LEVEL_WORDS = {1: "governorate", 2: "district", 3: "sub-district"}


def area_words(pcode: str) -> str:
    """An admin area as a reader names it: 'Idleb governorate', 'Al Bab sub-district
    (Aleppo)'."""
    areas = syria()
    area = areas.area(pcode)
    kind = LEVEL_WORDS.get(area.level, "area")
    if area.level == 1:
        return f"{area.name} {kind}"
    return f"{area.name} {kind} ({areas.area(areas.codes_for(pcode).adm1 or pcode).name})"


def _opens(c: Cluster) -> str:
    """What a circle's link shows, in words, against what the circle counts."""
    if c.area is None:
        return ""
    n, where = c.incidents, area_words(c.area)
    if c.listed == n == c.in_area:
        return f". Opens their list: {where}."
    these = "these" if c.in_area == n else f"{c.in_area} of these"
    return f". Opens the list of {where}: {count(c.listed, 'incident')}, {these} among them."


def drawn(clusters: Sequence[Cluster], p: Projection,
          link: Callable[[str], str] | None = None) -> list[Drawn]:
    """Largest first, so small circles are drawn over big ones and stay visible; with
    ``link``, each circle whose incidents lie in an area links to that area's list."""
    most = max((c.incidents for c in clusters), default=1)
    low, high = RADIUS
    out = []
    for c in sorted(clusters, key=lambda c: (-c.incidents, c.lon, c.lat)):
        r = low + (high - low) * math.sqrt((c.incidents - 1) / max(most - 1, 1))
        label = str(c.incidents) if c.incidents > 1 else ""
        href = link(c.area) if link and c.area else None
        title = _title(c.by_status, c.place) + (_opens(c) if href else "")
        out.append(Drawn(round(p.x(c.lon), 1), round(p.y(c.lat), 1), round(r, 1),
                         STATUS_FILLS[c.status], label, title,
                         small_label=r < 4 * len(label), href=href))
    return out


# --- names on the map ------------------------------------------------------------------------

Box = tuple[float, float, float, float]  # left, top, right, bottom, in px of the drawing
CHAR_EM = 0.6  # a generous average width of a character, in ems (system sans-serif)


@dataclass(frozen=True)
class Label:
    """A place named on the map: its marker at (x, y), its name at (tx, ty)."""

    x: float
    y: float
    tx: float
    ty: float
    anchor: str  # text-anchor: start, end, middle
    text: str
    size: float
    seat: bool  # a seat of a governorate (or the capital): written bolder
    capital: bool


@dataclass(frozen=True)
class Scale:
    """How large names are written, and how many: one set for a wide screen, one for a
    phone's, where the drawing is shrunk to a third and only the largest names stay."""

    seat: float  # font size of the capital's and the governorates' seats
    town: float
    most: int  # names at most
    least_rank: int  # the least rank named (mapshapes: CAPITAL ... SUB_DISTRICT_SEAT)
    counts_legible: bool  # whether names keep off the circles (on a phone they are dots)


WIDE = Scale(seat=15, town=12, most=32, least_rank=99, counts_legible=True)
NARROW = Scale(seat=32, town=28, most=16, least_rank=DISTRICT_SEAT, counts_legible=False)


def _array(boxes: Sequence[Box]) -> NDArray[np.float64]:
    return np.array(boxes, dtype=np.float64).reshape(-1, 4)


def _hits(boxes: NDArray[np.float64], others: NDArray[np.float64]) -> NDArray[np.int64]:
    """How many of ``others`` each of ``boxes`` overlaps (both n x 4: left, top, right,
    bottom): a few hundred comparisons at once, as numpy does them."""
    if not len(boxes) or not len(others):
        return np.zeros(len(boxes), dtype=np.int64)
    b, o = boxes[:, None, :], others[None, :, :]
    meet = (b[..., 0] < o[..., 2]) & (o[..., 0] < b[..., 2]) & (b[..., 1] < o[..., 3]) & \
        (o[..., 1] < b[..., 3])
    return meet.sum(axis=1)


def _text_box(x: float, y: float, anchor: str, text: str, size: float) -> Box:
    """The box of a text whose baseline starts (start), ends (end) or is centred
    (middle) at x, with the halo's width around it."""
    width = CHAR_EM * size * len(text)
    left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    return (left - 2, y - 0.8 * size - 2, left + width + 2, y + 0.25 * size + 2)


def labels(view: View, p: Projection, clusters: Sequence[Drawn], scale: Scale = WIDE,
           ) -> list[Label]:
    """The view's places, most important first, each named beside its marker on the
    first side (right, left, above, below, then the corners) where the name covers no
    name or marker placed before it, no seat's marker and nothing outside the drawing,
    and preferably no circle: a greedy placement, which keeps the seats and drops the
    towns that do not fit. A town's name may cross a circle but not its count; a seat's
    is written wherever it fits among the names."""
    frame: Box = (0, 0, p.width, p.height)
    shown = clusters if scale.counts_legible else []
    counts = _array([_text_box(c.x, c.y + 0.35 * 12, "middle", c.label, 12) for c in shown
                     if c.label])
    circles = _array([(c.x - c.r, c.y - c.r, c.x + c.r, c.y + c.r) for c in shown])
    candidates = [(place, round(p.x(place.lon), 1), round(p.y(place.lat), 1))
                  for place in view_places(view) if place.rank <= scale.least_rank]
    # The seats' markers are kept clear from the start: no town's name, nor an earlier
    # seat's, may cover where a seat is.
    seats = {place.name: _marker(x, y) for place, x, y in candidates
             if place.rank <= GOVERNORATE_SEAT}
    placed: list[Box] = []  # names and markers
    found: list[Label] = []
    for place, x, y in candidates:
        if len(found) >= scale.most:
            break
        seat = place.rank <= GOVERNORATE_SEAT
        size = scale.seat if seat else scale.town
        marker = _marker(x, y)
        if _hits(_array([marker]), _array(placed))[0]:
            continue
        others = [b for name, b in seats.items() if name != place.name]
        chosen = _side(place.name, x, y, size, frame, _array(placed + others), counts,
                       circles, seat=seat)
        if chosen is None:
            continue
        box, (tx, ty, anchor) = chosen
        placed += [marker, box]
        found.append(Label(x, y, round(tx, 1), round(ty, 1), anchor, place.name,
                           size, seat, place.rank == CAPITAL))
    return found


def _marker(x: float, y: float) -> Box:
    return (x - 4, y - 4, x + 4, y + 4)


AWAY = (1.0, 2.2, 3.5)  # how far off a name may stand, in gaps beside its marker


def _side(name: str, x: float, y: float, size: float, frame: Box,
          placed: NDArray[np.float64], counts: NDArray[np.float64],
          circles: NDArray[np.float64], *, seat: bool,
          ) -> tuple[Box, tuple[float, float, str]] | None:
    """Where the name of the place at (x, y) goes, with its box: beside the marker, or
    a little further off when every side nearby covers a circle's count; None when it
    does not fit (a seat fits wherever it covers no name, covering the fewest counts)."""
    sides = [side for away in AWAY for side in _sides(x, y, size, away)]
    boxes = _array([_text_box(tx, ty, anchor, name, size) for tx, ty, anchor in sides])
    inside = (boxes[:, 0] >= frame[0]) & (boxes[:, 1] >= frame[1]) & \
        (boxes[:, 2] <= frame[2]) & (boxes[:, 3] <= frame[3])
    fits = inside & (_hits(boxes, placed) == 0)
    on_counts = _hits(boxes, counts)
    clear = fits & (on_counts == 0)
    open_ = clear & (_hits(boxes, circles) == 0)
    per = len(sides) // len(AWAY)
    for start in range(0, len(sides), per):  # nearest first: open, else clear of counts
        for tier in (open_, clear):
            found = np.flatnonzero(tier[start:start + per])
            if len(found):
                i = start + int(found[0])
                return _box(boxes[i]), sides[i]
    if not seat or not fits.any():
        return None
    i = int(np.flatnonzero(fits)[np.argmin(on_counts[fits])])
    return _box(boxes[i]), sides[i]


def _box(row: NDArray[np.float64]) -> Box:
    left, top, right, bottom = (float(v) for v in row)
    return (left, top, right, bottom)


def _sides(x: float, y: float, size: float, away: float = 1.0,
           ) -> list[tuple[float, float, str]]:
    """Where a name may stand beside its marker at (x, y): its baseline's anchor."""
    gap, mid, corner = 0.45 * size * away, 0.35 * size, 0.3 * size * away
    return [(x + gap, y + mid, "start"), (x - gap, y + mid, "end"),
            (x, y - gap, "middle"), (x, y + gap + 0.75 * size, "middle"),
            (x + corner, y - corner, "start"), (x + corner, y + corner + 0.75 * size, "start"),
            (x - corner, y - corner, "end"), (x - corner, y + corner + 0.75 * size, "end")]


# --- the agreement's zones -------------------------------------------------------------------

@dataclass(frozen=True)
class ZoneDrawn:
    """A zone of the agreement as the map shows it: its number (its place in the
    agreement), its name, when it holds ("from …", or "from … to …" once it ended), and
    its outline in this view."""

    number: int
    name: str
    held: str
    shape: ZoneShape


@dataclass(frozen=True)
class Badge:
    """A zone's number on the map, in a white disc."""

    number: int
    x: float
    y: float
    r: float


def zones_drawn(view: View, zones: Sequence[Zone]) -> list[ZoneDrawn]:
    """The zones with any part in the view, numbered in the agreement's order."""
    found = []
    for number, zone in enumerate(zones, start=1):
        polygons = json.dumps(list(zone.area.polygons), sort_keys=True) \
            if zone.area.polygons else ""
        shape = zone_shape(view, tuple(sorted(zone.area.pcodes)), polygons)
        if shape is not None:
            end = zone.period.end
            held = f"from {moment(zone.period.start)}" + (f" to {moment(end)}" if end else "")
            found.append(ZoneDrawn(number, zone.name, held, shape))
    return found


def badges(zones: Sequence[ZoneDrawn], clusters: Sequence[Drawn], names: Sequence[Label],
           scale: Scale, drawing: tuple[float, float]) -> list[Badge]:
    """Each zone's number at the first of its spots (inside it, along its border, then
    around it) where it covers no circle, name or number, else no name or number;
    inside it when there is no such spot."""
    r = scale.town * 0.8
    width, height = drawing
    taken = [(c.x - c.r, c.y - c.r, c.x + c.r, c.y + c.r) for c in clusters]
    named = [_text_box(n.tx, n.ty, n.anchor, n.text, n.size) for n in names]
    named += [_marker(n.x, n.y) for n in names]
    found = []
    for z in zones:
        spots = _array([(x - r, y - r, x + r, y + r) for x, y in z.shape.spots])
        inside = (spots[:, 0] >= 0) & (spots[:, 1] >= 0) & (spots[:, 2] <= width) & \
            (spots[:, 3] <= height)
        spots = spots[inside] if inside.any() else spots[:1]
        unnamed = _hits(spots, _array(named)) == 0
        free = unnamed & (_hits(spots, _array(taken)) == 0)
        best = np.flatnonzero(free) if free.any() else np.flatnonzero(unnamed)
        box = _box(spots[int(best[0]) if len(best) else 0])
        taken.append(box)
        named.append(box)
        found.append(Badge(z.number, round(box[0] + r, 1), round(box[1] + r, 1), round(r, 1)))
    return found


# --- areas, the legend, the drawing ----------------------------------------------------------

@dataclass(frozen=True)
class Area:
    """One admin area of the view with its counts, as drawn."""

    pcode: str
    name: str
    name_ar: str
    by_status: Mapping[str, int]
    fill: str
    path: str
    href: str | None

    @property
    def incidents(self) -> int:
        return sum(self.by_status.values())

    @property
    def title(self) -> str:
        # The Arabic name isolated (FSI … PDI), so its right-to-left run does not
        # reorder the English text around it.
        arabic = f" (\u2068{self.name_ar}\u2069)" if self.name_ar else ""
        if not self.incidents:
            return f"{self.name}{arabic}: no incidents"
        return f"{self.name}{arabic}: {_title(self.by_status)}"


def areas(view: View, counts: Mapping[str, Mapping[str, int]],
          link: Callable[[str], str] | None = None) -> tuple[list[Area], list[Step]]:
    """The view's areas with their counts, colours and links, and the colour classes. Only
    the whole country's areas link (to their governorate's districts): a zoomed view is
    as far as the map goes."""
    paths = outlines(view)
    link = link if view.within is None else None
    named = {a.pcode: a for a in view.areas}
    shown = [named[pcode] for pcode in paths]  # in drawing order
    classes = steps([sum(counts.get(a.pcode, {}).values()) for a in shown])
    found = []
    for a in shown:
        by_status = counts.get(a.pcode, {})
        found.append(Area(a.pcode, a.name, a.name_ar, by_status,
                          fill_of(sum(by_status.values()), classes), paths[a.pcode],
                          link(a.pcode) if link else None))
    return found, classes


_templates = Environment(loader=PackageLoader("ceasefire.outputs", "templates"),
                         autoescape=select_autoescape(default=True, default_for_string=True),
                         undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class Legend:
    """What the map's colours, circles and outlines mean: drawn under the map in the
    SVG, or written beside it as HTML by a page (which a phone can read)."""

    classes: list[Step]
    none_fill: str
    statuses: list[tuple[str, str]]  # the statuses' words and colours, of circles drawn
    zones: list[ZoneDrawn]
    links: bool  # whether the circles link to their incidents

    @property
    def note(self) -> str:
        then = "select a circle for the list of its incidents" if self.links else \
            "hover or focus an area for its counts"
        return f"A circle's area grows with its number of incidents; {then}."


def legend_of(view: View, counts: Mapping[str, Mapping[str, int]],
              clusters: Sequence[Cluster], zones: Sequence[Zone] = (), *,
              links: bool = False) -> Legend:
    """The legend of the map ``svg`` draws from the same arguments."""
    _, classes = areas(view, counts)
    shown_as = {c.status for c in clusters}
    statuses = [(status_words(s.value, short=True), STATUS_FILLS[s.value]) for s in STATUSES
                if s.value in shown_as]
    return Legend(classes, NONE_FILL, statuses, zones_drawn(view, zones), links)


def svg(view: View, counts: Mapping[str, Mapping[str, int]], clusters: Sequence[Cluster],
        *, title: str, link: Callable[[str], str] | None = None,
        standalone: bool = False, cluster_link: Callable[[str], str] | None = None,
        zones: Sequence[Zone] = (), names: bool = True, legend: bool = True) -> str:
    """The map; ``link`` gives each area's link (None: no links); ``standalone`` adds
    the XML namespace a file of its own needs. ``cluster_link`` gives the link of the
    incident list narrowed to an area, for the circles; ``zones`` are outlined (an
    agreement's); ``names`` names the towns; ``legend`` draws the legend under the map
    (a page may write `legend_of` itself instead)."""
    p = Projection.of(view)
    shown, _ = areas(view, counts, link)
    key = legend_of(view, counts, clusters, zones, links=cluster_link is not None)
    circles = drawn(clusters, p, cluster_link)
    sets = [(kind, scale, *_names(view, p, tuple(circles), tuple(key.zones), scale, names))
            for kind, scale in (("wide", WIDE), ("narrow", NARROW))]
    return _templates.get_template("map.svg").render(
        p=p, areas=shown, clusters=circles, zones=key.zones, legend=key if legend else None,
        band=_band(key) if legend else 0, sets=sets, title=title, standalone=standalone)


@lru_cache(maxsize=64)
def _names(view: View, p: Projection, circles: tuple[Drawn, ...], zones: tuple[ZoneDrawn, ...],
           scale: Scale, names: bool) -> tuple[tuple[Label, ...], tuple[Badge, ...]]:
    """The names and the zones' numbers of a drawing, placed once for the same circles
    (a map seen again, by the same or another reader, places nothing)."""
    named = labels(view, p, circles, scale) if names else []
    return tuple(named), tuple(badges(zones, circles, named, scale, (p.width, p.height)))


def _band(key: Legend) -> int:
    """The height of the legend under the map: the colour classes, the statuses, a line
    per zone, the note."""
    return 16 + 46 + (46 if key.statuses else 0) + \
        (24 + 20 * len(key.zones) if key.zones else 0) + 24
