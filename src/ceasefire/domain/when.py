"""When something happened, and how precisely we know it.

Sources rarely give an exact time: UCDP GED has ``date_prec`` (1 exact day … 5 year) and
ACLED ``time_precision`` (1 day, 2 week, 3 month). We keep the honest form: the earliest
and latest instant the event can have happened in, plus the precision the source claimed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from ceasefire.errors import InvalidInput


class TimePrecision(StrEnum):
    EXACT = "exact"  # to the minute, as from an eyewitness log
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"

    @classmethod
    def from_ucdp(cls, date_prec: int) -> TimePrecision:
        """UCDP GED date_prec: 1 day, 2 a span of 2-6 days, 3 week, 4 month, 5 year or more."""
        return _invalid_or(_FROM_UCDP, date_prec, "date_prec")

    @classmethod
    def from_acled(cls, time_precision: int) -> TimePrecision:
        """ACLED time_precision: 1 day, 2 week, 3 month."""
        return _invalid_or(_FROM_ACLED, time_precision, "time_precision")


_FROM_UCDP = {1: TimePrecision.DAY, 2: TimePrecision.WEEK, 3: TimePrecision.WEEK,
              4: TimePrecision.MONTH, 5: TimePrecision.YEAR}
_FROM_ACLED = {1: TimePrecision.DAY, 2: TimePrecision.WEEK, 3: TimePrecision.MONTH}


def _invalid_or(table: dict[int, TimePrecision], code: int, field: str) -> TimePrecision:
    try:
        return table[code]
    except KeyError:
        raise InvalidInput(f"{code!r} is not one of {sorted(table)}", field=field) from None


def moment(text: str, *, field: str) -> datetime:
    """A moment as given: a day (YYYY-MM-DD, its midnight UTC) or an ISO 8601 date-time
    with its UTC offset; anything else is refused naming the field."""
    given = text.strip()
    try:
        if len(given) == 10:
            return datetime.combine(date.fromisoformat(given), time.min, tzinfo=UTC)
        return utc(datetime.fromisoformat(given), field=field)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a day (YYYY-MM-DD) or a date-time with its "
                           "offset (2018-05-01T00:00:00+03:00)", field=field) from None


def utc(moment: datetime, *, field: str = "time") -> datetime:
    """Normalise an aware datetime to UTC; naive ones are refused, not guessed."""
    if moment.tzinfo is UTC:  # the common case, and bulk imports make it often
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput("time must carry a UTC offset (e.g. 2017-01-05T14:30:00+02:00)",
                           field=field)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(f"{moment.isoformat()} is out of range", field=field) from None


_TICK = timedelta(microseconds=1)  # "latest" is inclusive: the last instant of the span

# The record's calendar: every time it holds (an event's span, its arrival, a source's
# publication) lies in [CALENDAR_START, CALENDAR_END). Wide enough for any monitoring
# record and the simulator's century-long benchmark runs; narrow enough that a day's
# end, a week's Sunday, a month's last day or a time zone never leaves what Python's
# dates and both databases hold (year 9999 is the edge of Python's).
CALENDAR_START = datetime(1900, 1, 1, tzinfo=UTC)
CALENDAR_END = datetime(2200, 1, 1, tzinfo=UTC)
FIRST_DAY, LAST_DAY = CALENDAR_START.date(), (CALENDAR_END - timedelta(days=1)).date()
CALENDAR = f"{FIRST_DAY} to {LAST_DAY}"


def check_day(day: date, *, field: str) -> date:
    """A day of the record's calendar, or an error naming the field."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(f"{day} is outside the record's calendar ({CALENDAR})", field=field)
    return day


def check_moment(moment: datetime, *, field: str) -> datetime:
    """An instant of the record's calendar (aware), or an error naming the field."""
    if not CALENDAR_START <= moment < CALENDAR_END:
        raise InvalidInput(f"{moment.isoformat()} is outside the record's calendar "
                           f"({CALENDAR})", field=field)
    return moment


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class When:
    earliest: datetime
    latest: datetime
    precision: TimePrecision

    def __post_init__(self) -> None:
        object.__setattr__(self, "earliest", utc(self.earliest, field="earliest"))
        object.__setattr__(self, "latest", utc(self.latest, field="latest"))
        if self.latest < self.earliest:
            raise InvalidInput("latest is before earliest", field="latest")
        check_moment(self.earliest, field="earliest")
        check_moment(self.latest, field="latest")

    @classmethod
    def exact(cls, moment: datetime) -> When:
        return cls(moment, moment, TimePrecision.EXACT)

    @classmethod
    def on_day(cls, day: date) -> When:
        return cls.between_days(day, day, TimePrecision.DAY)

    @classmethod
    def in_week(cls, day: date) -> When:
        """The ISO week (Monday to Sunday) holding ``day``."""
        monday = day - timedelta(days=day.weekday())
        return cls.between_days(monday, monday + timedelta(days=6), TimePrecision.WEEK)

    @classmethod
    def in_month(cls, year: int, month: int) -> When:
        start = _day_start(date(year, month, 1))
        following = date(year + month // 12, month % 12 + 1, 1)
        return cls(start, _day_start(following) - _TICK, TimePrecision.MONTH)

    @classmethod
    def between_days(cls, first: date, last: date, precision: TimePrecision) -> When:
        """A span of whole days, as UCDP gives with ``date_start``/``date_end``."""
        return cls(_day_start(first), _day_start(last + timedelta(days=1)) - _TICK, precision)

    @property
    def midpoint(self) -> datetime:
        return self.earliest + (self.latest - self.earliest) / 2

    def overlaps(self, start: datetime, end: datetime | None) -> bool:
        """Whether any instant of this span falls in [start, end) (end None: open)."""
        return self.latest >= start and (end is None or self.earliest < end)

    def within(self, start: datetime, end: datetime | None) -> bool:
        """Whether every instant of this span falls in [start, end)."""
        return self.earliest >= start and (end is None or self.latest < end)


@dataclass(frozen=True, slots=True)
class Period:
    """[start, end) in UTC: an agreement's or a zone's time in force (end None: not ended
    yet), or a bulletin's days (an incident belongs to the period its earliest moment
    falls in)."""

    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", utc(self.start, field="start"))
        if self.end is not None:
            object.__setattr__(self, "end", utc(self.end, field="end"))
            if self.end <= self.start:
                raise InvalidInput(f"the period ends ({self.end:%Y-%m-%d}) before it starts "
                                   f"({self.start:%Y-%m-%d})", field="end")

    def overlaps(self, when: When) -> bool:
        return when.overlaps(self.start, self.end)

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment and (self.end is None or moment < self.end)

    def meets(self, other: Period) -> bool:
        """Whether the two periods share an instant."""
        return ((self.end is None or other.start < self.end)
                and (other.end is None or self.start < other.end))

    def bounds(self) -> tuple[datetime, datetime]:
        """Start and end of a period that has ended (a bulletin's): an open one is refused."""
        if self.end is None:
            raise InvalidInput("an open-ended period has no length", field="end")
        return self.start, self.end

    def before(self) -> Period:
        """The period of the same length just before (a bulletin's change is on it)."""
        start, end = self.bounds()
        return Period(start - (end - start), start)
