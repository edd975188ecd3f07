"""Loads a business from a folder of files (the demo's `lumen/`) into the database, idempotently.

Every row is inserted with ON CONFLICT DO NOTHING on its natural key, so seeding twice changes nothing
and never overwrites what staff or customers changed since.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import (
    AppointmentRow,
    ChannelRow,
    ContactRow,
    OrderRow,
    ProductRow,
    ServiceRow,
    TechnicianRow,
    TenantRow,
)
from frontdesk.adapters.db.transaction import SqlTx, upsert_insert
from frontdesk.domain.errors import ConfigurationError

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo_data" / "lumen"
_PROFILE_KEYS = ("opening_hours", "holidays", "website", "support_email", "legal_name", "languages")


@dataclass
class SeedResult:
    tenant_id: int
    inserted: dict[str, int]


async def seed_business(
    store: SqlStore, *, folder: Path = DEMO_DIR, slug: str = "lumen", now: datetime
) -> SeedResult:
    """Load the business in `folder` as tenant `slug`; returns how many rows of each kind were new."""
    data = _read(folder)
    inserted: dict[str, int] = {}
    async with store.transaction() as tx:
        assert isinstance(tx, SqlTx)
        conn = tx.conn
        biz = data["business"]
        wa = biz["whatsapp"]
        tenant_id = await _put(
            conn,
            TenantRow,
            ("slug",),
            inserted,
            slug=slug,
            name=biz["name"],
            timezone=biz["timezone"],
            currency=biz.get("currency", "GBP"),
            profile={
                **{k: biz[k] for k in _PROFILE_KEYS if k in biz},
                # Read by the booking tools (`BookingRules`): free time a technician needs after a visit.
                "booking": {"travel_buffer_min": int(data["services"].get("travel_buffer_min", 0))},
            },
            created_at=now,
        )
        await _put(
            conn,
            ChannelRow,
            ("phone_number_id",),
            inserted,
            tenant_id=tenant_id,
            phone_number_id=str(wa["phone_number_id"]),
            waba_id=str(wa.get("waba_id") or ""),
            display_phone_number=wa.get("display_phone_number"),
            name=biz["name"],
            enabled=True,
            created_at=now,
        )
        contact_ids = await _customers(conn, tenant_id, data["customers"], inserted, now)
        for p in data["products"]:
            await _put(conn, ProductRow, ("tenant_id", "sku"), inserted, tenant_id=tenant_id, **_product(p))
        for o in data["orders"]:
            await _put(
                conn,
                OrderRow,
                ("tenant_id", "order_ref"),
                inserted,
                tenant_id=tenant_id,
                contact_id=contact_ids[o["wa_id"]],
                **_order(o),
            )
        await _services(conn, tenant_id, data["services"], contact_ids, ZoneInfo(biz["timezone"]), inserted)
    return SeedResult(tenant_id=tenant_id, inserted=inserted)


def _read(folder: Path) -> dict[str, Any]:
    try:
        with (folder / "business.yaml").open() as f:
            business = yaml.safe_load(f)
        with (folder / "services.yaml").open() as f:
            services = yaml.safe_load(f)
        return {
            "business": business,
            "services": services,
            "customers": _csv(folder / "customers.csv"),
            "products": _csv(folder / "products.csv"),
            "orders": _csv(folder / "orders.csv"),
        }
    except (OSError, yaml.YAMLError, KeyError) as exc:
        raise ConfigurationError(f"cannot read business data in {folder}: {exc}") from exc


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


async def _put(
    conn: AsyncConnection, row_type: type, key: tuple[str, ...], inserted: dict[str, int], **values: Any
) -> int:
    """Insert unless a row with the same natural key exists; return the row's id either way."""
    table: Table = row_type.__table__  # type: ignore[attr-defined]
    stmt = upsert_insert(conn, table).values(**values).on_conflict_do_nothing(index_elements=list(key))
    if (await conn.execute(stmt)).rowcount:
        inserted[table.name] = inserted.get(table.name, 0) + 1
    where = [table.c[k] == values[k] for k in key]
    return int((await conn.execute(select(table.c.id).where(*where))).scalar_one())


