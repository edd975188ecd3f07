"""`SqlBusinessRecords`: the business tables as staff edit them, by key (implements `BusinessRecords`).

Pages are keyset-paged on the table's key (ascending), so they stay cheap and stable while rows are
added. A write resolves the keys a record refers to (an order's customer and SKUs, an appointment's
service, technician and customer, a technician's skills, a service's required SKUs) inside its
transaction, so it never stores a reference to a row another request just deleted; the audit entry
commits with it. Deleting a row others depend on is refused, because the foreign keys cascade: a
service's deletion would otherwise silently take its appointments with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db import business_record_rows as rows
from frontdesk.adapters.db.audit import insert_audit
from frontdesk.adapters.db.business_admin_rows import VIEWS, search
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import (
    appointments,
    contacts,
    conversations,
    orders,
    products,
    services,
    technicians,
)
from frontdesk.adapters.db.tables_agents import returns, staff_tasks
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.business_records import (
    KEYS,
    AppointmentRecord,
    BusinessTable,
    CustomerRecord,
    InvalidField,
    OrderRecord,
    ProductRecord,
    Record,
    RecordQuery,
    ServiceRecord,
    TechnicianRecord,
    key_of,
    table_of,
)
from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.inbox import InvalidCursor, Page, decode_cursor, encode_cursor

_TABLES: dict[BusinessTable, Table] = {
    BusinessTable.PRODUCTS: products,
    BusinessTable.CUSTOMERS: contacts,
    BusinessTable.ORDERS: orders,
    BusinessTable.SERVICES: services,
    BusinessTable.TECHNICIANS: technicians,
    BusinessTable.APPOINTMENTS: appointments,
}
_SINGULAR = {
    BusinessTable.PRODUCTS: "product",
    BusinessTable.CUSTOMERS: "customer",
    BusinessTable.ORDERS: "order",
    BusinessTable.SERVICES: "service",
    BusinessTable.TECHNICIANS: "technician",
    BusinessTable.APPOINTMENTS: "appointment",
}
_DEPENDENTS: dict[BusinessTable, list[tuple[Table, str, str]]] = {
    BusinessTable.CUSTOMERS: [
        (conversations, "contact_id", "conversations (erase them with POST /api/v1/contacts/{id}/erase)"),
        (orders, "contact_id", "orders"),
        (appointments, "contact_id", "appointments"),
        (returns, "contact_id", "returns"),
        (staff_tasks, "contact_id", "staff tasks"),
    ],
    BusinessTable.ORDERS: [(returns, "order_id", "returns")],
    BusinessTable.SERVICES: [(appointments, "service_id", "appointments")],
    BusinessTable.TECHNICIANS: [(appointments, "technician_id", "appointments")],
}
"""Rows that refer to a row by its id, with what to call them in the refusal."""


def _missing(table: BusinessTable, key: str) -> NotFoundError:
    return NotFoundError(f"no {_SINGULAR[table]} {key!r} in this tenant")


class SqlBusinessRecords:
    def __init__(self, store: SqlStore):
        self._store = store

    async def page(self, tenant_id: int, table: BusinessTable, query: RecordQuery) -> Page[Record]:
        view = VIEWS[table]
        stmt = view.select().where(view.tenant == tenant_id)
        if query.q:
            stmt = stmt.where(search(view, query.q))
        if query.status is not None:
            stmt = stmt.where(orders.c.status == query.status.value)
        if query.customer is not None:
            stmt = stmt.where(contacts.c.wa_id == query.customer)
        if query.cursor is not None:
            (after,) = decode_cursor(query.cursor, size=1)
            if not isinstance(after, str):
                raise InvalidCursor("cursor: not a cursor this list gave out")
            stmt = stmt.where(view.key > after)
        stmt = stmt.order_by(view.key).limit(query.limit + 1)
        async with self._store.read() as conn:
            found = (await conn.execute(stmt)).all()
        items = [view.record(r) for r in found[: query.limit]]
        more = len(found) > query.limit
        return Page(items=items, next_cursor=encode_cursor(key_of(items[-1])) if more else None)

    async def get(self, tenant_id: int, table: BusinessTable, key: str) -> Record:
        async with self._store.read() as conn:
            return await _get(conn, tenant_id, table, key)

    async def add(self, tenant_id: int, record: Record, *, audit: AuditEntry) -> Record:
        table = table_of(record)
        key = key_of(record)
        try:
            async with self._store.begin() as conn:
                if await _id_of(conn, tenant_id, table, key) is not None:
                    raise _taken(table, key)
                values = await _values(conn, tenant_id, record)
                if table is BusinessTable.CUSTOMERS:
                    values["created_at"] = audit.at
                await conn.execute(insert(_TABLES[table]).values(tenant_id=tenant_id, **values))
                await _audit(conn, audit, table, await _id_of(conn, tenant_id, table, key))
                return await _get(conn, tenant_id, table, key)
        except IntegrityError:  # added by a concurrent request between the check and the insert
            raise _taken(table, key) from None

    async def change(
        self,
        tenant_id: int,
        table: BusinessTable,
        key: str,
        edit: Callable[[Record], Record],
        *,
        audit: Callable[[Record, Record], AuditEntry],
    ) -> Record:
        async with self._store.begin() as conn:
            row_id = await _id_of(conn, tenant_id, table, key, lock=True)
            if row_id is None:
                raise _missing(table, key)
            before = await _get(conn, tenant_id, table, key)
            after = edit(before)
            values = await _values(conn, tenant_id, after)
            target = _TABLES[table]
            await conn.execute(update(target).where(target.c.id == row_id).values(**values))
            await _audit(conn, audit(before, after), table, row_id)
            return await _get(conn, tenant_id, table, key)

    async def remove(self, tenant_id: int, table: BusinessTable, key: str, *, audit: AuditEntry) -> None:
        async with self._store.begin() as conn:
            row_id = await _id_of(conn, tenant_id, table, key)
            if row_id is None:
                raise _missing(table, key)
            for dependent, column, what in _DEPENDENTS.get(table, []):
                count = await conn.scalar(
                    select(func.count()).select_from(dependent).where(dependent.c[column] == row_id)
                )
                if count:
                    raise ConflictError(
                        f"the {_SINGULAR[table]} {key!r} has {count} {what}: delete or change those first"
                    )
            target = _TABLES[table]
            await _audit(conn, audit, table, row_id)
            await conn.execute(delete(target).where(target.c.id == row_id))


async def _audit(conn: AsyncConnection, entry: AuditEntry, table: BusinessTable, row_id: int | None) -> None:
    """Write the entry; a customer is named by their contact id, as the contacts API does, never by their
    number: an erasure leaves the audit log alone, so it must hold nothing that identifies them."""
    if table is BusinessTable.CUSTOMERS:
        entry = replace(entry, target_type="contact", target_id=None if row_id is None else str(row_id))
    await insert_audit(conn, entry)


def _taken(table: BusinessTable, key: str) -> ConflictError:
    return ConflictError(f"a {_SINGULAR[table]} with {KEYS[table]} {key!r} already exists")


async def _get(conn: AsyncConnection, tenant_id: int, table: BusinessTable, key: str) -> Record:
    view = VIEWS[table]
    row = (await conn.execute(view.select().where(view.tenant == tenant_id, view.key == key))).first()
    if row is None:
        raise _missing(table, key)
    return view.record(row)


async def _id_of(
    conn: AsyncConnection, tenant_id: int, table: BusinessTable, key: str, *, lock: bool = False
) -> int | None:
    """The row's id; with `lock`, the row is held until the transaction ends (PostgreSQL; SQLite has one
    writer at a time), so an edit reads the row it overwrites and two edits never lose one another's."""
    view = VIEWS[table]
    target = _TABLES[table]
    stmt = view.select().with_only_columns(target.c.id).where(view.tenant == tenant_id, view.key == key)
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=target)
    found = await conn.scalar(stmt)
    return None if found is None else int(found)


