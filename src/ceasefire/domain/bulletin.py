"""What a bulletin counts: the incidents of a period, by status, by governorate and by
reporting party, with the change on the period before and the incidents to read first.

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


def days(first: date, last: date | None = None) -> Period:
    """The days from `first` to `last` inclusive (one day without `last`), in UTC."""
    last = first if last is None else last
    start = datetime.combine(first, time.min, tzinfo=UTC)
    return Period(start, datetime.combine(last, time.min, tzinfo=UTC) + timedelta(days=1))


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


@dataclass(frozen=True)
class Tally:
    incidents: int
    by_status: dict[str, int]
    by_governorate: dict[str, dict[str, int]]  # P-code (or "unknown") -> status -> count
    by_party: dict[str, dict[str, int]]  # reporting party -> status -> count
    killed: int

    @classmethod
    def of(cls, lines: Iterable[IncidentLine]) -> Tally:
        lines = list(lines)
        by_status = Counter(line.status.value for line in lines)
        governorates: dict[str, Counter[str]] = {}
        parties: dict[str, Counter[str]] = {}
        for line in lines:
            governorates.setdefault(line.adm1 or "unknown", Counter())[line.status.value] += 1
            for party in line.parties:
                parties.setdefault(party, Counter())[line.status.value] += 1
        return cls(len(lines), _in_order(by_status),
                   {k: _in_order(v) for k, v in sorted(governorates.items())},
                   {k: _in_order(v) for k, v in sorted(parties.items())},
                   sum(line.killed for line in lines))


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

    @property
    def change(self) -> Change:
        keys = dict.fromkeys([*self.tally.by_status, *self.previous.by_status])
        return Change(self.tally.incidents - self.previous.incidents,
                      {k: self.tally.by_status.get(k, 0) - self.previous.by_status.get(k, 0)
                       for k in keys})


NOTABLE = 5


def notable(lines: Sequence[IncidentLine], count: int = NOTABLE) -> list[IncidentLine]:
    """The incidents to read first, confirmed ones only (a bulletin names an incident once
    the guarantors have confirmed it; the rest it counts): the most killed, the most
    reports, the earliest; ties broken by id, so the list is stable."""
    confirmed = [x for x in lines if x.status is Status.CONFIRMED]
    return sorted(confirmed, key=lambda x: (-x.killed, -x.reports, x.earliest,
                                            x.incident))[:count]


def bulletin(agreement: str, period: Period, lines: Iterable[IncidentLine],
             earlier: Iterable[IncidentLine]) -> Bulletin:
    mine = [x for x in lines if period.holds(x.earliest)]
    before = period.before()
    return Bulletin(agreement, period, Tally.of(mine),
                    Tally.of(x for x in earlier if before.holds(x.earliest)), notable(mine))
