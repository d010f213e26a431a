"""The words a reader sees for the record's codes: pages, bulletins and the command line
say "air or drone strike" and "not covered by the agreement", never `air_strike` or
`not-covered`. Codes stay in the API and the exports, where programs read them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ceasefire.domain.agreement import Position
from ceasefire.domain.parties import Role
from ceasefire.domain.status import Status
from ceasefire.domain.taxonomy import ViolationType

STATUS_WORDS: dict[Status, str] = {
    Status.CONFIRMED: "confirmed",
    Status.DISPUTED: "disputed",
    Status.PENDING: "awaiting verdicts",
    Status.REJECTED: "rejected",
    Status.NOT_COVERED: "not covered by the agreement",
}
# Short forms, for table headings and legends where the long one does not fit.
STATUS_SHORT: dict[Status, str] = {**STATUS_WORDS, Status.PENDING: "pending",
                                   Status.NOT_COVERED: "not covered"}
POSITION_WORDS: dict[Position, str] = {
    Position.CONFIRM: "confirm: a violation", Position.REJECT: "reject: no violation",
    Position.ABSTAIN: "abstain"}
ROLE_WORDS: dict[Role, str] = {
    Role.GUARANTOR: "guarantor officer", Role.OBSERVER: "observer",
    Role.SECRETARIAT: "secretariat", Role.ANALYST: "analyst"}


def status_words(code: str, *, short: bool = False) -> str:
    """A status in words; a code this version does not know is shown as it is."""
    try:
        status = Status(code)
    except ValueError:
        return code
    return (STATUS_SHORT if short else STATUS_WORDS)[status]


def violation_words(code: str) -> str:
    """A violation type in words, in lower case to sit inside a sentence."""
    try:
        label = ViolationType(code).label
    except ValueError:
        return code.replace("_", " ")
    return label[0].lower() + label[1:]


def position_words(code: str) -> str:
    try:
        return POSITION_WORDS[Position(code)]
    except ValueError:
        return code


def role_words(code: str) -> str:
    try:
        return ROLE_WORDS[Role(code)]
    except ValueError:
        return code


# The incident list's orders (services.overview.ORDERS).
ORDER_WORDS: dict[str, str] = {
    "newest": "newest event first", "deaths": "most deaths first",
    "deadline": "nearest deadline first, then the rest newest first"}


def order_words(code: str) -> str:
    return ORDER_WORDS.get(code, code)


def deadline_words(deadline: datetime, now: datetime) -> str:
    """A verdict deadline as a list shows it: '5 Jan 2017 14:00 UTC, 31 h left', or
    'overdue since ...' once it has passed."""
    when = f"{deadline.astimezone(UTC):%-d %b %Y %H:%M} UTC"
    if deadline <= now:
        return f"overdue since {when}"
    hours = int((deadline - now).total_seconds() // 3600)
    return f"{when}, {hours} h left" if hours else f"{when}, under an hour left"


def with_article(noun: str) -> str:
    """'an analyst', 'a guarantor officer': by the first letter, which serves these words."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def count(n: int, noun: str, plural: str | None = None, *, grouped: bool = True) -> str:
    """'1 report', '3 reports', '1,512 incidents' ('1512 incidents' not grouped, as a
    command's output says it, for the scripts that read it)."""
    number = f"{n:,}" if grouped else str(n)
    return f"{number} {noun if n == 1 else plural or noun + 's'}"


def moment(value: datetime | None) -> str:
    """A time as a reader says it, to the minute and in UTC: '5 January 2017, 14:00 UTC'."""
    if value is None:
        return "never"
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return f"{value.day} {value:%B %Y, %H:%M} UTC"


def day_words(value: date) -> str:
    """A day as it is written: '2 July 2017'."""
    return f"{value.day} {value:%B %Y}"


def days_words(first: date, last: date) -> str:
    """A span of days: 'on 2 July 2017', 'from 1 to 31 January 2017',
    'from 30 December 2016 to 5 January 2017'."""
    if first == last:
        return f"on {day_words(first)}"
    if (first.year, first.month) == (last.year, last.month):
        return f"from {first.day} to {day_words(last)}"
    if first.year == last.year:
        return f"from {first.day} {first:%B} to {day_words(last)}"
    return f"from {day_words(first)} to {day_words(last)}"


_SMALL = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number_words(n: int) -> str:
    """'three' for 3, as in 'all three guarantors'; numerals from 11."""
    return _SMALL[n] if 0 <= n < len(_SMALL) else f"{n:,}"


def listing(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}" \
        if items else ""


PLACE_KIND_WORDS: dict[str, str] = {
    "locality": "village or town", "imported": "a name learnt from imported records",
    "point": "the point given", "landmark": "landmark"}


def place_kind_words(kind: str) -> str:
    """What kind of place a gazetteer entry or a search's candidate is, in words."""
    return PLACE_KIND_WORDS.get(kind, kind)


def sentence(text: str) -> str:
    """The first letter in capitals and the rest as written ('IED' stays 'IED')."""
    return text[:1].upper() + text[1:]


def span(earliest: datetime, latest: datetime) -> str:
    """A time span as a reader says it: '31 January 2017' for one whole day, '1 to 7
    January 2017' for whole days, and to the minute otherwise, in UTC."""
    earliest, latest = earliest.astimezone(UTC), latest.astimezone(UTC)
    whole_days = earliest.time() == datetime.min.time() and (
        latest + timedelta(microseconds=1)).time() == datetime.min.time()
    if whole_days:
        if earliest.date() == latest.date():
            return day_words(earliest)
        return f"{day_words(earliest)} to {day_words(latest)}"
    if earliest == latest:
        return moment(earliest)
    if earliest.date() == latest.date():
        return f"{day_words(earliest)}, {earliest:%H:%M} to {latest:%H:%M} UTC"
    return f"{moment(earliest)} to {moment(latest)}"


RULE_WORDS: dict[str, str] = {
    "in-force": "In force then", "area": "In the area covered", "terms": "Terms that apply",
    "prohibited": "A prohibited act", "excluded-actors": "No excluded actor"}


def rule_words(code: str) -> str:
    """An assessment rule's name (domain.assessment.Rule), as a table heading."""
    return RULE_WORDS.get(code, code)


def an_account(role: str) -> str:
    """'an analyst account', 'a secretariat account': for what a role may not do."""
    return f"{with_article(role_words(role))} account"
