"""The reader's words for the record's codes and times (domain.words)."""

from datetime import UTC, datetime

from ceasefire.domain import words
from ceasefire.domain.status import Status
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.domain.when import When


def test_every_status_and_type_has_words_without_codes():
    for status in Status:
        assert "-" not in words.status_words(status.value)
        assert "_" not in words.status_words(status.value, short=True)
    for kind in ViolationType:
        assert "_" not in words.violation_words(kind.value)
    assert words.violation_words("explosive_device").startswith("remote explosive")
    assert "IED" in words.violation_words("explosive_device")


def test_articles_and_plurals():
    assert words.with_article("analyst") == "an analyst"
    assert words.with_article("guarantor officer") == "a guarantor officer"
    assert [words.count(n, "report") for n in (0, 1, 2, 1512)] == [
        "0 reports", "1 report", "2 reports", "1,512 reports"]


def test_a_span_is_said_to_the_day_or_the_minute_never_the_microsecond():
    day = When.on_day(datetime(2017, 1, 31).date())
    assert words.span(day.earliest, day.latest) == "31 January 2017"
    week = When.between_days(datetime(2017, 1, 1).date(), datetime(2017, 1, 7).date(),
                             day.precision)
    assert words.span(week.earliest, week.latest) == "1 January 2017 to 7 January 2017"
    at = datetime(2017, 1, 5, 14, 3, 22, 500, tzinfo=UTC)
    assert words.span(at, at) == "5 January 2017, 14:03 UTC"
    assert words.span(at, at.replace(hour=16)) == "5 January 2017, 14:03 to 16:03 UTC"
