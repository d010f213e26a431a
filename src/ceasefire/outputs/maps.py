"""The map drawn as SVG: admin areas shaded by their number of incidents (a choropleth),
and the incidents as circles, one per grid cell that holds any (clusters).

Pure: counts and clusters in, a string out. Colours are colour-blind safe (ColorBrewer's
YlGnBu steps for counts, Okabe & Ito's palette for statuses), and nothing is told by
colour alone: every area and circle has a <title> (tooltip and screen readers) saying
its name and numbers, and the legends say what each colour means in words. Names come
from data, so the SVG is written by an autoescaping template.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ceasefire.domain.bulletin import STATUSES
from ceasefire.outputs.charts import STATUS_COLOURS
from ceasefire.outputs.mapshapes import Projection, View, outlines

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
    """A cluster as drawn: centre, radius, colour, label and tooltip."""

    x: float
    y: float
    r: float
    fill: str
    label: str
    title: str
    small_label: bool


def _title(by_status: Mapping[str, int], place: str = "") -> str:
    n = sum(by_status.values())
    parts = ", ".join(f"{by_status[s.value]} {s.value}" for s in STATUSES
                      if by_status.get(s.value))
    near = f" around {place}" if place else ""
    return f"{n} incident{'s' if n != 1 else ''}{near}: {parts}"


def drawn(clusters: Sequence[Cluster], p: Projection) -> list[Drawn]:
    """Largest first, so small circles are drawn over big ones and stay visible."""
    most = max((c.incidents for c in clusters), default=1)
    low, high = RADIUS
    out = []
    for c in sorted(clusters, key=lambda c: (-c.incidents, c.lon, c.lat)):
        r = low + (high - low) * math.sqrt((c.incidents - 1) / max(most - 1, 1))
        label = str(c.incidents) if c.incidents > 1 else ""
        out.append(Drawn(round(p.x(c.lon), 1), round(p.y(c.lat), 1), round(r, 1),
                         STATUS_FILLS[c.status], label, _title(c.by_status, c.place),
                         small_label=r < 4 * len(label)))
    return out


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


def svg(view: View, counts: Mapping[str, Mapping[str, int]], clusters: Sequence[Cluster],
        *, title: str, link: Callable[[str], str] | None = None,
        standalone: bool = False) -> str:
    """The map; ``link`` gives each area's link (None: no links); ``standalone`` adds
    the XML namespace a file of its own needs."""
    p = Projection.of(view)
    shown, classes = areas(view, counts, link)
    shown_as = {c.status for c in clusters}
    present = [s.value for s in STATUSES if s.value in shown_as]
    return _templates.get_template("map.svg").render(
        p=p, areas=shown, classes=classes, none_fill=NONE_FILL, clusters=drawn(clusters, p),
        statuses=[(s, STATUS_FILLS[s]) for s in present], title=title,
        standalone=standalone)
