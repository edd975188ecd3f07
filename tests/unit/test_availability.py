"""Free slots (pure): skills, areas, hours, opening hours, holidays, bookings, travel buffer, time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from frontdesk.domain.business import BookingRules, Busy, Hours, Service, Technician
from frontdesk.services.agents.tool_helpers.availability import (
    Calendar,
    PartOfDay,
    Slot,
    areas,
    find_slots,
    on_site,
    qualified,
    slot_at,
    to_utc,
)

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2026, 11, 23)  # London is on GMT (= UTC) in November
WEEKDAYS: Hours = {d: (time(9), time(17)) for d in ("mon", "tue", "wed", "thu", "fri")}


def service(code: str = "install", minutes: int = 60, *, remote: bool = False) -> Service:
    return Service(code=code, name=code.title(), duration_min=minutes, price=Decimal("50"), remote=remote)


def tech(code: str = "ann", *, skills: tuple[str, ...] = ("install",), areas: tuple[str, ...] = ("London",),
         hours: Hours | None = None) -> Technician:  # fmt: skip
    return Technician(
        code=code,
        name=code.title(),
        skills=frozenset(skills),
        areas=frozenset(areas),
        hours=hours or WEEKDAYS,
    )


def busy(start: str, end: str, technician: str = "ann", ref: str = "APT-1") -> Busy:
    return Busy(ref=ref, technician_code=technician, start_at=_utc(start), end_at=_utc(end))


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def cal(
    *techs: Technician,
    svc: Service | None = None,
    taken: tuple[Busy, ...] = (),
    rules: BookingRules | None = None,
    tz: ZoneInfo = LONDON,
    exclude_ref: str | None = None,
) -> Calendar:
    return Calendar(
        service=svc or service(),
        technicians=techs or (tech(),),
        busy=taken,
        rules=rules or BookingRules(),
        tz=tz,
        exclude_ref=exclude_ref,
    )


def starts(
    calendar: Calendar,
    *,
    day: date = MONDAY,
    city: str | None = "London",
    days: int = 1,
    limit: int = 100,
    **kw: object,
) -> list[str]:
    """Local start times (HH:MM, or date and time over several days) of the slots found."""
    earliest = to_utc(datetime.combine(day, time()), calendar.tz)
    found = find_slots(calendar, city=city, earliest=earliest, days=days, limit=limit, **kw)  # type: ignore[arg-type]
    fmt = "%H:%M" if days == 1 else "%a %H:%M"
    return [s.start.astimezone(calendar.tz).strftime(fmt) for s in found]


def half_hours(first: str, last: str) -> list[str]:
    t, end, out = datetime.strptime(first, "%H:%M"), datetime.strptime(last, "%H:%M"), []
    while t <= end:
        out.append(t.strftime("%H:%M"))
        t += timedelta(minutes=30)
    return out


# -- hours and the grid


def test_slots_start_on_the_hour_or_half_hour_inside_the_technicians_hours() -> None:
    assert starts(cal()) == half_hours("09:00", "16:00")


def test_the_whole_visit_fits_before_the_end_of_the_day() -> None:
    assert starts(cal(svc=service(minutes=90)))[-1] == "15:30"


def test_hours_off_the_grid_start_at_the_next_half_hour() -> None:
    odd = tech(hours={"mon": (time(8, 10), time(11, 0))})
    assert starts(cal(odd)) == ["08:30", "09:00", "09:30", "10:00"]


def test_another_step_gives_another_grid() -> None:
    assert starts(cal(rules=BookingRules(slot_step_min=60))) == half_hours("09:00", "16:00")[::2]


def test_a_day_the_technician_does_not_work_has_no_slots() -> None:
    assert starts(cal(tech(hours={"tue": (time(9), time(17))}))) == []


def test_opening_hours_narrow_the_technicians_hours() -> None:
    early = tech(hours={"mon": (time(7), time(20))})
    rules = BookingRules(opening_hours={"mon": (time(9), time(18))})
    assert starts(cal(early, rules=rules)) == half_hours("09:00", "17:00")


def test_a_day_the_business_is_closed_has_no_slots_even_if_the_technician_works() -> None:
    sunday = MONDAY - timedelta(days=1)
    worker = tech(hours={"sun": (time(9), time(17))})
    rules = BookingRules(opening_hours={"mon": (time(9), time(18))})
    assert starts(cal(worker, rules=rules), day=sunday) == []
    assert starts(cal(worker), day=sunday) != []  # no opening hours stated: no such limit


def test_holidays_have_no_slots() -> None:
    rules = BookingRules(holidays=frozenset({MONDAY}))
    assert starts(cal(rules=rules)) == []
    assert starts(cal(rules=rules), day=MONDAY + timedelta(days=1)) != []


# -- who can do it


def test_only_technicians_with_the_skill_are_offered() -> None:
    other = tech("bob", skills=("audio",))
    assert starts(cal(other)) == []
    assert [t.code for t in qualified(service(), [other, tech()], "London")] == ["ann"]


def test_the_technician_must_cover_the_city_whatever_its_case() -> None:
    assert starts(cal(), city="london") != []
    assert starts(cal(), city="Leeds") == []
    assert starts(cal(), city=None) == []


def test_remote_services_need_no_city() -> None:
    video = service("video", 30, remote=True)
    expert = tech("lina", skills=("video",), areas=("remote",))
    assert starts(cal(expert, svc=video), city=None)[:2] == ["09:00", "09:30"]
    assert areas(video, [expert]) == []


def test_areas_lists_the_cities_of_the_skilled() -> None:
    techs = [tech(areas=("London", "Leeds")), tech("bob", skills=("x",), areas=("York",))]
    assert areas(service(), techs) == ["Leeds", "London"]


# -- bookings and the travel buffer


def test_an_existing_booking_and_its_buffer_block_the_time_around_it() -> None:
    rules = BookingRules(travel_buffer_min=30)
    taken = (busy("2026-11-23T11:00", "2026-11-23T12:00"),)
    got = starts(cal(taken=taken, rules=rules))
    # A new visit must end 30 min before 11:00 (start by 09:30), and may start 30 min after 12:00.
    assert "09:30" in got and "10:00" not in got
    assert "12:00" not in got and "12:30" in got
    assert got == [*half_hours("09:00", "09:30"), *half_hours("12:30", "16:00")]


def test_without_a_buffer_visits_may_touch() -> None:
    taken = (busy("2026-11-23T11:00", "2026-11-23T12:00"),)
    got = starts(cal(taken=taken))
    assert "10:00" in got and "12:00" in got and "10:30" not in got and "11:30" not in got


def test_a_booking_of_another_technician_does_not_block() -> None:
    taken = (busy("2026-11-23T09:00", "2026-11-23T17:00", technician="bob"),)
    assert starts(cal(taken=taken)) == half_hours("09:00", "16:00")


def test_each_start_is_offered_once_with_the_first_free_technician() -> None:
    ann, bob = tech(), tech("bob")
    taken = (busy("2026-11-23T09:00", "2026-11-23T10:00"),)
    calendar = cal(ann, bob, taken=taken)
    earliest = datetime(2026, 11, 23, tzinfo=UTC)
    found = find_slots(calendar, city="London", earliest=earliest, days=1, limit=3)
    assert [(s.start.hour, s.start.minute, s.technician) for s in found] == [
        (9, 0, "bob"),
        (9, 30, "bob"),
        (10, 0, "ann"),
    ]


def test_the_booking_being_moved_does_not_block_itself() -> None:
    taken = (busy("2026-11-23T09:00", "2026-11-23T17:00", ref="APT-7"),)
    assert starts(cal(taken=taken)) == []
    assert starts(cal(taken=taken, exclude_ref="APT-7")) == half_hours("09:00", "16:00")


# -- the search window


def test_nothing_before_earliest() -> None:
    calendar = cal()
    found = find_slots(calendar, city="London", earliest=_utc("2026-11-23T13:10"), days=1, limit=10)
    assert found[0].start == _utc("2026-11-23T13:30")


def test_days_limit_and_spreading() -> None:
    got = starts(cal(), days=2, limit=4)
    assert got == ["Mon 09:00", "Mon 09:30", "Mon 10:00", "Mon 10:30"]
    spread = starts(cal(), days=3, limit=6, per_day=3)
    assert spread == ["Mon 09:00", "Mon 12:30", "Mon 16:00", "Tue 09:00", "Tue 12:30", "Tue 16:00"]


def test_part_of_day() -> None:
    assert starts(cal(), part_of_day=PartOfDay.MORNING) == half_hours("09:00", "11:30")
    assert starts(cal(), part_of_day=PartOfDay.AFTERNOON) == half_hours("12:00", "16:00")
    assert starts(cal(tech(hours={"mon": (time(9), time(20))})), part_of_day=PartOfDay.EVENING) == [
        "17:00",
        "17:30",
        "18:00",
        "18:30",
        "19:00",
    ]


def test_the_search_looks_ahead_until_it_finds_enough() -> None:
    mondays_only = tech(hours={"mon": (time(9), time(10))})
    assert starts(cal(mondays_only), days=14, limit=3) == ["Mon 09:00", "Mon 09:00"]  # two Mondays in 14 days
    assert starts(cal(mondays_only), days=6, limit=3) == ["Mon 09:00"]


# -- time zones and daylight saving


def test_slots_are_local_times_in_summer_too() -> None:
    july = date(2026, 7, 6)  # a Monday on BST (UTC+1)
    earliest = to_utc(datetime.combine(july, time()), LONDON)
    first = find_slots(cal(), city="London", earliest=earliest, days=1, limit=1)[0]
    assert first.start == datetime(2026, 7, 6, 8, 0, tzinfo=UTC)
    assert first.start.astimezone(LONDON).hour == 9


def test_local_hours_hold_across_the_spring_change() -> None:
    friday, monday = date(2027, 3, 26), date(2027, 3, 29)  # clocks go forward on Sunday 28 March
    calendar = cal()
    before = find_slots(
        calendar, city="London", earliest=to_utc(datetime.combine(friday, time()), LONDON), days=1, limit=1
    )
    after = find_slots(
        calendar, city="London", earliest=to_utc(datetime.combine(monday, time()), LONDON), days=1, limit=1
    )
    assert before[0].start == datetime(2027, 3, 26, 9, tzinfo=UTC)
    assert after[0].start == datetime(2027, 3, 29, 8, tzinfo=UTC)


def test_times_skipped_by_the_spring_change_offer_no_slot() -> None:
    night = tech(hours={"sun": (time(0), time(4))})
    got = starts(cal(night), day=date(2027, 3, 28))
    assert got == ["00:00", "00:30", "02:00", "02:30", "03:00"]  # 01:00-01:59 does not exist that night


def test_times_repeated_by_the_autumn_change_are_offered_once() -> None:
    night = tech(hours={"sun": (time(0), time(3))})
    got = starts(cal(night), day=date(2027, 10, 31))
    assert got == ["00:00", "00:30", "01:00", "01:30", "02:00"]


def test_durations_are_real_time_across_a_change() -> None:
    night = tech(hours={"sun": (time(0), time(4))})
    earliest = to_utc(datetime(2027, 3, 28), LONDON)
    found = find_slots(
        cal(night, svc=service(minutes=120)), city="London", earliest=earliest, days=1, limit=10
    )
    for slot in found:
        assert slot.end - slot.start == timedelta(hours=2)
        assert slot.end <= datetime(2027, 3, 28, 3, tzinfo=UTC)  # 04:00 BST


def test_another_time_zone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    earliest = to_utc(datetime.combine(MONDAY, time()), tokyo)
    first = find_slots(cal(tz=tokyo), city="London", earliest=earliest, days=1, limit=1)[0]
    assert first.start == datetime(2026, 11, 23, 0, tzinfo=UTC)  # 09:00 in Tokyo


def test_to_utc_reads_naive_times_as_local() -> None:
    assert to_utc(datetime(2026, 7, 6, 9), LONDON) == datetime(2026, 7, 6, 8, tzinfo=UTC)
    aware = datetime(2026, 7, 6, 9, tzinfo=UTC)
    assert to_utc(aware, LONDON) == aware


# -- one exact slot


def test_slot_at_checks_an_exact_start() -> None:
    earliest = _utc("2026-11-23T00:00")
    calendar = cal(taken=(busy("2026-11-23T11:00", "2026-11-23T12:00"),))
    assert slot_at(calendar, start=_utc("2026-11-23T09:00"), city="London", earliest=earliest) == Slot(
        _utc("2026-11-23T09:00"), _utc("2026-11-23T10:00"), "ann"
    )
    assert slot_at(calendar, start=_utc("2026-11-23T09:15"), city="London", earliest=earliest) is None
    assert slot_at(calendar, start=_utc("2026-11-23T11:00"), city="London", earliest=earliest) is None
    assert slot_at(calendar, start=_utc("2026-11-23T09:00"), city="Leeds", earliest=earliest) is None
    assert (
        slot_at(calendar, start=_utc("2026-11-23T09:00"), city="London", earliest=_utc("2026-11-23T10:00"))
        is None
    )


def test_slot_at_prefers_the_given_technician() -> None:
    calendar = cal(tech(), tech("bob"))
    start, earliest = _utc("2026-11-23T09:00"), _utc("2026-11-23T00:00")
    assert slot_at(calendar, start=start, city="London", earliest=earliest)
    chosen = slot_at(calendar, start=start, city="London", earliest=earliest, prefer="bob")
    assert chosen is not None and chosen.technician == "bob"


@pytest.mark.parametrize("part", list(PartOfDay))
def test_parts_of_the_day_cover_the_day_once(part: PartOfDay) -> None:
    hours = [time(h, m) for h in range(24) for m in (0, 30)]
    owners = [[p for p in PartOfDay if p.holds(t)] for t in hours]
    assert all(len(o) == 1 for o in owners)
    assert any(part in o for o in owners)


def test_a_service_at_the_premises_needs_no_town() -> None:
    stylists = [tech("mia", areas=("on-site",)), tech("jo", areas=("on-site",))]
    assert on_site(service(), stylists)
    assert areas(service(), stylists) == []  # `on-site` is not a town to offer
    assert [t.code for t in qualified(service(), stylists, "on-site")] == ["mia", "jo"]
    assert find_slots(cal(*stylists), city="on-site", earliest=_utc("2026-11-23T00:00"), days=1, limit=1)


def test_a_service_someone_travels_for_is_not_at_the_premises() -> None:
    mixed = [tech("mia", areas=("on-site",)), tech("ann", areas=("London",))]
    assert not on_site(service(), mixed)
    assert not on_site(service(), [tech(areas=("London", "remote"))])
    assert not on_site(service(), [tech(skills=("other",), areas=("on-site",))])  # nobody skilled
    assert areas(service(), mixed) == ["London"]