async def _customers(
    conn: AsyncConnection,
    tenant_id: int,
    customers: list[dict[str, str]],
    inserted: dict[str, int],
    now: datetime,
) -> dict[str, int]:
    ids = {}
    for c in customers:
        ids[c["wa_id"]] = await _put(
            conn,
            ContactRow,
            ("tenant_id", "wa_id"),
            inserted,
            tenant_id=tenant_id,
            wa_id=c["wa_id"],
            name=c["name"],
            email=c["email"] or None,
            city=c["city"] or None,
            language=c["language"] or None,
            preferences=_preferences(c["preferences"]),
            marketing_opt_in=c["marketing_opt_in"] == "true",
            vip=c["vip"] == "true",
            created_at=now,
        )
    return ids


def _preferences(text: str) -> dict[str, str]:
    """`likes: audio; budget: high` -> {"likes": "audio", "budget": "high"}."""
    pairs = (part.split(":", 1) for part in text.split(";") if ":" in part)
    return {k.strip(): v.strip() for k, v in pairs}


def _product(p: dict[str, str]) -> dict[str, Any]:
    return {
        "sku": p["sku"],
        "name": p["name"],
        "category": p["category"],
        "price": Decimal(p["price"]),
        "stock": int(p["stock"]),
        "rating": Decimal(p["rating"]) if p.get("rating") else None,
        "tags": [t for t in p.get("tags", "").split(";") if t],
        "description": p.get("description", ""),
        "restock_eta": p.get("restock_eta") or None,
    }


def _order(o: dict[str, str]) -> dict[str, Any]:
    items = []
    for part in o["items"].split(";"):
        sku, _, qty = part.strip().partition(" x")
        items.append({"sku": sku.strip(), "qty": int(qty or 1)})
    return {
        "order_ref": o["order_id"],
        "items": items,
        "total": Decimal(o["total"]),
        "status": o["status"],
        "carrier": o["carrier"] or None,
        "tracking": o["tracking"] or None,
        "ordered_at": o["ordered_at"],
        "shipped_at": o["shipped_at"] or None,
        "delivered_at": o["delivered_at"] or None,
        "eta": o["eta"] or None,
    }


async def _services(
    conn: AsyncConnection,
    tenant_id: int,
    data: dict[str, Any],
    contact_ids: dict[str, int],
    tz: ZoneInfo,
    inserted: dict[str, int],
) -> None:
    service_ids, durations, tech_ids = {}, {}, {}
    for s in data["services"]:
        service_ids[s["id"]] = await _put(
            conn,
            ServiceRow,
            ("tenant_id", "code"),
            inserted,
            tenant_id=tenant_id,
            code=s["id"],
            name=s["name"],
            duration_min=int(s["duration_min"]),
            price=Decimal(str(s["price"])),
            remote=bool(s.get("remote")),
            requires=list(s.get("requires", [])),
            description=s.get("description", ""),
        )
        durations[s["id"]] = int(s["duration_min"])
    for t in data["technicians"]:
        tech_ids[t["id"]] = await _put(
            conn,
            TechnicianRow,
            ("tenant_id", "code"),
            inserted,
            tenant_id=tenant_id,
            code=t["id"],
            name=t["name"],
            skills=list(t["skills"]),
            areas=list(t["areas"]),
            hours=dict(t["hours"]),
        )
    for a in data.get("appointments", []):
        start = datetime.fromisoformat(a["start"]).replace(tzinfo=tz)
        await _put(
            conn,
            AppointmentRow,
            ("tenant_id", "ref"),
            inserted,
            tenant_id=tenant_id,
            ref=a["id"],
            service_id=service_ids[a["service"]],
            technician_id=tech_ids[a["technician"]],
            contact_id=contact_ids[str(a["wa_id"])],
            start_at=start,
            end_at=start + timedelta(minutes=durations[a["service"]]),
            city=a.get("city"),
            status="booked",
        )
