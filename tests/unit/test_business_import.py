"""Importing a business pack into a tenant and exporting it back, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select, update

from frontdesk.adapters.db.business_export import SqlBusinessPacks
from frontdesk.adapters.db.business_import import apply_pack
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import (
    appointments,
    channels,
    contacts,
    orders,
    products,
    services,
    technicians,
    tenants,
)
from frontdesk.adapters.db.transaction import SqlTx
from frontdesk.domain.business import AppointmentStatus, OrderLine, OrderStatus
from frontdesk.domain.business_pack import Pack, PackError, TableCounts
from frontdesk.domain.business_records import OrderRecord
from tests.support.packs import demo_pack, full_pack

NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)
TABLES = (tenants, channels, contacts, products, orders, services, technicians, appointments)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[SqlStore]:
    store = SqlStore(make_engine(database_url))
    await upgrade(store.engine)
    yield store
    await store.dispose()


async def new_tenant(db: SqlStore, slug: str) -> int:
    async with db.begin() as conn:
        stmt = insert(tenants).values(slug=slug, name=slug, created_at=NOW).returning(tenants.c.id)
        return int((await conn.execute(stmt)).scalar_one())


async def counts(db: SqlStore) -> dict[str, int]:
    async with db.begin() as conn:
        return {
            t.name: (await conn.execute(select(func.count()).select_from(t))).scalar_one() for t in TABLES
        }


def rows_only(pack: Pack) -> Pack:
    """What the database holds of a pack: no documents, no team, no channel token."""
    business = pack.business
    if business is not None and business.whatsapp is not None:
        whatsapp = business.whatsapp.model_copy(update={"access_token": None})
        business = business.model_copy(update={"whatsapp": whatsapp})
    return pack.model_copy(update={"kb": {}, "team_yaml": None, "business": business})


async def test_the_demo_imports_then_reimports_unchanged_and_exports_as_it_came(db: SqlStore) -> None:
    packs = SqlBusinessPacks(db)
    tenant = await new_tenant(db, "lumen")
    first = await packs.import_pack(tenant, demo_pack(), now=NOW)
    assert first.ok and first.tables["products"] == TableCounts(created=22)
    assert first.tables["customers"].created == 8 and first.tables["appointments"].created == 3
    second = await packs.import_pack(tenant, demo_pack(), now=NOW)
    assert all(c == TableCounts(unchanged=c.unchanged) for c in second.tables.values())
    assert second.tables["orders"].unchanged == 14
    assert await packs.export_pack(tenant) == rows_only(demo_pack())


async def test_every_optional_field_survives_the_round_trip(db: SqlStore) -> None:
    packs = SqlBusinessPacks(db)
    tenant = await new_tenant(db, "salon")
    await packs.import_pack(tenant, full_pack(access_token="EAAG-own-token"), now=NOW)
    assert await packs.export_pack(tenant) == rows_only(full_pack())
    async with db.begin() as conn:
        row = (await conn.execute(select(channels).where(channels.c.tenant_id == tenant))).one()
        kept = (
            await conn.execute(select(tenants.c.profile, tenants.c.currency).where(tenants.c.id == tenant))
        ).one()
    assert row.access_token.startswith("enc:") and "EAAG" not in row.access_token  # sealed at rest
    assert db.secrets.open(row.access_token) == "EAAG-own-token"
    assert (
        kept.currency == "EUR"
        and kept.profile["locale"] == "de-DE"
        and kept.profile["booking"] == {"travel_buffer_min": 15}
    )


async def test_changed_rows_are_updated_and_only_new_leaves_them(db: SqlStore) -> None:
    packs = SqlBusinessPacks(db)
    tenant = await new_tenant(db, "salon")
    await packs.import_pack(tenant, full_pack(), now=NOW)
    pack = full_pack()
    cheaper = pack.products[0].model_copy(update={"price": Decimal("9.90")})
    changed = pack.model_copy(update={"products": (cheaper, pack.products[1])})
    kept = await packs.import_pack(tenant, changed, now=NOW, only_new=True)
    assert kept.tables["products"] == TableCounts(unchanged=2)
    assert (await packs.export_pack(tenant)).products[0].price == Decimal("14.90")
    report = await packs.import_pack(tenant, changed, now=NOW)
    assert report.tables["products"] == TableCounts(updated=1, unchanged=1)
    assert (await packs.export_pack(tenant)).products[0].price == Decimal("9.90")


async def test_a_dry_run_counts_and_writes_nothing(db: SqlStore) -> None:
    tenant = await new_tenant(db, "salon")
    before = await counts(db)
    report = await SqlBusinessPacks(db).import_pack(tenant, full_pack(), now=NOW, dry_run=True)
    assert report.dry_run and report.tables["products"].created == 2
    assert await counts(db) == before


async def test_a_refused_pack_names_every_problem_and_changes_nothing(db: SqlStore) -> None:
    packs = SqlBusinessPacks(db)
    tenant = await new_tenant(db, "salon")
    pack = full_pack()
    stray = OrderRecord(
        ref="SS-9",
        customer="4915199999999",
        items=(OrderLine(sku="NOPE", qty=1),),
        total=Decimal(1),
        status="processing",
        ordered_at=NOW.date(),
    )
    ghost = pack.appointments[0].model_copy(update={"service": "perm", "technician": "zoe"})
    bad = pack.model_copy(update={"orders": (*pack.orders, stray), "appointments": (ghost,)})
    before = await counts(db)
    with pytest.raises(PackError) as caught:
        await packs.import_pack(tenant, bad, now=NOW)
    assert [str(p) for p in caught.value.problems] == [
        'orders.csv row 2: wa_id "4915199999999" is not in customers.csv nor a customer already',
        'orders.csv row 2: items "NOPE" is not in products.csv nor the catalog already',
        'services.yaml: appointments[1].service "perm" is not a service of the pack nor the business',
        'services.yaml: appointments[1].technician "zoe" is not a technician of the pack nor the business',
    ]
    report = caught.value.report
    assert report is not None and report.tables["orders"] == TableCounts(created=1, refused=1)
    assert report.tables["appointments"].refused == 1
    assert await counts(db) == before


async def test_references_may_name_rows_the_tenant_already_has(db: SqlStore) -> None:
    packs = SqlBusinessPacks(db)
    tenant = await new_tenant(db, "salon")
    await packs.import_pack(tenant, full_pack(), now=NOW)
    order = full_pack().orders[0].model_copy(update={"ref": "SS-2"})
    report = await packs.import_pack(tenant, Pack(orders=(order,)), now=NOW)
    assert report.tables["orders"] == TableCounts(created=1)
    assert [o.ref for o in (await packs.export_pack(tenant)).orders] == ["SS-1", "SS-2"]


async def test_a_number_of_another_business_is_refused_not_taken(db: SqlStore) -> None:
    packs = SqlBusinessPacks(db)
    first = await new_tenant(db, "lumen")
    second = await new_tenant(db, "copycat")
    await packs.import_pack(first, demo_pack(), now=NOW)
    before = await counts(db)
    with pytest.raises(PackError) as caught:
        await packs.import_pack(second, demo_pack(), now=NOW)
    assert [str(p) for p in caught.value.problems] == [
        'business.yaml: whatsapp.phone_number_id "109876543210001" is already registered to another business'
    ]
    assert await counts(db) == before


async def test_two_businesses_share_a_customer_and_keep_their_own_orders(db: SqlStore) -> None:
    packs = SqlBusinessPacks(db)
    lumen = await new_tenant(db, "lumen")
    salon = await new_tenant(db, "salon")
    await packs.import_pack(lumen, demo_pack(), now=NOW)
    amelia = demo_pack().customers[0]
    pack = full_pack()
    order = pack.orders[0].model_copy(update={"customer": amelia.wa_id})
    await packs.import_pack(
        salon, pack.model_copy(update={"customers": (*pack.customers, amelia), "orders": (order,)}), now=NOW
    )
    lumen_orders = [o for o in (await packs.export_pack(lumen)).orders if o.customer == amelia.wa_id]
    salon_export = await packs.export_pack(salon)
    assert [o.ref for o in lumen_orders] == ["LH-100231", "LH-100245"]
    assert [o.ref for o in salon_export.orders] == ["SS-1"]
    assert not any(p.sku.startswith("LH-") for p in salon_export.products)


async def test_the_tenant_takes_the_business_and_keeps_other_profile_keys(db: SqlStore) -> None:
    tenant = await new_tenant(db, "salon")
    async with db.begin() as conn:
        await conn.execute(
            update(tenants)
            .where(tenants.c.id == tenant)
            .values(profile={"returns_policy": {"window_days": 14}})
        )
    async with db.transaction() as tx:
        assert isinstance(tx, SqlTx)
        await apply_pack(tx.conn, tenant, full_pack(), now=NOW)
    async with db.begin() as conn:
        row = (await conn.execute(select(tenants).where(tenants.c.id == tenant))).one()
    assert (row.name, row.timezone, row.currency) == ("Salon Süd", "Europe/Berlin", "EUR")
    assert row.profile["returns_policy"] == {"window_days": 14}
    assert row.profile["opening_hours"] == {"mon": [], "tue": ["09:00", "18:00"], "sat": ["10:00", "14:00"]}
    assert row.profile["contacts"]["address"] == "Südstr. 1, Berlin"


async def test_a_changed_row_of_every_table_is_updated(db: SqlStore) -> None:
    packs = SqlBusinessPacks(db)
    tenant = await new_tenant(db, "salon")
    pack = full_pack()
    await packs.import_pack(tenant, pack, now=NOW)

    def first_changed(rows: tuple, **change: object) -> tuple:
        return (rows[0].model_copy(update=change), *rows[1:])

    changed = pack.model_copy(
        update={
            "products": first_changed(pack.products, tags=("new",), restock_eta=None),
            "customers": first_changed(pack.customers, preferences={"stylist": "leo"}, vip=False),
            "orders": first_changed(
                pack.orders, status=OrderStatus.DELIVERED, items=(OrderLine(sku="SS-COMB", qty=3),)
            ),
            "services": first_changed(pack.services, requires=(), price=Decimal("40")),
            "technicians": first_changed(pack.technicians, hours={}, areas=("Potsdam",)),
            "appointments": first_changed(
                pack.appointments, start=datetime(2026, 11, 25, 16, 0), status=AppointmentStatus.BOOKED
            ),
        }
    )
    report = await packs.import_pack(tenant, changed, now=NOW)
    assert {t: c.updated for t, c in report.tables.items()} == dict.fromkeys(report.tables, 1)
    assert await packs.export_pack(tenant) == rows_only(changed)


async def test_business_yaml_replaces_the_settings_it_names_and_keeps_the_others(db: SqlStore) -> None:
    from frontdesk.adapters.business_pack import read_files

    packs = SqlBusinessPacks(db)
    tenant = await new_tenant(db, "salon")
    await packs.import_pack(tenant, full_pack(), now=NOW)
    renamed = read_files(
        {"business.yaml": b"name: Salon Nord\ntimezone: Europe/Berlin\ncurrency: EUR\nholidays: []\n"}
    )
    await packs.import_pack(tenant, renamed, now=NOW)
    business = (await packs.export_pack(tenant)).business
    assert business is not None and business.name == "Salon Nord"
    assert business.holidays == ()  # named empty: cleared
    assert business.opening_hours == full_pack().business.opening_hours  # type: ignore[union-attr]  # not named: kept
    assert business.website == "https://salon-sued.example" and business.locale == "de-DE"
