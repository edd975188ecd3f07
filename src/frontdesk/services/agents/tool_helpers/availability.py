"""Free appointment slots: pure functions over services, technicians, bookings and the business's rules.

A slot is a start time at which a qualified technician can do the whole service:
- the technician has the service's skill, and covers the customer's city (remote services need no city,
  and neither do services at the business's premises: technicians whose area is `on-site`);
- the day is not a holiday, and the business is open that day;
- the visit lies inside the technician's hours and the business's opening hours (both local times);
- slots start on multiples of `slot_step_min` (on the hour or half hour) in local wall-clock time;
- no booking of the technician lies within `travel_buffer_min` of the visit, either side: every booking,
  new or existing, is followed by that much free time before the technician's next one;
- it starts at least `min_notice_min` after now.

Times are computed in the business's time zone, so daylight-saving changes move nothing: a 09:00 slot is
09:00 local on either side of the change. Wall-clock times skipped by a change do not exist and offer
no slot; times repeated by one are offered once (the first). Durations are real elapsed time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from frontdesk.domain.business import (
    ON_SITE,
    REMOTE,
    BookingRules,
    Busy,
    Service,
    Technician,
    weekday_key,
)

MAX_DAYS = 62


class PartOfDay(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"

    def holds(self, at: time) -> bool:
        if self is PartOfDay.MORNING:
            return at < time(12)
        if self is PartOfDay.AFTERNOON:
            return time(12) <= at < time(17)
        return at >= time(17)


@dataclass(frozen=True, order=True)
class Slot:
    start: datetime
    """Aware, UTC."""
    end: datetime
    technician: str
    """The technician's code."""


@dataclass(frozen=True, kw_only=True)
class Calendar:
    """Everything availability depends on, for one service."""

    service: Service
    technicians: Sequence[Technician]
    busy: Sequence[Busy]
    rules: BookingRules
    tz: ZoneInfo
    exclude_ref: str | None = None
    """A booking that does not block anything (the one being moved)."""


def qualified(service: Service, technicians: Sequence[Technician], city: str | None) -> list[Technician]:
    """Technicians with the service's skill who cover `city` (any of them for a remote service)."""
    skilled = [t for t in technicians if service.code in t.skills]
    if service.remote:
        return skilled
    wanted = (city or "").strip().casefold()
    return [t for t in skilled if wanted in {a.casefold() for a in t.areas}]


def areas(service: Service, technicians: Sequence[Technician]) -> list[str]:
    """Every city someone skilled in `service` covers (not `remote` or `on-site`, which are no city)."""
    return sorted(
        {a for t in technicians if service.code in t.skills for a in t.areas if a not in (REMOTE, ON_SITE)}
    )


def on_site(service: Service, technicians: Sequence[Technician]) -> bool:
    """Whether `service` happens at the business's premises: someone skilled works `on-site` and nobody
    skilled travels to a city (then the customer's town does not matter)."""
    skilled = [t for t in technicians if service.code in t.skills]
    return any(ON_SITE in t.areas for t in skilled) and not areas(service, technicians)


def find_slots(
    cal: Calendar,
    *,
    city: str | None,
    earliest: datetime,
    days: int,
    limit: int,
    per_day: int | None = None,
    part_of_day: PartOfDay | None = None,
) -> list[Slot]:
    """Up to `limit` free slots from `earliest` on, over `days` local days, earliest first.

    With `per_day`, at most that many per day, spread over the day rather than the first ones."""
    techs = qualified(cal.service, cal.technicians, city)
    first = earliest.astimezone(cal.tz).date()
    found: list[Slot] = []
    for offset in range(min(days, MAX_DAYS)):
        slots = [s for s in day_slots(cal, techs, first + timedelta(days=offset)) if s.start >= earliest]
        if part_of_day is not None:
            slots = [s for s in slots if part_of_day.holds(s.start.astimezone(cal.tz).time())]
        found.extend(_spread(slots, per_day) if per_day else slots)
        if len(found) >= limit:
            break
    return found[:limit]


