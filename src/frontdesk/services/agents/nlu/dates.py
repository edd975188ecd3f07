"""Dates and times as customers write them, resolved in the business's time zone from an injected `now`.

`parse_date("next Tuesday", now=..., tz=...)` gives a `date`; `parse_time("afternoon")` a `TimeWindow`
(12:00-17:00; an exact time such as "at 10:30" is a window of no length); `parse_when` both. Dates are
taken in the future ("24/11" after 24 November means next year's). Anything ambiguous - two different
days ("Monday or Tuesday"), a day that contradicts its date, "next week" - gives None, so the dialogue
asks rather than guesses; it also repeats the date it understood when it asks for a confirmation.

Conventions (UK): day before month ("3/12" is 3 December); "next Tuesday" is the Tuesday of next week
(from Saturday 21 November: the 24th; from Monday 23rd: 1 December); a bare weekday is the coming one
(today included); a bare hour is in business hours ("at 3" is 15:00, "at 9" 09:00); "half 3" is 15:30.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from frontdesk.services.agents.nlu.words import NUMBER_WORDS, normalise

WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2, "weds": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
PERIODS = {
    "early morning": (time(8), time(10)),
    "morning": (time(8), time(12)),
    "lunchtime": (time(12), time(14)),
    "lunch time": (time(12), time(14)),
    "midday": (time(12), time(12)),
    "noon": (time(12), time(12)),
    "late afternoon": (time(15), time(17)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), time(21)),
    "tonight": (time(17), time(21)),
    "after work": (time(17), time(21)),
}
"""Named parts of the day, as time windows (a zero-length window is an exact time)."""

DAY_START, DAY_END = time(8), time(21)

_RELATIVE = {
    "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0, "tomorrow": 1,
    "tomorow": 1, "tommorow": 1, "tmrw": 1, "tmr": 1, "tmw": 1, "2moro": 1, "2morrow": 1, "tmoz": 1,
    "day after tomorrow": 2, "yesterday": -1,
}  # fmt: skip
_DAY_NAMES = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_HOUR_WORDS = "|".join(word for word, n in NUMBER_WORDS.items() if 1 <= n <= 12 and word not in ("a", "an"))
_ORD = r"(?:st|nd|rd|th)?"
_WORDLIKE_DAYS = frozenset({"sat", "sun", "wed"})

_RELATIVE_RE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _RELATIVE), key=len, reverse=True)) + r")\b"
)
_WEEKDAY_RE = re.compile(rf"\b(?:(this|next|on|coming|this coming|last)\s+)?({_DAY_NAMES})\b")
_NUMERIC_RE = re.compile(r"(?<![\w./:-])(\d{1,2})[/-](\d{1,2})(?:[/-](\d{2}|\d{4}))?(?![\w/:-])")
_DOTTED_RE = re.compile(r"(?<![\w./:-])(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})(?![\w/:-])")
_DAY_MONTH_RE = re.compile(rf"\b(\d{{1,2}}){_ORD}\s+(?:of\s+)?({_MONTH_NAMES})\b\.?(?:\s+(\d{{4}}))?")
_MONTH_DAY_RE = re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}}){_ORD}\b(?:,?\s+(\d{{4}}))?")
_ORDINAL_RE = re.compile(
    rf"\b(?:the|on)\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?(?:{_MONTH_NAMES})\b)"
)
_IN_RE = re.compile(r"\bin\s+(\d{1,2}|a|an|one|two|three|four|five|six|seven|ten)\s+(day|week|fortnight)s?\b")

_CLOCK_RE = re.compile(r"(?<![\w/.:£$-])(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)(?!\w)")
_24H_RE = re.compile(r"(?<![\w/.:£$-])([01]?\d|2[0-3])[:.h]([0-5]\d)(?![\w/:-])")
_AT_RE = re.compile(
    rf"(?:\b(?:at|around)|@)\s*(\d{{1,2}}|{_HOUR_WORDS})(?:\s*o'?clock)?(?![\w/:.-])(?!\s+[a-z]{{2,}}s\b)"
)
_OR_RE = re.compile(rf"\bor\s+(\d{{1,2}}|{_HOUR_WORDS})(?:[:.](\d{{2}}))?(?![\w/:-])")
_OCLOCK_RE = re.compile(rf"\b(\d{{1,2}}|{_HOUR_WORDS})\s*o'?clock\b")
_HALF_RE = re.compile(rf"\bhalf\s+(?:past\s+)?(\d{{1,2}}|{_HOUR_WORDS})\b")
_QUARTER_RE = re.compile(rf"\bquarter\s+(past|to)\s+(\d{{1,2}}|{_HOUR_WORDS})\b")
_RANGE_RE = re.compile(
    r"\b(?:between|from)\s+(\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?)\s+(?:and|to|-|till|until)\s+"
    r"(\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?)\b"
)
_AFTER_BEFORE_RE = re.compile(
    r"\b(after|before|not before|not after)\s+(\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?|noon|midday)"
)
HOLIDAYS = {
    "christmas eve": (12, 24), "christmas day": (12, 25), "christmas": (12, 25), "xmas": (12, 25),
    "boxing day": (12, 26), "new year's eve": (12, 31), "new years eve": (12, 31),
    "new year's day": (1, 1), "new years day": (1, 1),
}  # fmt: skip
"""Days customers name rather than date (UK)."""
_HOLIDAY_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, HOLIDAYS), key=len, reverse=True)) + r")\b")
_BARE_HOUR_RE = re.compile(
    rf"^\s*(?:at\s+|about\s+|around\s+)?(\d{{1,2}}|{_HOUR_WORDS})(?:\s*o'?clock)?"
    r"(?:\s+(?:is|works|would|then|please|pls|ok|okay|fine|sounds|suits)\b.*|\s*[?!.]*\s*)$"
)
_PERIOD_RE = re.compile(r"\b(" + "|".join(sorted(PERIODS, key=len, reverse=True)) + r")\b")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A stretch of a day; `start == end` for an exact time ("at 10:30")."""

    start: time
    end: time

    @property
    def exact(self) -> bool:
        return self.start == self.end