async def _ids(
    conn: AsyncConnection, tenant_id: int, table: BusinessTable, keys: Iterable[str]
) -> dict[str, int]:
    """The ids of the tenant's rows with these keys (keys it has no row for are left out)."""
    wanted = set(keys)
    if not wanted:
        return {}
    view = VIEWS[table]
    stmt = view.select().with_only_columns(view.key, _TABLES[table].c.id)
    found = await conn.execute(stmt.where(view.tenant == tenant_id, view.key.in_(wanted)))
    return {str(k): int(i) for k, i in found.all()}


async def _known(
    conn: AsyncConnection,
    tenant_id: int,
    table: BusinessTable,
    keys: tuple[str, ...],
    loc: Any,
) -> dict[str, int]:
    """The ids of `keys`, or `InvalidField` at `loc(index)` naming the first key the tenant lacks."""
    ids = await _ids(conn, tenant_id, table, keys)
    for index, key in enumerate(keys):
        if key not in ids:
            raise InvalidField(loc(index), f"no {_SINGULAR[table]} {key!r} in this tenant")
    return ids


async def _customer_id(conn: AsyncConnection, tenant_id: int, wa_id: str) -> int:
    ids = await _known(conn, tenant_id, BusinessTable.CUSTOMERS, (wa_id,), lambda _: ("body", "customer"))
    return ids[wa_id]


