"""A business pack into a tenant's rows: checked against what the tenant has, then upserted by key.

`apply_pack` runs inside the caller's transaction (a new tenant and its pack are one transaction). It
reads the tenant's rows once per table, decides per row created / updated / unchanged / refused by
comparing the pack's row with the one an export would write, and only then writes, in bulk statements
(a multi-row INSERT ... ON CONFLICT DO NOTHING and an executemany UPDATE per table), never a query per
row. Any problem raises `PackError` before the first write, so the caller's rollback is a formality.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db import business_pack_rows as to
from frontdesk.adapters.db import business_record_rows as records
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
from frontdesk.adapters.db.transaction import upsert_insert
from frontdesk.adapters.secret_box import SecretBox
from frontdesk.domain.business_pack import (
    PACK_TABLES,
    ImportReport,
    Pack,
    PackError,
    PackProblem,
    TableCounts,
)
from frontdesk.domain.business_records import (
    KEYS,
    BusinessTable,
    CustomerRecord,
    ProductRecord,
    ServiceRecord,
)
from frontdesk.domain.errors import ConfigurationError, NotFoundError

_TABLES: dict[str, tuple[Table, str]] = {
    "products": (products, "sku"),
    "customers": (contacts, "wa_id"),
    "orders": (orders, "order_ref"),
    "services": (services, "code"),
    "technicians": (technicians, "code"),
    "appointments": (appointments, "ref"),
}
"""Each pack table's database table and key column (unique with the tenant)."""
_PACK_KEYS = {t: KEYS[BusinessTable(t)] for t in PACK_TABLES}
"""Each pack table's key field: its records'."""


@dataclass
class _Tenant:
    """What the tenant has, as pack rows by key with their ids: read once, before deciding anything."""

    row: Any
    tz: ZoneInfo
    rows: dict[str, dict[str, tuple[int, Any]]] = field(default_factory=dict)

    def has(self, table: str, key: str) -> bool:
        return key in self.rows[table]


@dataclass
class _Plan:
    """A table's rows to insert and to update (with their ids), and the counts to report."""

    new: list[Any] = field(default_factory=list)
    changed: list[tuple[int, Any]] = field(default_factory=list)
    unchanged: int = 0
    refused: int = 0


async def apply_pack(
    conn: AsyncConnection,
    tenant_id: int,
    pack: Pack,
    *,
    now: datetime,
    dry_run: bool = False,
    only_new: bool = False,
    secrets: SecretBox | None = None,
) -> ImportReport:
    """Import `pack` into tenant `tenant_id` inside the caller's transaction; the report says what changed.

    `dry_run` writes nothing; `only_new` inserts missing rows and leaves existing ones as they are (the
    demo seed: what staff changed stays). `secrets` seals a channel's own access token (`tx.secrets`).
    `PackError` (with `.report`) lists every problem, nothing written."""
    have = await _load(conn, tenant_id, pack)
    problems = _cross_check(pack, have) + await _channel_problems(conn, tenant_id, pack)
    refused = _refused_rows(problems)
    plans = {t: _plan(t, getattr(pack, t), have, only_new, refused.get(t, set())) for t in PACK_TABLES}
    report = ImportReport(
        dry_run=dry_run,
        tables={
            t: TableCounts(
                created=len(p.new), updated=len(p.changed), unchanged=p.unchanged, refused=p.refused
            )
            for t, p in plans.items()
        },
        problems=tuple(problems),
    )
    if problems:
        raise PackError(problems, report=report)
    if not dry_run:
        await _write_business(conn, have, pack, now=now, only_new=only_new, secrets=secrets)
        await _write_tables(conn, have, pack, plans, now=now)
    return report


# -- reading what the tenant has


async def _load(conn: AsyncConnection, tenant_id: int, pack: Pack) -> _Tenant:
    row = (await conn.execute(select(tenants).where(tenants.c.id == tenant_id))).first()
    if row is None:
        raise NotFoundError(f"tenant {tenant_id} not found")
    tz = ZoneInfo(pack.business.timezone if pack.business else row.timezone)
    have = _Tenant(row=row, tz=tz)
    have.rows["products"] = await _keyed(
        conn, products, "sku", tenant_id, lambda r: records.product_from_row(r, ProductRecord)
    )
    have.rows["customers"] = await _keyed(
        conn, contacts, "wa_id", tenant_id, lambda r: records.customer_from_row(r, CustomerRecord)
    )
    have.rows["services"] = await _keyed(
        conn, services, "code", tenant_id, lambda r: records.service_from_row(r, ServiceRecord)
    )
    have.rows["technicians"] = await _keyed(conn, technicians, "code", tenant_id, records.technician_from_row)
    wa = {i: k for k, (i, _) in have.rows["customers"].items()}
    have.rows["orders"] = (
        await _keyed(
            conn, orders, "order_ref", tenant_id, lambda r: records.order_from_row(r, wa[r.contact_id])
        )
        if pack.orders
        else {}
    )
    have.rows["appointments"] = await _appointments(conn, tenant_id, have) if pack.appointments else {}
    return have


