"""Loads the demo business (the pack in `demo_data/lumen/`) the way any business pack is imported.

The demo is read with the pack reader and imported with `only_new`: rows missing are inserted, rows
there are left alone, so seeding twice changes nothing and never overwrites what staff or customers
changed since.

The demo stays fresh: its data was written as of `DEMO_DATES_AS_OF` (a Saturday), and at seed time its
dates move forward by whole weeks, so every date keeps its weekday, by kind (`DateShift`), today being
the business's (its time zone):
- what already happened (orders' `ordered_at`, `shipped_at`, `delivered_at`) by the most weeks that
  bring that Saturday to today or before it: no order reads as placed or shipped in the future;
- what is promised (orders' and products' ETAs, appointments) by the fewest weeks that bring it to
  today or after it: no ETA or appointment lies in the past.
Holidays never move (they are the calendar's). Seeding on or before that date moves nothing (the agent
eval seeds at it).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.business_pack import read_folder
from frontdesk.adapters.db import business_pack_rows as to
from frontdesk.adapters.db.business_import import apply_pack
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import channels, tenants
from frontdesk.adapters.db.transaction import SqlTx, upsert_insert
from frontdesk.domain.business_pack import Pack, PackError
from frontdesk.domain.errors import ConfigurationError

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo_data" / "lumen"
DEMO_DATES_AS_OF = date(2026, 11, 21)
"""The day the demo's data describes (a Saturday): its dates move by whole weeks from here to today."""
_TABLE_NAMES = {"customers": "contacts"}
"""What a pack calls a table whose database table has another name (the seed reports the latter)."""


@dataclass(frozen=True)
class DateShift:
    """How many days the demo's dates move: whole weeks, both 0 on or before the day it describes."""

    past_days: int = 0
    """For what happened (orders placed, shipped, delivered): rounded down, never after today."""
    future_days: int = 0
    """For what is promised (ETAs, appointments): rounded up, never before today."""


@dataclass
class SeedResult:
    tenant_id: int
    inserted: dict[str, int]
    shifted: DateShift = DateShift()


async def seed_business(
    store: SqlStore,
    *,
    folder: Path = DEMO_DIR,
    slug: str = "lumen",
    now: datetime,
    dates_as_of: date | None = None,
) -> SeedResult:
    """Load the pack in `folder` as tenant `slug`, its dates shifted (see the module); what was new.

    `dates_as_of` is the day the pack's data describes; by default `DEMO_DATES_AS_OF` for the demo's
    folder, and none (dates kept as written) for any other pack."""
    pack, as_of = await asyncio.to_thread(_read, folder, dates_as_of)
    assert pack.business is not None  # read_folder requires business.yaml
    shift = date_shift(as_of, now, ZoneInfo(pack.business.timezone)) if as_of else DateShift()
    pack = shift_dates(pack, shift)
    async with store.transaction() as tx:
        assert isinstance(tx, SqlTx)
        tenant_id, new_tenant = await _tenant(tx.conn, slug, pack, now)
        numbers = await _channel_count(tx.conn, tenant_id)
        report = await apply_pack(tx.conn, tenant_id, pack, now=now, only_new=True, secrets=tx.secrets)
        new_numbers = await _channel_count(tx.conn, tenant_id) - numbers
    inserted = {_TABLE_NAMES.get(t, t): c.created for t, c in report.tables.items() if c.created}
    inserted |= ({"tenants": 1} if new_tenant else {}) | ({"channels": new_numbers} if new_numbers else {})
    return SeedResult(tenant_id=tenant_id, inserted=inserted, shifted=shift)


def _read(folder: Path, dates_as_of: date | None) -> tuple[Pack, date | None]:
    try:
        pack = read_folder(folder)
    except PackError as exc:
        raise ConfigurationError(f"the business pack in {folder} is invalid: {exc}") from exc
    return pack, dates_as_of or (DEMO_DATES_AS_OF if folder.resolve() == DEMO_DIR else None)


def date_shift(as_of: date, now: datetime, tz: ZoneInfo) -> DateShift:
    """The whole weeks (in days) that bring `as_of` to `now`'s date in `tz`: at or before it for what
    happened, at or after it for what is promised; nothing if that date is `as_of` or earlier.

    One shift for both would leave either events in the future (rounded up: on Monday 7 Dec an order
    of Tuesday 17 Nov, three weeks on, reads "ordered Tue 8 Dec") or ETAs in the past (rounded down)."""
    days = (now.astimezone(tz).date() - as_of).days
    if days <= 0:
        return DateShift()
    return DateShift(past_days=7 * (days // 7), future_days=7 * -(-days // 7))


def shift_dates(pack: Pack, shift: DateShift) -> Pack:
    """The pack with its orders', products' and appointments' dates moved by `shift` (holidays stay)."""
    if shift == DateShift():
        return pack
    past, future = timedelta(days=shift.past_days), timedelta(days=shift.future_days)

    def happened(value: date | None) -> date | None:
        return value + past if value else None

    def promised(value: date | None) -> date | None:
        return value + future if value else None

    return pack.model_copy(
        update={
            "products": tuple(
                p.model_copy(update={"restock_eta": promised(p.restock_eta)}) for p in pack.products
            ),
            "orders": tuple(
                o.model_copy(
                    update={
                        "ordered_at": o.ordered_at + past,
                        "shipped_at": happened(o.shipped_at),
                        "delivered_at": happened(o.delivered_at),
                        "eta": promised(o.eta),
                    }
                )
                for o in pack.orders
            ),
            "appointments": tuple(
                a.model_copy(update={"start": a.start + future}) for a in pack.appointments
            ),
        }
    )


async def _tenant(conn: AsyncConnection, slug: str, pack: Pack, now: datetime) -> tuple[int, bool]:
    """The tenant `slug`, made from the pack's business when missing (an existing one is left as is)."""
    assert pack.business is not None
    values = to.tenant_values(pack.business, travel_buffer_min=pack.travel_buffer_min, profile={})
    stmt = upsert_insert(conn, tenants).values(slug=slug, created_at=to.as_of(now), **values)
    made = bool((await conn.execute(stmt.on_conflict_do_nothing(index_elements=["slug"]))).rowcount)
    tenant_id = (await conn.execute(select(tenants.c.id).where(tenants.c.slug == slug))).scalar_one()
    return int(tenant_id), made


async def _channel_count(conn: AsyncConnection, tenant_id: int) -> int:
    stmt = select(func.count()).select_from(channels).where(channels.c.tenant_id == tenant_id)
    return int((await conn.execute(stmt)).scalar_one())