@dataclass(frozen=True, slots=True)
class When:
    """A day, a time (window) or both."""

    date: date | None = None
    window: TimeWindow | None = None

    def start(self, tz: ZoneInfo) -> datetime | None:
        """The moment meant, when both the day and an exact time are known."""
        if self.date is None or self.window is None or not self.window.exact:
            return None
        return datetime.combine(self.date, self.window.start, tzinfo=tz)


def parse_when(text: str, *, now: datetime, tz: ZoneInfo, prefer_future: bool = True) -> When | None:
    """The day and the time (window) in `text`; None when it has neither (or they are ambiguous)."""
    day = parse_date(text, now=now, tz=tz, prefer_future=prefer_future)
    window = parse_time(text)
    if day is None and window is None:
        return None
    return When(day, window)


def parse_date(text: str, *, now: datetime, tz: ZoneInfo, prefer_future: bool = True) -> date | None:
    """The one day `text` names, in the business's time zone; None when none, or several differ."""
    today = now.astimezone(tz).date()
    lowered = normalise(text)
    weekdays = _weekdays(lowered, today)
    dated = {
        *_numeric_dates(lowered, today, prefer_future),
        *_named_dates(lowered, today, prefer_future),
        *_ordinal_days(lowered, today),
        *_holidays(lowered, today),
    }
    found = {*_relative_days(lowered, today), *weekdays, *dated}
    if len(dated) == 1 and len(found) > 1:
        # "Saturday the 28th": a weekday that agrees with the date names the same day, not a second one.
        day = next(iter(dated))
        agrees = all(w.weekday() == day.weekday() for w in weekdays)
        return day if agrees and found == {day, *weekdays} else None
    return found.pop() if len(found) == 1 else None


def _holidays(text: str, today: date) -> list[date]:
    """ "Christmas Day", "Boxing Day", "New Year's Day": the next one, today included."""
    days = []
    for match in _HOLIDAY_RE.finditer(text):
        month, day = HOLIDAYS[match.group(1)]
        found = _safe_date(today.year, month, day)
        if found is not None and found < today:
            found = _safe_date(today.year + 1, month, day)
        days += [found] if found else []
    return days


