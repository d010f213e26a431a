"""Charts drawn on the server as plain geometry for SVG templates: no script, no style
attribute (the pages' CSP forbids both), readable without colour.

Statuses take the Okabe–Ito colours, which stay apart for the common colour-vision
deficiencies; every bar also carries its numbers in a <title>, and a table beside each
chart gives the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# Not blue or green: the map shades its areas in those (YlGnBu), and circles drawn over
# them must stand out.
STATUS_COLOURS = {
    "confirmed": "#D55E00",  # vermillion
    "disputed": "#E69F00",  # orange
    "pending": "#CC79A7",  # reddish purple
    "rejected": "#000000",
    "not-covered": "#777777",
}
STATUS_ORDER = tuple(STATUS_COLOURS)


@dataclass(frozen=True)
class Bar:
    """One stacked segment: a status's share of one bucket."""

    x: float
    y: float
    width: float
    height: float
    status: str
    count: int
    colour: str


@dataclass(frozen=True)
class Bucket:
    label: str  # the first day, ISO
    days: int
    counts: dict[str, int]
    x: float
    width: float

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class DayChart:
    width: int
    height: int
    top: int  # the largest bucket's total, the scale's end
    buckets: list[Bucket]
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # x, label along the time axis
    grid: list[tuple[float, int]]  # y, count along the vertical axis
    days_per_bucket: int


def bucket_days(span_days: int) -> int:
    """Days per bar: a bar a day up to three months, then a week, then thirty days."""
    return 1 if span_days <= 92 else 7 if span_days <= 730 else 30


def day_chart(by_day: Mapping[object, Mapping[str, int]], start: date, end: date, *,
              width: int = 880, height: int = 220, left: int = 44, bottom: int = 24,
              ) -> DayChart:
    """Stacked bars of incidents per day (or week, or thirty days) over [start, end)."""
    span = max(1, (end - start).days)
    step = bucket_days(span)
    firsts = [start + timedelta(days=d) for d in range(0, span, step)]
    counts: list[dict[str, int]] = [dict.fromkeys(STATUS_ORDER, 0) for _ in firsts]
    for day, cell in by_day.items():
        if isinstance(day, date) and start <= day < end:
            slot = counts[(day - start).days // step]
            for status, n in cell.items():
                slot[status] = slot.get(status, 0) + n
    top = max((sum(c.values()) for c in counts), default=0)
    scale_top = _nice(top)
    plot_w, plot_h = width - left - 8, height - bottom - 8
    slot_w = plot_w / len(firsts)
    gap = min(2.0, slot_w * 0.2)
    buckets, bars = [], []
    for first, cell, i in zip(firsts, counts, range(len(firsts)), strict=True):
        x = left + i * slot_w
        buckets.append(Bucket(first.isoformat(), step, {s: n for s, n in cell.items() if n},
                              x, slot_w))
        y: float = 8 + plot_h
        for status in STATUS_ORDER:
            n = cell.get(status, 0)
            if not n:
                continue
            h = plot_h * n / scale_top
            y -= h
            bars.append(Bar(round(x + gap / 2, 2), round(y, 2), round(slot_w - gap, 2),
                            round(h, 2), status, n, STATUS_COLOURS[status]))
    every = max(1, round(len(firsts) / 8))
    ticks = [(round(left + i * slot_w, 2), firsts[i].strftime("%d %b"))
             for i in range(0, len(firsts), every)]
    grid = [(round(8 + plot_h - plot_h * v / scale_top, 2), v)
            for v in _steps(scale_top)]
    return DayChart(width, height, top, buckets, bars, ticks, grid, step)


def _nice(top: int) -> int:
    """The scale's end: the next of 1, 2, 5 × 10ⁿ at or above the largest bar."""
    if top <= 0:
        return 1
    magnitude = 1
    while True:
        for m in (1, 2, 5):
            if m * magnitude >= top:
                return m * magnitude
        magnitude *= 10


def _steps(scale_top: int) -> list[int]:
    step = scale_top // 5 if scale_top >= 5 and scale_top % 5 == 0 else max(1, scale_top // 2)
    return list(range(0, scale_top + 1, step))


def share(count: int, most: int, *, width: float = 160.0) -> float:
    """A bar's length for a count, against the largest count in its table."""
    return round(width * count / most, 2) if most else 0.0


def ordered(cells: Mapping[str, int]) -> list[tuple[str, int]]:
    return [(s, cells.get(s, 0)) for s in STATUS_ORDER]


def segments(cells: Mapping[str, int], most: int, *, width: float = 160.0,
             ) -> Sequence[tuple[float, float, str, int, str]]:
    """A row's stacked bar: (x, width, status, count, colour) per status present."""
    x, out = 0.0, []
    for status, n in ordered(cells):
        if n:
            w = share(n, most, width=width)
            out.append((round(x, 2), w, status, n, STATUS_COLOURS[status]))
            x += w
    return out