def slot_at(
    cal: Calendar, *, start: datetime, city: str | None, earliest: datetime, prefer: str | None = None
) -> Slot | None:
    """The slot starting exactly at `start`, with `prefer` as technician when free; None if none is free."""
    if start < earliest:
        return None
    techs = qualified(cal.service, cal.technicians, city)
    techs.sort(key=lambda t: t.code != prefer)
    day = start.astimezone(cal.tz).date()
    return next((s for s in day_slots(cal, techs, day, every=True) if s.start == start), None)


def day_slots(cal: Calendar, techs: Sequence[Technician], day: date, *, every: bool = False) -> list[Slot]:
    """The free slots of one local day, one per start time (the first free technician in `techs`
    order), or every free (start, technician) pair with `every`."""
    if day in cal.rules.holidays:
        return []
    duration = timedelta(minutes=cal.service.duration_min)
    buffer = timedelta(minutes=cal.rules.travel_buffer_min)
    slots: dict[datetime, list[Slot]] = {}
    for tech in techs:
        taken = [b for b in cal.busy if b.technician_code == tech.code and b.ref != cal.exclude_ref]
        for start, end in _visits(tech, day, duration, cal.rules, cal.tz):
            if _free(taken, start, end, buffer):
                slots.setdefault(start, []).append(Slot(start=start, end=end, technician=tech.code))
    if every:
        return [s for start in sorted(slots) for s in slots[start]]
    return [slots[start][0] for start in sorted(slots)]


def _visits(
    tech: Technician, day: date, duration: timedelta, rules: BookingRules, tz: ZoneInfo
) -> Iterator[tuple[datetime, datetime]]:
    """Candidate (start, end) pairs, in UTC, inside the technician's and the business's hours."""
    window = _window(tech, day, rules)
    if window is None:
        return
    opens, closes = window
    close_at = _aware(datetime.combine(day, closes), tz)
    step = max(rules.slot_step_min, 1)
    minute = -(-(opens.hour * 60 + opens.minute) // step) * step  # first multiple of step at or after
    while minute < 24 * 60:
        start = _existing(datetime.combine(day, time(minute // 60, minute % 60)), tz)
        minute += step
        if start is None:
            continue
        if start + duration > close_at:
            return
        yield start, start + duration


def _window(tech: Technician, day: date, rules: BookingRules) -> tuple[time, time] | None:
    """Local hours when the technician works and (if the business states hours) the business is open."""
    key = weekday_key(day)
    hours = tech.hours.get(key)
    if hours is None:
        return None
    if rules.opening_hours:
        opening = rules.opening_hours.get(key)
        if opening is None:
            return None
        hours = (max(hours[0], opening[0]), min(hours[1], opening[1]))
    return hours if hours[0] < hours[1] else None


def _free(taken: Sequence[Busy], start: datetime, end: datetime, buffer: timedelta) -> bool:
    """No booking ends less than `buffer` before `start`, nor starts less than `buffer` after `end`."""
    return all(b.start_at >= end + buffer or b.end_at + buffer <= start for b in taken)


def _spread(slots: list[Slot], count: int) -> list[Slot]:
    """`count` slots spread evenly over the list (its first and last among them)."""
    if len(slots) <= count:
        return slots
    if count == 1:
        return slots[:1]
    last = len(slots) - 1
    picks = sorted({round(i * last / (count - 1)) for i in range(count)})
    return [slots[i] for i in picks]


def _aware(naive: datetime, tz: ZoneInfo) -> datetime:
    return naive.replace(tzinfo=tz).astimezone(UTC)


def _existing(naive: datetime, tz: ZoneInfo) -> datetime | None:
    """`naive` local time in UTC; None when it does not exist (skipped by a daylight-saving change)."""
    at = _aware(naive, tz)
    return at if at.astimezone(tz).replace(tzinfo=None) == naive else None


def to_utc(at: datetime, tz: ZoneInfo) -> datetime:
    """An aware time in UTC; a naive one is read as local time in `tz`."""
    return _aware(at, tz) if at.tzinfo is None else at.astimezone(UTC)