def _relative_days(text: str, today: date) -> list[date]:
    days = [today + timedelta(days=_RELATIVE[m.group(1)]) for m in _RELATIVE_RE.finditer(text)]
    for match in _IN_RE.finditer(text):
        count = (
            1
            if match.group(1) in ("a", "an", "one")
            else NUMBER_WORDS.get(match.group(1)) or int(match.group(1))
        )
        unit = {"day": 1, "week": 7, "fortnight": 14}[match.group(2)]
        days.append(today + timedelta(days=count * unit))
    return days


def _weekdays(text: str, today: date) -> list[date]:
    days = []
    for match in _WEEKDAY_RE.finditer(text):
        qualifier, name = match.group(1), match.group(2)
        if _not_a_day(text, match, qualifier, name):
            continue
        ahead = (WEEKDAYS[name] - today.weekday()) % 7
        if qualifier == "last":
            ahead = ahead - 7 if ahead else -7
        elif qualifier == "next":
            ahead = ahead or 7
            if today.weekday() + ahead <= 6:  # still this week: "next" means the one after
                ahead += 7
        days.append(today + timedelta(days=ahead))
    return days


def _not_a_day(text: str, match: re.Match[str], qualifier: str | None, name: str) -> bool:
    """ "c'mon", "we sat down", "sun's out": words that look like a day's abbreviation."""
    if match.start(2) > 0 and text[match.start(2) - 1] == "'":
        return True
    if name not in _WORDLIKE_DAYS or qualifier is not None:
        return False
    rest = text[match.end() : match.end() + 12]
    return not re.match(r"\s*(?:\d|at\b|morning|afternoon|evening|am\b|pm\b)", rest)


def _numeric_dates(text: str, today: date, prefer_future: bool) -> list[date]:
    days = []
    for match in (*_NUMERIC_RE.finditer(text), *_DOTTED_RE.finditer(text)):
        day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
        found = _make_date(today, day, month, _year(year), prefer_future)
        if found is not None:
            days.append(found)
    return days


def _named_dates(text: str, today: date, prefer_future: bool) -> list[date]:
    days = []
    for match in _DAY_MONTH_RE.finditer(text):
        found = _make_date(
            today, int(match.group(1)), MONTHS[match.group(2)], _year(match.group(3)), prefer_future
        )
        days += [found] if found else []
    for match in _MONTH_DAY_RE.finditer(text):
        if match.group(1) == "may" and not re.search(r"\d", match.group(0)):
            continue
        found = _make_date(
            today, int(match.group(2)), MONTHS[match.group(1)], _year(match.group(3)), prefer_future
        )
        days += [found] if found else []
    return days


def _ordinal_days(text: str, today: date) -> list[date]:
    """ "the 3rd": the next 3rd of a month, today included."""
    days = []
    for match in _ORDINAL_RE.finditer(text):
        day = int(match.group(1))
        year, month = today.year, today.month
        for _ in range(3):  # a day that this month lacks (the 31st) is in a later one
            found = _safe_date(year, month, day)
            if found is not None and found >= today:
                days.append(found)
                break
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    value = int(text)
    return value + 2000 if value < 100 else value


def _make_date(today: date, day: int, month: int, year: int | None, prefer_future: bool) -> date | None:
    if year is not None:
        return _safe_date(year, month, day)
    found = _safe_date(today.year, month, day)
    if found is not None and prefer_future and found < today:
        found = _safe_date(today.year + 1, month, day)
    return found


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_time(text: str) -> TimeWindow | None:
    """The time or window in `text` ("at 10:30", "3pm", "half 3", "afternoon", "after 2"); None if unclear."""
    lowered = normalise(text)
    period = _period(lowered)
    window = _range(lowered)
    if window is not None:
        return window
    bounded = _after_before(lowered)
    if bounded is not None:
        return bounded
    exact = _exact_times(lowered, period)
    if len(exact) > 1:
        return None
    if exact:
        moment = exact.pop()
        return TimeWindow(moment, moment)
    return TimeWindow(*PERIODS[period]) if period else None