async def _keyed(
    conn: AsyncConnection, table: Table, key: str, tenant_id: int, read: Callable[[Any], Any]
) -> dict[str, tuple[int, Any]]:
    result = await conn.execute(select(table).where(table.c.tenant_id == tenant_id).order_by(table.c.id))
    return {getattr(r, key): (r.id, read(r)) for r in result}


async def _appointments(conn: AsyncConnection, tenant_id: int, have: _Tenant) -> dict[str, tuple[int, Any]]:
    codes = {
        name: {i: k for k, (i, _) in have.rows[name].items()}
        for name in ("services", "technicians", "customers")
    }
    return await _keyed(
        conn,
        appointments,
        "ref",
        tenant_id,
        lambda r: to.appointment_from_row(
            r,
            service=codes["services"][r.service_id],
            technician=codes["technicians"][r.technician_id],
            customer=codes["customers"][r.contact_id],
            tz=have.tz,
        ),
    )


# -- checks that need the tenant's rows


def _cross_check(pack: Pack, have: _Tenant) -> list[PackProblem]:
    """References between tables: each must name a row of the pack or one the tenant already has."""
    known = {
        table: {getattr(r, key) for r in getattr(pack, table)} | set(have.rows[table])
        for table, key in (
            ("products", "sku"),
            ("customers", "wa_id"),
            ("services", "code"),
            ("technicians", "code"),
        )
    }
    problems: list[PackProblem] = []
    for n, o in enumerate(pack.orders, 1):
        if o.customer not in known["customers"]:
            problems.append(
                _row_problem(
                    "orders", n, "wa_id", o.customer, "is not in customers.csv nor a customer already"
                )
            )
        problems += [
            _row_problem("orders", n, "items", i.sku, "is not in products.csv nor the catalog already")
            for i in o.items
            if i.sku not in known["products"]
        ]
    refs = (
        ("services", "requires", "products", "a product"),
        ("technicians", "skills", "services", "a service"),
    )
    for table, attr, target, what in refs:
        for n, item in enumerate(getattr(pack, table), 1):
            problems += [
                _yaml_problem(f"{table}[{n}].{attr}", ref, f"is not {what} of the pack nor the business")
                for ref in getattr(item, attr)
                if ref not in known[target]
            ]
    for n, a in enumerate(pack.appointments, 1):
        for attr, key, target, what in (  # the record's field, services.yaml's key
            ("service", "service", "services", "a service"),
            ("technician", "technician", "technicians", "a technician"),
            ("customer", "wa_id", "customers", "a customer"),
        ):
            if getattr(a, attr) not in known[target]:
                problems.append(
                    _yaml_problem(
                        f"appointments[{n}].{key}",
                        getattr(a, attr),
                        f"is not {what} of the pack nor the business",
                    )
                )
    return problems


def _row_problem(table: str, row: int, column: str, value: str, reason: str) -> PackProblem:
    return PackProblem(file=f"{table}.csv", row=row, column=column, message=f'{column} "{value}" {reason}')


def _yaml_problem(path: str, value: str, reason: str) -> PackProblem:
    return PackProblem(file="services.yaml", column=path, message=f'{path} "{value}" {reason}')


async def _channel_problems(conn: AsyncConnection, tenant_id: int, pack: Pack) -> list[PackProblem]:
    if pack.business is None or pack.business.whatsapp is None:
        return []
    number = pack.business.whatsapp.phone_number_id
    owner = (
        await conn.execute(select(channels.c.tenant_id).where(channels.c.phone_number_id == number))
    ).scalar_one_or_none()
    if owner is None or owner == tenant_id:
        return []
    # A number answers for one business: registering it again would take another tenant's customers.
    message = f'whatsapp.phone_number_id "{number}" is already registered to another business'
    return [PackProblem(file="business.yaml", column="whatsapp.phone_number_id", message=message)]


def _refused_rows(problems: Iterable[PackProblem]) -> dict[str, set[int]]:
    """Rows with a problem, per table, from the problems' file and row (YAML: the list position)."""
    out: dict[str, set[int]] = {}
    for p in problems:
        if p.file.endswith(".csv") and p.row is not None:
            out.setdefault(p.file.removesuffix(".csv"), set()).add(p.row)
        elif p.file == "services.yaml" and p.column and "[" in p.column:
            table, _, rest = p.column.partition("[")
            out.setdefault(table, set()).add(int(rest.partition("]")[0]))
    return out


