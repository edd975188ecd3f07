"""The demo stays fresh: its dates move by whole weeks at seed time (never back), weekdays unchanged;
what happened stays at or before today, what is promised at or after it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from frontdesk.adapters.db.business_export import SqlBusinessPacks
from frontdesk.adapters.db.demo_seed import (
    DEMO_DATES_AS_OF,
    DateShift,
    date_shift,
    seed_business,
    shift_dates,
)
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.store import SqlStore
from frontdesk.domain.business import OrderStatus
from tests.support.packs import demo_pack

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("now", "past", "future"),
    [
        (datetime(2026, 11, 21, 12, tzinfo=UTC), 0, 0),  # the day the data describes: the agent eval's
        (datetime(2026, 11, 2, 12, tzinfo=UTC), 0, 0),  # before it: never moved back
        (datetime(2026, 11, 22, 0, 30, tzinfo=UTC), 0, 1),  # the next day: ETAs a week on, events kept
        (datetime(2026, 11, 28, 12, tzinfo=UTC), 1, 1),  # a Saturday: both land on today
        (datetime(2026, 11, 29, 12, tzinfo=UTC), 1, 2),
        (datetime(2026, 12, 7, 12, tzinfo=UTC), 2, 3),
        (datetime(2027, 11, 20, 12, tzinfo=UTC), 52, 52),
    ],
)
def test_events_move_by_the_weeks_down_to_today_and_promises_up_to_it(
    now: datetime, past: int, future: int
) -> None:
    assert date_shift(DEMO_DATES_AS_OF, now, LONDON) == DateShift(past_days=7 * past, future_days=7 * future)


def test_today_is_the_business_s_own() -> None:
    late = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)  # Saturday night in London, Sunday in Tokyo
    assert date_shift(DEMO_DATES_AS_OF, late, LONDON) == DateShift()
    assert date_shift(DEMO_DATES_AS_OF, late, ZoneInfo("Asia/Tokyo")) == DateShift(future_days=7)


@pytest.mark.parametrize("tz", [LONDON, ZoneInfo("America/Los_Angeles"), ZoneInfo("Pacific/Kiritimati")])
def test_on_any_day_nothing_has_happened_after_today_and_nothing_is_due_before_it(tz: ZoneInfo) -> None:
    """Every day of nine weeks from the data's Saturday, at a late hour: the orders were placed, shipped
    and delivered by today, their ETAs, restocks and appointments are today or later, every weekday is
    kept and each shift is the tightest (one more week would break it). (Before that Saturday nothing
    moves: the data's own dates, as the agent eval reads them.)"""
    pack = demo_pack()
    for offset in range(64):
        today = DEMO_DATES_AS_OF + timedelta(days=offset)
        now = datetime.combine(today, time(23, 59), tz)
        shift = date_shift(DEMO_DATES_AS_OF, now, tz)
        moved = shift_dates(pack, shift)
        if offset > 0:
            assert DEMO_DATES_AS_OF + timedelta(days=shift.past_days) <= today, offset
            assert DEMO_DATES_AS_OF + timedelta(days=shift.past_days + 7) > today, offset
            assert DEMO_DATES_AS_OF + timedelta(days=shift.future_days) >= today, offset
            assert DEMO_DATES_AS_OF + timedelta(days=shift.future_days - 7) < today, offset
        else:
            assert shift == DateShift() and moved is pack
        happened = [o.ordered_at for o in moved.orders]
        happened += [d for o in moved.orders for d in (o.shipped_at, o.delivered_at) if d is not None]
        assert max(happened) <= today, (offset, max(happened))
        promised = [o.eta for o in moved.orders if o.eta] + [
            p.restock_eta for p in moved.products if p.restock_eta
        ]
        promised += [a.start.date() for a in moved.appointments]
        assert min(promised) >= today, (offset, min(promised))
        for old, new in zip(pack.orders, moved.orders, strict=True):
            assert new.ordered_at.weekday() == old.ordered_at.weekday()
            assert new.eta is None or (old.eta is not None and new.eta.weekday() == old.eta.weekday())
        for old_a, new_a in zip(pack.appointments, moved.appointments, strict=True):
            assert (new_a.start.weekday(), new_a.start.time()) == (old_a.start.weekday(), old_a.start.time())


def test_dates_move_by_kind_and_holidays_stay() -> None:
    pack = demo_pack()
    moved = shift_dates(pack, DateShift(past_days=14, future_days=21))
    assert moved.business == pack.business  # holidays and opening hours are the calendar's, not the data's
    for old, new in zip(pack.orders, moved.orders, strict=True):
        assert new.ordered_at == old.ordered_at + timedelta(days=14)
        assert new.shipped_at == (old.shipped_at and old.shipped_at + timedelta(days=14))
        assert new.delivered_at == (old.delivered_at and old.delivered_at + timedelta(days=14))
        assert new.eta == (old.eta and old.eta + timedelta(days=21))
    for old_a, new_a in zip(pack.appointments, moved.appointments, strict=True):
        assert new_a.start - old_a.start == timedelta(days=21)
    assert shift_dates(pack, DateShift()) is pack


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[SqlStore]:
    store = SqlStore(make_engine(database_url))
    await upgrade(store.engine)
    yield store
    await store.dispose()


async def test_seeding_later_puts_open_orders_and_appointments_ahead(db: SqlStore) -> None:
    today = datetime(2026, 12, 7, 9, tzinfo=UTC)  # a Monday, 16 days after the data's Saturday
    result = await seed_business(db, now=today)
    assert result.shifted == DateShift(past_days=14, future_days=21)
    seeded = await SqlBusinessPacks(db).export_pack(result.tenant_id)
    # LH-100245, written as ordered Tue 17 Nov, shipped Wed 18 Nov, due Sat 21 Nov: last week's events.
    lamp = next(o for o in seeded.orders if o.tracking == "15501234567890")
    assert (lamp.ordered_at, lamp.shipped_at, lamp.eta) == (
        date(2026, 12, 1),
        date(2026, 12, 2),
        date(2026, 12, 12),
    )
    assert all(o.ordered_at <= today.date() for o in seeded.orders)
    open_orders = [o for o in seeded.orders if o.status not in (OrderStatus.DELIVERED, OrderStatus.RETURNED)]
    assert all(o.eta is None or o.eta >= today.date() for o in open_orders)
    assert all(a.start.date() > today.date() for a in seeded.appointments)
    assert seeded.business is not None and seeded.business.holidays[0] == date(2026, 12, 25)


async def test_seeding_at_the_data_s_date_moves_nothing_and_a_second_seed_adds_nothing(
    db: SqlStore, tmp_path: Path
) -> None:
    first = await seed_business(db, now=datetime(2026, 11, 21, 9, tzinfo=UTC))
    assert (
        first.shifted == DateShift() and first.inserted["products"] == 22 and first.inserted["tenants"] == 1
    )
    seeded = await SqlBusinessPacks(db).export_pack(first.tenant_id)
    assert seeded.orders == demo_pack().orders and seeded.appointments == demo_pack().appointments
    again = await seed_business(db, now=datetime(2026, 12, 7, 9, tzinfo=UTC))  # later: shifted rows exist
    assert again.inserted == {} and again.shifted == DateShift(past_days=14, future_days=21)
    assert (await SqlBusinessPacks(db).export_pack(first.tenant_id)).orders == demo_pack().orders


async def test_another_pack_keeps_its_dates_unless_told_its_day(db: SqlStore, tmp_path: Path) -> None:
    from frontdesk.adapters.business_pack import write_folder

    write_folder(demo_pack(), tmp_path / "copy")
    later = datetime(2026, 12, 7, 9, tzinfo=UTC)
    kept = await seed_business(db, folder=tmp_path / "copy", slug="copy", now=later)
    assert kept.shifted == DateShift()
    await SqlBusinessPacks(db).export_pack(kept.tenant_id)
    told = await seed_business(
        db,
        folder=tmp_path / "copy",
        slug="copy",
        now=later + timedelta(days=7),
        dates_as_of=date(2026, 12, 7),
    )
    assert told.shifted == DateShift(past_days=7, future_days=7)