def bare_hour(text: str) -> TimeWindow | None:
    """A reply that starts with a bare hour ("10 is fine", "3 please", "11?"), read in business hours.

    Only for an answer to "which time?": elsewhere a lone number is a quantity or a choice.
    """
    match = _BARE_HOUR_RE.match(normalise(text))
    if match is None:
        return None
    found = _clock(_business_hour(_hour(match.group(1)), None), 0)
    moment = next(iter(found), None)
    return TimeWindow(moment, moment) if moment is not None else None


def _period(text: str) -> str | None:
    periods = {m.group(1) for m in _PERIOD_RE.finditer(text)}
    return periods.pop() if len(periods) == 1 else None


def _exact_times(text: str, period: str | None) -> set[time]:
    found: set[time] = set()
    for match in _CLOCK_RE.finditer(text):
        hour = int(match.group(1)) % 12 + (12 if match.group(3).startswith("p") else 0)
        found |= _clock(hour, int(match.group(2) or 0))
    for match in _24H_RE.finditer(text):
        if not _CLOCK_RE.match(text, match.start()):
            found |= _clock(_business_hour(int(match.group(1)), period), int(match.group(2)))
    for match in (*_AT_RE.finditer(text), *_OCLOCK_RE.finditer(text)):
        if not _CLOCK_RE.match(text, match.start(1)) and not _24H_RE.match(text, match.start(1)):
            found |= _clock(_business_hour(_hour(match.group(1)), period), 0)
    for match in _HALF_RE.finditer(text):
        found |= _clock(_business_hour(_hour(match.group(1)), period), 30)
    for match in _QUARTER_RE.finditer(text):
        hour = _business_hour(_hour(match.group(2)), period)
        found |= _clock(hour, 15) if match.group(1) == "past" else _clock(hour - 1, 45)
    if period in ("noon", "midday"):
        found.add(time(12))
    if found:  # "at 10 or 11": two times, so no time
        for match in _OR_RE.finditer(text):
            found |= _clock(_business_hour(_hour(match.group(1)), period), int(match.group(2) or 0))
    return found


def _hour(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def _business_hour(hour: int, period: str | None) -> int:
    """A bare hour read in business hours: 1-7 is afternoon (unless the customer said morning)."""
    if hour > 12 or period in ("morning", "early morning"):
        return hour
    if period in ("afternoon", "late afternoon", "evening", "tonight", "after work") and hour < 12:
        return hour + 12
    return hour + 12 if 1 <= hour <= 7 else hour


def _clock(hour: int, minute: int) -> set[time]:
    return {time(hour, minute)} if 0 <= hour <= 23 and 0 <= minute <= 59 else set()


def _range(text: str) -> TimeWindow | None:
    match = _RANGE_RE.search(text)
    if match is None:
        return None
    start, end = _one_time(match.group(1)), _one_time(match.group(2))
    if start is None or end is None:
        return None
    if end <= start and end.hour < 12:
        end = time(end.hour + 12, end.minute)
    return TimeWindow(start, end) if start < end else None


def _after_before(text: str) -> TimeWindow | None:
    match = _AFTER_BEFORE_RE.search(text)
    if match is None:
        return None
    moment = time(12) if match.group(2) in ("noon", "midday") else _one_time(match.group(2))
    if moment is None:
        return None
    after = match.group(1) in ("after", "not before")
    return TimeWindow(moment, DAY_END) if after else TimeWindow(DAY_START, moment)


def _one_time(text: str) -> time | None:
    """A lone time such as "2", "2pm" or "14:30", bare hours read in business hours."""
    text = text.strip()
    clock = _CLOCK_RE.fullmatch(text)
    if clock:
        found = _clock(
            int(clock.group(1)) % 12 + (12 if clock.group(3).startswith("p") else 0), int(clock.group(2) or 0)
        )
        return found.pop() if found else None
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?", text)
    if match is None:
        return None
    found = _clock(_business_hour(int(match.group(1)), None), int(match.group(2) or 0))
    return found.pop() if found else None