def _plan(table: str, rows: Sequence[Any], have: _Tenant, only_new: bool, refused: set[int]) -> _Plan:
    plan = _Plan(refused=len(refused))
    for n, row in enumerate(rows, 1):
        if n in refused:
            continue
        existing = have.rows[table].get(getattr(row, _PACK_KEYS[table]))
        if existing is None:
            plan.new.append(row)
        elif only_new or existing[1] == row:
            plan.unchanged += 1
        else:
            plan.changed.append((existing[0], row))
    return plan


# -- writing


async def _write_business(
    conn: AsyncConnection,
    have: _Tenant,
    pack: Pack,
    *,
    now: datetime,
    only_new: bool,
    secrets: SecretBox | None,
) -> None:
    b = pack.business
    if b is None:
        return
    if not only_new:
        values = to.tenant_values(b, travel_buffer_min=pack.travel_buffer_min, profile=have.row.profile or {})
        await conn.execute(update(tenants).where(tenants.c.id == have.row.id).values(**values))
    if b.whatsapp is None:
        return
    wa = b.whatsapp
    if wa.access_token and secrets is None:
        raise ConfigurationError("apply_pack needs `secrets` to store a channel's own access token")
    token = secrets.seal(wa.access_token) if wa.access_token and secrets else None
    number = {"waba_id": wa.waba_id, "display_phone_number": wa.display_phone_number}
    number |= {"access_token": token} if token else {}
    inserted = await conn.execute(
        upsert_insert(conn, channels)
        .values(
            tenant_id=have.row.id,
            phone_number_id=wa.phone_number_id,
            name=b.name,
            enabled=True,
            created_at=to.as_of(now),
            **number,
        )
        .on_conflict_do_nothing(index_elements=["phone_number_id"])
    )
    if not inserted.rowcount and not only_new:
        await conn.execute(
            update(channels)
            .where(channels.c.phone_number_id == wa.phone_number_id, channels.c.tenant_id == have.row.id)
            .values(**number)
        )


async def _write_tables(
    conn: AsyncConnection, have: _Tenant, pack: Pack, plans: Mapping[str, _Plan], *, now: datetime
) -> None:
    tenant_id = have.row.id
    created = {"created_at": to.as_of(now)}
    await _put(
        conn, tenant_id, "customers", plans["customers"], lambda c: records.customer_values(c) | created
    )
    await _put(conn, tenant_id, "products", plans["products"], records.product_values)
    # The customers' ids, new ones included, for the orders and appointments that name them.
    ids = {"customers": await _ids(conn, "customers", tenant_id)} if pack.orders or pack.appointments else {}
    await _put(
        conn,
        tenant_id,
        "orders",
        plans["orders"],
        lambda o: records.order_values(o, ids["customers"][o.customer]),
    )
    await _put(conn, tenant_id, "services", plans["services"], records.service_values)
    await _put(conn, tenant_id, "technicians", plans["technicians"], records.technician_values)
    if not pack.appointments:
        return
    ids["services"] = await _ids(conn, "services", tenant_id)
    ids["technicians"] = await _ids(conn, "technicians", tenant_id)
    durations = {s.code: s.duration_min for s in pack.services} | {
        k: s.duration_min
        for k, (_, s) in have.rows["services"].items()
        if k not in {x.code for x in pack.services}
    }
    await _put(
        conn,
        tenant_id,
        "appointments",
        plans["appointments"],
        lambda a: to.appointment_values(
            a,
            service_id=ids["services"][a.service],
            technician_id=ids["technicians"][a.technician],
            contact_id=ids["customers"][a.customer],
            duration_min=durations[a.service],
            tz=have.tz,
        ),
    )


async def _ids(conn: AsyncConnection, name: str, tenant_id: int) -> dict[str, int]:
    table, key = _TABLES[name]
    result = await conn.execute(select(table.c.id, table.c[key]).where(table.c.tenant_id == tenant_id))
    return {k: i for i, k in result}


async def _put(
    conn: AsyncConnection, tenant_id: int, name: str, plan: _Plan, values: Callable[[Any], dict[str, Any]]
) -> None:
    """Insert the plan's new rows in one multi-row INSERT and update its changed rows in one executemany."""
    table, key = _TABLES[name]
    if plan.new:
        stmt = upsert_insert(conn, table).on_conflict_do_nothing(index_elements=["tenant_id", key])
        await conn.execute(stmt, [{"tenant_id": tenant_id, **values(row)} for row in plan.new])
    if plan.changed:
        rows = [values(row) for _, row in plan.changed]
        columns = [c for c in rows[0] if c not in ("created_at", key)]
        # Bind names differ from the columns': SQLAlchemy reserves a column's own name for its SET value.
        stmt = (
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({c: bindparam(f"new_{c}") for c in columns})
        )
        params = [
            {"row_id": i, **{f"new_{c}": v[c] for c in columns}}
            for (i, _), v in zip(plan.changed, rows, strict=True)
        ]
        await conn.execute(stmt, params)
