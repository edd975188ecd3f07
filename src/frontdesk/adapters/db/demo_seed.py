"""Loads the demo business (the pack in `demo_data/lumen/`) the way any business pack is imported.

The demo is read with the pack reader and imported with `only_new`: rows missing are inserted, rows
there are left alone, so seeding twice changes nothing and never overwrites what staff or customers
changed since.

The demo stays fresh: its data was written as of `DEMO_DATES_AS_OF` (a Saturday), and at seed time its
dates (orders' dates and ETAs, products' restock ETAs, appointments; not holidays) move forward by the
fewest whole weeks that bring that Saturday to today or after it, in the business's time zone: open
orders' ETAs and appointments lie ahead and every date keeps its weekday. Seeding on or before that
date moves nothing (the agent eval seeds at it).
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


@dataclass
class SeedResult:
    tenant_id: int
    inserted: dict[str, int]
    shifted_days: int = 0


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
    days = 7 * shift_weeks(as_of, now, ZoneInfo(pack.business.timezone)) if as_of else 0
    pack = shift_dates(pack, days=days)
    async with store.transaction() as tx:
        assert isinstance(tx, SqlTx)
        tenant_id, new_tenant = await _tenant(tx.conn, slug, pack, now)
        numbers = await _channel_count(tx.conn, tenant_id)
        report = await apply_pack(tx.conn, tenant_id, pack, now=now, only_new=True, secrets=tx.secrets)
        new_numbers = await _channel_count(tx.conn, tenant_id) - numbers
    inserted = {_TABLE_NAMES.get(t, t): c.created for t, c in report.tables.items() if c.created}
    inserted |= ({"tenants": 1} if new_tenant else {}) | ({"channels": new_numbers} if new_numbers else {})
    return SeedResult(tenant_id=tenant_id, inserted=inserted, shifted_days=days)


def _read(folder: Path, dates_as_of: date | None) -> tuple[Pack, date | None]:
    try:
        pack = read_folder(folder)
    except PackError as exc:
        raise ConfigurationError(f"the business pack in {folder} is invalid: {exc}") from exc
    return pack, dates_as_of or (DEMO_DATES_AS_OF if folder.resolve() == DEMO_DIR else None)


def shift_weeks(as_of: date, now: datetime, tz: ZoneInfo) -> int:
    """The fewest whole weeks that bring `as_of` to `now`'s date in `tz` or after it; never negative.

    Rounded up, not down: the demo's ETAs and appointments start on `as_of`, so only a shift that lands
    it on or after today keeps them all ahead (the price: its latest orders may be dated a few days on)."""
    return max(0, -(-(now.astimezone(tz).date() - as_of).days // 7))


def shift_dates(pack: Pack, *, days: int) -> Pack:
    """The pack with its orders', products' and appointments' dates `days` later (holidays stay)."""
    if not days:
        return pack
    delta = timedelta(days=days)

    def later(value: date | None) -> date | None:
        return value + delta if value else None

    return pack.model_copy(
        update={
            "products": tuple(
                p.model_copy(update={"restock_eta": later(p.restock_eta)}) for p in pack.products
            ),
            "orders": tuple(
                o.model_copy(
                    update={
                        "ordered_at": o.ordered_at + delta,
                        "shipped_at": later(o.shipped_at),
                        "delivered_at": later(o.delivered_at),
                        "eta": later(o.eta),
                    }
                )
                for o in pack.orders
            ),
            "appointments": tuple(a.model_copy(update={"start": a.start + delta}) for a in pack.appointments),
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
