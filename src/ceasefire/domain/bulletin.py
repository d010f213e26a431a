"""What a bulletin counts: the incidents of a period, by status, day, governorate, zone,
reporting party and attributed actor, the deaths by status, the change on the period
before and the incidents to read first.

Pure: the service gathers one line per incident and agreement; everything counted here
is a function of those lines, so a bulletin's numbers can be held to an independent
count of the record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from ceasefire.domain.status import Status
from ceasefire.domain.when import Period, check_day
from ceasefire.errors import InvalidInput

STATUSES = (Status.CONFIRMED, Status.DISPUTED, Status.PENDING, Status.REJECTED,
            Status.NOT_COVERED)


def day(text: str, *, field: str) -> date:
    """A day as given (YYYY-MM-DD), or an error naming the field."""
    try:
        found = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)", field=field) from None
    return check_day(found, field=field)


def days(first: date, last: date | None = None, *, field: str = "to") -> Period:
    """The days from `first` to `last` inclusive (one day without `last`), in UTC; a
    `last` before `first` is refused naming both days and `field`."""
    if last is not None and last < first:
        raise InvalidInput(f"the last day ({last}) is before the first ({first})", field=field)
    last = first if last is None else last
    start = datetime.combine(first, time.min, tzinfo=UTC)
    return Period(start, datetime.combine(last, time.min, tzinfo=UTC) + timedelta(days=1))


def ended(period: Period, now: datetime, *, field: str) -> None:
    """Refuse a period whose last day is not over at `now`: a bulletin for it would count
    days still to come as days without incidents."""
    end = period.bounds()[1]
    if end > now:
        last = (end - timedelta(days=1)).date()
        raise InvalidInput(f"the last day {last} has not ended yet (it ends at "
                           f"{end:%Y-%m-%d %H:%M} UTC): a bulletin counts days that are over",
                           field=field)


NOT_ATTRIBUTED = "(not attributed)"  # confirmed, but no guarantor named an actor
ATTRIBUTION_DIFFERS = "(guarantors differ)"  # the confirming guarantors named different actors


def attribution(named: Iterable[str | None]) -> str:
    """Whom a confirmed incident is attributed to, from the actors its guarantors' latest
    confirming verdicts name (None: named none): the one actor they name, or neither."""
    actors = {a for a in named if a}
    if not actors:
        return NOT_ATTRIBUTED
    return actors.pop() if len(actors) == 1 else ATTRIBUTION_DIFFERS


@dataclass(frozen=True, slots=True)
class IncidentLine:
    """One incident under one agreement, as the bulletin counts it."""

    incident: str
    earliest: datetime
    adm1: str | None  # governorate P-code
    violation: str
    status: Status
    parties: tuple[str, ...]  # the parties whose reports it holds
    reports: int
    killed: int  # the highest best estimate among its reports
    adm2: str | None = None
    adm3: str | None = None
    lon: float | None = None
    lat: float | None = None
    terms: str | None = None  # the agreement's or a zone's code (None: not assessed)
    attributed: str | None = None  # confirmed ones: `attribution` of their verdicts


@dataclass(frozen=True)
class Tally:
    incidents: int
    by_status: dict[str, int]
    by_governorate: dict[str, dict[str, int]]  # P-code (or "unknown") -> status -> count
    by_party: dict[str, dict[str, int]]  # reporting party -> status -> count
    killed: int
    killed_by_status: dict[str, int] = field(default_factory=dict)
    by_day: dict[date, dict[str, int]] = field(default_factory=dict)  # UTC day -> status
    by_zone: dict[str, dict[str, int]] = field(default_factory=dict)  # terms ("" none)
    # confirmed incidents by `attribution`: actor code (or NOT_ATTRIBUTED, ...) -> count
    by_attribution: dict[str, int] = field(default_factory=dict)
    killed_by_attribution: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, lines: Iterable[IncidentLine]) -> Tally:
        lines = list(lines)
        by_status = Counter(line.status.value for line in lines)
        killed: Counter[str] = Counter()
        groups: dict[str, dict[str, Counter[str]]] = {
            "adm1": {}, "party": {}, "zone": {}}
        by_day: dict[date, Counter[str]] = {}
        attributed: Counter[str] = Counter()
        attributed_killed: Counter[str] = Counter()
        for line in lines:
            status = line.status.value
            killed[status] += line.killed
            groups["adm1"].setdefault(line.adm1 or "unknown", Counter())[status] += 1
            groups["zone"].setdefault(line.terms or "", Counter())[status] += 1
            for party in line.parties:
                groups["party"].setdefault(party, Counter())[status] += 1
            by_day.setdefault(line.earliest.astimezone(UTC).date(), Counter())[status] += 1
            if line.status is Status.CONFIRMED:
                who = line.attributed or NOT_ATTRIBUTED
                attributed[who] += 1
                attributed_killed[who] += line.killed
        order = sorted(attributed, key=lambda a: (-attributed[a], a))
        return cls(len(lines), _in_order(by_status),
                   {k: _in_order(v) for k, v in sorted(groups["adm1"].items())},
                   {k: _in_order(v) for k, v in sorted(groups["party"].items())},
                   sum(line.killed for line in lines),
                   {s.value: killed[s.value] for s in STATUSES if by_status[s.value]},
                   {k: _in_order(v) for k, v in sorted(by_day.items())},
                   {k: _in_order(v) for k, v in sorted(groups["zone"].items())},
                   {a: attributed[a] for a in order},
                   {a: attributed_killed[a] for a in order})


def _in_order(counts: Counter[str]) -> dict[str, int]:
    return {s.value: counts[s.value] for s in STATUSES if counts[s.value]}


@dataclass(frozen=True)
class Change:
    incidents: int  # this period minus the one before
    by_status: dict[str, int]


@dataclass(frozen=True)
class Bulletin:
    agreement: str
    period: Period
    tally: Tally
    previous: Tally
    notable: list[IncidentLine] = field(default_factory=list)
    confirmed: list[IncidentLine] = field(default_factory=list)  # all of them (the map)

    @property
    def change(self) -> Change:
        keys = dict.fromkeys([*self.tally.by_status, *self.previous.by_status])
        return Change(self.tally.incidents - self.previous.incidents,
                      {k: self.tally.by_status.get(k, 0) - self.previous.by_status.get(k, 0)
                       for k in keys})


NOTABLE = 10


def notable(lines: Sequence[IncidentLine], count: int = NOTABLE) -> list[IncidentLine]:
    """The incidents to read first, confirmed ones only (a bulletin names an incident once
    the guarantors have confirmed it; the rest it counts): the deadliest first, then the
    most reported, the earliest; ties broken by id, so the list is stable."""
    confirmed = [x for x in lines if x.status is Status.CONFIRMED]
    return sorted(confirmed, key=lambda x: (-x.killed, -x.reports, x.earliest,
                                            x.incident))[:count]


def bulletin(agreement: str, period: Period, lines: Iterable[IncidentLine],
             earlier: Iterable[IncidentLine]) -> Bulletin:
    mine = [x for x in lines if period.holds(x.earliest)]
    before = period.before()
    return Bulletin(agreement, period, Tally.of(mine),
                    Tally.of(x for x in earlier if before.holds(x.earliest)), notable(mine),
                    [x for x in mine if x.status is Status.CONFIRMED])
