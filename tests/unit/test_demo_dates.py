"""The demo stays fresh: its dates move by whole weeks at seed time (never back), weekdays unchanged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from frontdesk.adapters.db.business_export import SqlBusinessPacks
from frontdesk.adapters.db.demo_seed import DEMO_DATES_AS_OF, seed_business, shift_dates, shift_weeks
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.store import SqlStore
from frontdesk.domain.business import OrderStatus
from tests.support.packs import demo_pack

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("now", "weeks"),
    [
        (datetime(2026, 11, 21, 12, tzinfo=UTC), 0),  # the day the data describes: the agent eval's
        (datetime(2026, 11, 2, 12, tzinfo=UTC), 0),  # before it: never moved back
        (datetime(2026, 11, 22, 0, 30, tzinfo=UTC), 1),  # the next day: one week on, so ETAs stay ahead
        (datetime(2026, 11, 28, 12, tzinfo=UTC), 1),
        (datetime(2026, 11, 29, 12, tzinfo=UTC), 2),
        (datetime(2026, 12, 7, 12, tzinfo=UTC), 3),
        (datetime(2027, 11, 20, 12, tzinfo=UTC), 52),
    ],
)
def test_the_shift_is_the_fewest_whole_weeks_to_reach_today(now: datetime, weeks: int) -> None:
    assert shift_weeks(DEMO_DATES_AS_OF, now, LONDON) == weeks


def test_today_is_the_business_s_own() -> None:
    late = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)  # Saturday night in London, Sunday in Tokyo
    assert shift_weeks(DEMO_DATES_AS_OF, late, LONDON) == 0
    assert shift_weeks(DEMO_DATES_AS_OF, late, ZoneInfo("Asia/Tokyo")) == 1


def test_dates_move_with_their_weekday_and_holidays_stay() -> None:
    pack = demo_pack()
    moved = shift_dates(pack, days=21)
    assert moved.business == pack.business  # holidays and opening hours are the calendar's, not the data's
    for old, new in zip(pack.orders, moved.orders, strict=True):
        assert new.ordered_at == old.ordered_at + timedelta(days=21)
        assert new.ordered_at.weekday() == old.ordered_at.weekday()
        assert (new.eta is None) == (old.eta is None) and (new.delivered_at is None) == (
            old.delivered_at is None
        )
    for old_a, new_a in zip(pack.appointments, moved.appointments, strict=True):
        assert new_a.start - old_a.start == timedelta(days=21) and new_a.start.time() == old_a.start.time()
    assert shift_dates(pack, days=0) is pack


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[SqlStore]:
    store = SqlStore(make_engine(database_url))
    await upgrade(store.engine)
    yield store
    await store.dispose()


async def test_seeding_later_puts_open_orders_and_appointments_ahead(db: SqlStore) -> None:
    today = datetime(2026, 12, 7, 9, tzinfo=UTC)  # a Monday, 16 days after the data's Saturday
    result = await seed_business(db, now=today)
    assert result.shifted_days == 21
    seeded = await SqlBusinessPacks(db).export_pack(result.tenant_id)
    open_orders = [o for o in seeded.orders if o.status not in (OrderStatus.DELIVERED, OrderStatus.RETURNED)]
    assert all(o.eta is None or o.eta >= today.date() for o in open_orders)
    assert all(a.start.date() > today.date() for a in seeded.appointments)
    assert seeded.business is not None and seeded.business.holidays[0] == date(2026, 12, 25)


async def test_seeding_at_the_data_s_date_moves_nothing_and_a_second_seed_adds_nothing(
    db: SqlStore, tmp_path: Path
) -> None:
    first = await seed_business(db, now=datetime(2026, 11, 21, 9, tzinfo=UTC))
    assert first.shifted_days == 0 and first.inserted["products"] == 22 and first.inserted["tenants"] == 1
    seeded = await SqlBusinessPacks(db).export_pack(first.tenant_id)
    assert seeded.orders == demo_pack().orders and seeded.appointments == demo_pack().appointments
    again = await seed_business(db, now=datetime(2026, 12, 7, 9, tzinfo=UTC))  # later: shifted rows exist
    assert again.inserted == {} and again.shifted_days == 21
    assert (await SqlBusinessPacks(db).export_pack(first.tenant_id)).orders == demo_pack().orders


async def test_another_pack_keeps_its_dates_unless_told_its_day(db: SqlStore, tmp_path: Path) -> None:
    from frontdesk.adapters.business_pack import write_folder

    write_folder(demo_pack(), tmp_path / "copy")
    later = datetime(2026, 12, 7, 9, tzinfo=UTC)
    kept = await seed_business(db, folder=tmp_path / "copy", slug="copy", now=later)
    assert kept.shifted_days == 0
    await SqlBusinessPacks(db).export_pack(kept.tenant_id)
    told = await seed_business(
        db,
        folder=tmp_path / "copy",
        slug="copy",
        now=later + timedelta(days=7),
        dates_as_of=date(2026, 12, 7),
    )
    assert told.shifted_days == 7
