from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ceasefire.domain import TimePrecision, When
from ceasefire.errors import InvalidInput

DAMASCUS_WINTER = timezone(timedelta(hours=2))


def test_exact_time_is_normalised_to_utc():
    when = When.exact(datetime(2016, 12, 30, 0, 0, tzinfo=DAMASCUS_WINTER))
    assert when.earliest == datetime(2016, 12, 29, 22, 0, tzinfo=UTC)
    assert when.earliest.tzinfo is UTC and when.precision is TimePrecision.EXACT


def test_naive_time_is_refused_not_guessed():
    with pytest.raises(InvalidInput, match="UTC offset"):
        When.exact(datetime(2017, 1, 5, 12, 0))


def test_day_spans_the_whole_utc_day():
    when = When.on_day(date(2017, 1, 5))
    assert when.earliest == datetime(2017, 1, 5, tzinfo=UTC)
    assert when.latest < datetime(2017, 1, 6, tzinfo=UTC) <= when.latest + timedelta(seconds=1)


def test_week_is_the_iso_week_holding_the_day():
    when = When.in_week(date(2017, 1, 5))  # a Thursday
    assert when.earliest == datetime(2017, 1, 2, tzinfo=UTC)  # Monday
    assert when.latest.date() == date(2017, 1, 8)  # Sunday
    assert when.precision is TimePrecision.WEEK


@pytest.mark.parametrize(("year", "month", "last_day"), [(2016, 12, 31), (2017, 2, 28)])
def test_month_spans_to_its_last_day(year, month, last_day):
    when = When.in_month(year, month)
    assert when.earliest.day == 1 and when.latest.day == last_day
    assert when.latest.month == month


def test_latest_before_earliest_is_refused():
    with pytest.raises(InvalidInput) as err:
        When(datetime(2017, 1, 2, tzinfo=UTC), datetime(2017, 1, 1, tzinfo=UTC),
             TimePrecision.DAY)
    assert err.value.field == "latest"


def test_overlap_and_within_a_period():
    start = datetime(2016, 12, 29, 22, tzinfo=UTC)
    straddling = When.on_day(date(2016, 12, 29))
    assert straddling.overlaps(start, None)
    assert not straddling.within(start, None)
    assert When.on_day(date(2017, 1, 1)).within(start, None)
    assert not When.on_day(date(2016, 12, 28)).overlaps(start, None)


def test_a_time_that_cannot_be_expressed_in_utc_is_refused():
    with pytest.raises(InvalidInput, match="out of range"):
        When.exact(datetime(1, 1, 1, 0, 0, tzinfo=DAMASCUS_WINTER))


@pytest.mark.parametrize(("code", "precision"), [
    (1, TimePrecision.DAY), (2, TimePrecision.WEEK), (3, TimePrecision.WEEK),
    (4, TimePrecision.MONTH), (5, TimePrecision.YEAR)])
def test_ucdp_date_prec(code, precision):
    assert TimePrecision.from_ucdp(code) is precision


def test_acled_time_precision():
    assert [TimePrecision.from_acled(c) for c in (1, 2, 3)] == [
        TimePrecision.DAY, TimePrecision.WEEK, TimePrecision.MONTH]


@pytest.mark.parametrize(("convert", "code", "field"), [
    (TimePrecision.from_ucdp, 6, "date_prec"), (TimePrecision.from_acled, 0, "time_precision")])
def test_unknown_source_precision_names_its_field(convert, code, field):
    with pytest.raises(InvalidInput) as err:
        convert(code)
    assert err.value.field == field