async def _values(conn: AsyncConnection, tenant_id: int, record: Record) -> dict[str, Any]:
    """The record as its table's columns, with the rows it refers to resolved to ids (or refused)."""
    if isinstance(record, ProductRecord):
        return rows.product_values(record)
    if isinstance(record, CustomerRecord):
        return rows.customer_values(record)
    if isinstance(record, OrderRecord):
        skus = tuple(line.sku for line in record.items)
        await _known(conn, tenant_id, BusinessTable.PRODUCTS, skus, lambda i: ("body", "items", i, "sku"))
        return rows.order_values(record, await _customer_id(conn, tenant_id, record.customer))
    if isinstance(record, ServiceRecord):
        await _known(
            conn, tenant_id, BusinessTable.PRODUCTS, record.requires, lambda i: ("body", "requires", i)
        )
        return rows.service_values(record)
    if isinstance(record, TechnicianRecord):
        await _known(conn, tenant_id, BusinessTable.SERVICES, record.skills, lambda i: ("body", "skills", i))
        return rows.technician_values(record)
    return await _appointment_values(conn, tenant_id, record)


async def _appointment_values(
    conn: AsyncConnection, tenant_id: int, record: AppointmentRecord
) -> dict[str, Any]:
    service = (
        await conn.execute(
            select(services.c.id, services.c.duration_min).where(
                services.c.tenant_id == tenant_id, services.c.code == record.service
            )
        )
    ).first()
    if service is None:
        raise InvalidField(("body", "service"), f"no service {record.service!r} in this tenant")
    technician = (
        await conn.execute(
            select(technicians.c.id, technicians.c.skills).where(
                technicians.c.tenant_id == tenant_id, technicians.c.code == record.technician
            )
        )
    ).first()
    if technician is None:
        raise InvalidField(("body", "technician"), f"no technician {record.technician!r} in this tenant")
    if record.service not in (technician.skills or ()):
        raise InvalidField(
            ("body", "technician"), f"technician {record.technician!r} does not perform {record.service!r}"
        )
    return rows.appointment_values(
        record,
        service_id=service.id,
        technician_id=technician.id,
        contact_id=await _customer_id(conn, tenant_id, record.customer),
        duration_min=service.duration_min,
    )
