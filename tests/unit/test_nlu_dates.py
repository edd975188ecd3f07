"""Dates and times as customers write them, from a fixed now: Saturday 21 November 2026, 10:00 in London."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from frontdesk.services.agents.nlu.dates import (
    TimeWindow,
    When,
    bare_hour,
    parse_date,
    parse_time,
    parse_when,
)

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=LONDON)  # a Saturday


def d(day: int, month: int = 11, year: int = 2026) -> date:
    return date(year, month, day)


def at(hour: int, minute: int = 0) -> TimeWindow:
    return TimeWindow(time(hour, minute), time(hour, minute))


def window(start: int, end: int) -> TimeWindow:
    return TimeWindow(time(start), time(end))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # relative days
        ("today", d(21)),
        ("tonight", d(21)),
        ("this afternoon", d(21)),
        ("tomorrow", d(22)),
        ("Tomorrow please", d(22)),
        ("tmrw", d(22)),
        ("2moro", d(22)),
        ("day after tomorrow", d(23)),
        ("yesterday", d(20)),
        ("in 2 days", d(23)),
        ("in two days", d(23)),
        ("in a week", d(28)),
        ("in 3 weeks", d(12, 12)),
        ("in a fortnight", d(5, 12)),
        # weekdays: the coming one; "next" is next week's
        ("tuesday", d(24)),
        ("on Tues", d(24)),
        ("next Tuesday", d(24)),
        ("tuesday afternoon", d(24)),
        ("this friday at 3", d(27)),
        ("fri", d(27)),
        ("saturday", d(21)),
        ("this saturday", d(21)),
        ("next saturday", d(28)),
        ("next sunday", d(29)),
        ("sunday", d(22)),
        ("monday", d(23)),
        ("sat at 10", d(21)),
        ("last friday", d(20)),
        # numbers, day first
        ("24/11", d(24)),
        ("24/11/2026", d(24)),
        ("24-11-26", d(24)),
        ("24.11.2026", d(24)),
        ("3/12", d(3, 12)),
        ("01/11", d(1, 11, 2027)),  # already past this year: next year's
        # month names
        ("24 Nov", d(24)),
        ("24th November", d(24)),
        ("the 24th of november", d(24)),
        ("Nov 24th", d(24)),
        ("december 3rd at 9", d(3, 12)),
        ("5th december", d(5, 12)),
        ("5 jan", d(5, 1, 2027)),
        ("on the 5th of january", d(5, 1, 2027)),
        ("1 march 2027", d(1, 3, 2027)),
        # a day of the month
        ("the 3rd", d(3, 12)),
        ("on the 24th", d(24)),
        ("the 21st", d(21)),
        ("the 31st", d(31, 12)),  # November has no 31st
        # agreeing mentions are fine
        ("tuesday 24/11", d(24)),
        ("tomorrow, sunday", d(22)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse_date(text, now=NOW, tz=LONDON) == expected


@pytest.mark.parametrize(
    "text",
    [
        "monday or tuesday",  # two days
        "tuesday 25/11",  # the day contradicts the date
        "next week",  # a range, not a day
        "this weekend",
        "soon",
        "31/11",  # no such date
        "24/13",
        "LH-100245",
        "3 bulbs",
        "c'mon",  # not Monday
        "we sat down",  # not Saturday
        "the sun is out",
        "may I ask something",
        "10.30",  # a time
        "",
    ],
)
def test_no_date(text: str) -> None:
    assert parse_date(text, now=NOW, tz=LONDON) is None


def test_dates_are_in_the_business_time_zone() -> None:
    late_utc = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
    assert parse_date("today", now=late_utc, tz=ZoneInfo("Europe/London")) == d(21)
    assert parse_date("today", now=late_utc, tz=ZoneInfo("Asia/Tokyo")) == d(22)


def test_past_dates_when_asked() -> None:
    assert parse_date("17/11", now=NOW, tz=LONDON, prefer_future=False) == d(17)
    assert parse_date("17/11", now=NOW, tz=LONDON) == d(17, 11, 2027)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("at 10:30", at(10, 30)),
        ("10:30", at(10, 30)),
        ("10.30", at(10, 30)),
        ("14:30", at(14, 30)),
        ("3pm", at(15)),
        ("3 pm", at(15)),
        ("3:15pm", at(15, 15)),
        ("11am", at(11)),
        ("12pm", at(12)),
        ("12am", at(0)),
        ("at 3", at(15)),  # a bare hour is read in business hours
        ("at 9", at(9)),
        ("at 11", at(11)),
        ("around 2", at(14)),
        ("at three", at(15)),
        ("3 o'clock", at(15)),
        ("half 3", at(15, 30)),  # British: half past three
        ("half past 10", at(10, 30)),
        ("quarter past 2", at(14, 15)),
        ("quarter to 4", at(15, 45)),
        ("noon", at(12)),
        ("midday", at(12)),
        ("this friday at 3", at(15)),
        ("tuesday morning at 8", at(8)),
        ("friday evening at 7", at(19)),
        ("morning", window(8, 12)),
        ("in the afternoon", window(12, 17)),
        ("tuesday afternoon", window(12, 17)),
        ("evening", window(17, 21)),
        ("tonight", window(17, 21)),
        ("lunchtime", window(12, 14)),
        ("early morning", window(8, 10)),
        ("late afternoon", window(15, 17)),
        ("between 2 and 4", window(14, 16)),
        ("from 10 to 12", window(10, 12)),
        ("between 11 and 1", window(11, 13)),
        ("after 3pm", window(15, 21)),
        ("after 2 on monday", window(14, 21)),
        ("not before 10", window(10, 21)),
        ("before noon", window(8, 12)),
    ],
)
def test_times(text: str, expected: TimeWindow) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "at 10 or 11",
        "3pm or 4pm",
        "morning or afternoon",
        "3 bulbs",
        "for 2 bulbs",
        "at 3 bulbs",
        "24/11",
        "",
    ],
)
def test_no_time(text: str) -> None:
    assert parse_time(text) is None


def test_exact_and_window() -> None:
    assert at(10, 30).exact
    assert not window(12, 17).exact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("this friday at 3", When(d(27), at(15))),
        ("tuesday afternoon", When(d(24), window(12, 17))),
        ("tomorrow", When(d(22), None)),
        ("at 10:30", When(None, at(10, 30))),
        ("24 Nov at half 3", When(d(24), at(15, 30))),
        ("the 3rd in the morning", When(d(3, 12), window(8, 12))),
    ],
)
def test_when(text: str, expected: When) -> None:
    assert parse_when(text, now=NOW, tz=LONDON) == expected


def test_when_gives_a_moment_only_for_a_day_and_an_exact_time() -> None:
    friday = parse_when("friday at 3", now=NOW, tz=LONDON)
    assert friday is not None and friday.start(LONDON) == datetime(2026, 11, 27, 15, 0, tzinfo=LONDON)
    afternoon = parse_when("friday afternoon", now=NOW, tz=LONDON)
    assert afternoon is not None and afternoon.start(LONDON) is None
    assert parse_when("nothing here", now=NOW, tz=LONDON) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("saturday 26th december", date(2026, 12, 26)),
        ("saturday the 28th", date(2026, 11, 28)),
        ("christmas day", date(2026, 12, 25)),
        ("boxing day", date(2026, 12, 26)),
        ("new year's day", date(2027, 1, 1)),
    ],
)
def test_a_weekday_that_agrees_with_the_date_and_named_holidays(text: str, expected: date) -> None:
    assert parse_date(text, now=NOW, tz=LONDON) == expected


def test_a_weekday_that_contradicts_the_date_is_still_no_date() -> None:
    assert parse_date("monday the 28th", now=NOW, tz=LONDON) is None


@pytest.mark.parametrize(
    ("text", "hour"), [("10 is fine", 10), ("3 please", 15), ("11?", 11), ("ten works", 10)]
)
def test_a_bare_hour_answers_which_time(text: str, hour: int) -> None:
    assert bare_hour(text) == at(hour)


@pytest.mark.parametrize("text", ["12 items", "10 of them", "room 10 is cold"])
def test_a_number_that_is_not_an_hour(text: str) -> None:
    assert bare_hour(text) is None
