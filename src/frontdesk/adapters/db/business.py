"""`SqlBusinessData`: the business's data on the Frontdesk database (implements `BusinessData`).

Every query filters on the tenant, and every query of personal data on the contact as well, so another
contact's order or appointment is simply not found. Reads use read-only snapshots; each write is one
transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db import business_rows as to
from frontdesk.adapters.db.bookings import SqlBookings, next_ref, serialise
from frontdesk.adapters.db.tables import (
    contacts,
    orders,
    products,
    tenants,
)
from frontdesk.adapters.db.tables_agents import returns, staff_tasks
from frontdesk.domain.business import (
    BusinessRules,
    ContactProfile,
    NewReturn,
    Order,
    OrderStatus,
    Product,
    ReturnRecord,
    StaffTask,
    StaffTaskKind,
    StaffTaskStatus,
)
from frontdesk.domain.errors import ConflictError, NotFoundError

RETURN_PREFIX = "RET-"
MAX_PRODUCTS = 500


def _own_order(tenant_id: int, contact_id: int, order_ref: str) -> Any:
    return and_(
        orders.c.tenant_id == tenant_id, orders.c.contact_id == contact_id, orders.c.order_ref == order_ref
    )


def _own_contact(tenant_id: int, contact_id: int) -> Any:
    return and_(contacts.c.tenant_id == tenant_id, contacts.c.id == contact_id)


class SqlBusinessData(SqlBookings):
    """Catalog, orders, returns, contacts and staff tasks; bookings from `SqlBookings`."""

    async def rules(self, tenant_id: int) -> BusinessRules:
        async with self._store.lookup() as conn:
            row = (await conn.execute(select(tenants).where(tenants.c.id == tenant_id))).first()
        if row is None:
            raise NotFoundError("tenant not found")
        return to.rules(row)

    # -- catalog

    async def search_products(
        self,
        tenant_id: int,
        *,
        category: str | None = None,
        max_price: Decimal | None = None,
        in_stock_only: bool = False,
        skus: Collection[str] | None = None,
    ) -> list[Product]:
        stmt = select(products).where(products.c.tenant_id == tenant_id)
        if category:
            stmt = stmt.where(products.c.category == category.lower())
        if max_price is not None:
            stmt = stmt.where(products.c.price <= max_price)
        if in_stock_only:
            stmt = stmt.where(products.c.stock > 0)
        if skus is not None:
            stmt = stmt.where(products.c.sku.in_(list(skus)))
        async with self._store.read() as conn:
            rows = await conn.execute(stmt.order_by(products.c.name).limit(MAX_PRODUCTS))
            return [to.product(r) for r in rows]

    async def product(self, tenant_id: int, sku: str) -> Product | None:
        found = await self.search_products(tenant_id, skus=[sku])
        return found[0] if found else None

    async def backorder_eta(self, tenant_id: int, sku: str) -> date | None:
        stmt = select(orders.c["items"], orders.c.eta).where(
            orders.c.tenant_id == tenant_id, orders.c.status == OrderStatus.BACKORDERED
        )
        async with self._store.read() as conn:
            rows = (await conn.execute(stmt)).all()
        etas = [r.eta for r in rows if r.eta and any(i.get("sku") == sku for i in r.items or ())]
        return date.fromisoformat(min(etas)) if etas else None

    # -- orders

    async def orders_of(self, tenant_id: int, contact_id: int, *, limit: int = 10) -> list[Order]:
        stmt = (
            select(orders)
            .where(orders.c.tenant_id == tenant_id, orders.c.contact_id == contact_id)
            .order_by(orders.c.ordered_at.desc(), orders.c.id.desc())
            .limit(limit)
        )
        async with self._store.lookup() as conn:
            rows = (await conn.execute(stmt)).all()
            return await _orders(conn, tenant_id, rows)

    async def order(self, tenant_id: int, contact_id: int, order_ref: str) -> Order | None:
        async with self._store.lookup() as conn:
            rows = (
                await conn.execute(select(orders).where(_own_order(tenant_id, contact_id, order_ref)))
            ).all()
            found = await _orders(conn, tenant_id, rows)
        return found[0] if found else None

    async def set_order_status(
        self,
        tenant_id: int,
        contact_id: int,
        order_ref: str,
        *,
        status: OrderStatus,
        only_from: Collection[OrderStatus],
    ) -> Order | None:
        where = _own_order(tenant_id, contact_id, order_ref)
        async with self._store.begin() as conn:
            row = (await conn.execute(select(orders).where(where))).first()
            if row is None:
                return None
            if row.status not in only_from:
                raise ConflictError(f"order {order_ref} is {row.status}")
            await conn.execute(update(orders).where(where).values(status=status))
            rows = (await conn.execute(select(orders).where(where))).all()
            return (await _orders(conn, tenant_id, rows))[0]

    async def record_return(
        self,
        tenant_id: int,
        contact_id: int,
        order_ref: str,
        *,
        request: NewReturn,
        conversation_id: int | None,
        now: datetime,
    ) -> ReturnRecord | None:
        where = _own_order(tenant_id, contact_id, order_ref)
        async with self._store.begin() as conn:
            await serialise(conn, f"returns:{tenant_id}")
            row = (await conn.execute(select(orders.c.id, orders.c.status).where(where))).first()
            if row is None:
                return None
            if row.status != OrderStatus.DELIVERED:
                raise ConflictError(f"order {order_ref} is {row.status}")
            ref = await next_ref(conn, returns, tenant_id, RETURN_PREFIX, 1001)
            details = {"order_ref": order_ref, "return_ref": ref, **request.model_dump(mode="json")}
            task = await _insert_task(
                conn, tenant_id, contact_id, StaffTaskKind.RETURN, details, conversation_id, now
            )
            values = dict(
                tenant_id=tenant_id, ref=ref, order_id=row.id, contact_id=contact_id, staff_task_id=task.id
            )
            inserted = await conn.execute(
                returns.insert()
                .values(**values, **_return_values(request), created_at=now)
                .returning(*returns.c)
            )
            await conn.execute(update(orders).where(where).values(status=OrderStatus.RETURN_REQUESTED))
            return to.return_record(inserted.one(), order_ref)

    # -- the contact

    async def profile(self, tenant_id: int, contact_id: int) -> ContactProfile | None:
        async with self._store.lookup() as conn:
            row = (await conn.execute(select(contacts).where(_own_contact(tenant_id, contact_id)))).first()
        return to.profile(row) if row else None

    async def update_profile(
        self,
        tenant_id: int,
        contact_id: int,
        *,
        preferences: Mapping[str, str],
        remove: Collection[str] = (),
        city: str | None = None,
    ) -> ContactProfile | None:
        where = _own_contact(tenant_id, contact_id)
        async with self._store.begin() as conn:
            row = (await conn.execute(select(contacts).where(where))).first()
            if row is None:
                return None
            merged = {k: v for k, v in {**(row.preferences or {}), **preferences}.items() if k not in remove}
            values: dict[str, Any] = {"preferences": merged}
            if city:
                values["city"] = city
            await conn.execute(update(contacts).where(where).values(**values))
            return to.profile((await conn.execute(select(contacts).where(where))).one())

    async def set_marketing(
        self, tenant_id: int, contact_id: int, *, opt_in: bool, now: datetime
    ) -> ContactProfile | None:
        where = _own_contact(tenant_id, contact_id)
        stopped = (
            None if opt_in else case((contacts.c.opted_out_at.is_(None), now), else_=contacts.c.opted_out_at)
        )
        async with self._store.begin() as conn:
            await conn.execute(
                update(contacts).where(where).values(marketing_opt_in=opt_in, opted_out_at=stopped)
            )
            row = (await conn.execute(select(contacts).where(where))).first()
        return to.profile(row) if row else None

    # -- staff tasks

    async def add_staff_task(
        self,
        tenant_id: int,
        contact_id: int,
        *,
        kind: StaffTaskKind,
        details: Mapping[str, Any],
        conversation_id: int | None,
        now: datetime,
    ) -> StaffTask:
        async with self._store.begin() as conn:
            if (
                await conn.execute(select(contacts.c.id).where(_own_contact(tenant_id, contact_id)))
            ).first() is None:
                raise NotFoundError("contact not found")
            return await _insert_task(conn, tenant_id, contact_id, kind, details, conversation_id, now)

    async def staff_tasks_of(
        self, tenant_id: int, contact_id: int, *, open_only: bool = True
    ) -> list[StaffTask]:
        stmt = select(staff_tasks).where(
            staff_tasks.c.tenant_id == tenant_id, staff_tasks.c.contact_id == contact_id
        )
        if open_only:
            stmt = stmt.where(staff_tasks.c.status == StaffTaskStatus.OPEN)
        async with self._store.lookup() as conn:
            return [to.staff_task(r) for r in await conn.execute(stmt.order_by(staff_tasks.c.id))]


async def _orders(conn: AsyncConnection, tenant_id: int, rows: Collection[Any]) -> list[Order]:
    """Map order rows, naming their items from the catalog in one query."""
    skus = {i["sku"] for r in rows for i in r.items or ()}
    names: dict[str, str] = {}
    if skus:
        stmt = select(products.c.sku, products.c.name).where(
            products.c.tenant_id == tenant_id, products.c.sku.in_(sorted(skus))
        )
        names = {r.sku: r.name for r in await conn.execute(stmt)}
    return [to.order(r, names) for r in rows]


def _return_values(request: NewReturn) -> dict[str, Any]:
    return {
        "kind": request.kind,
        "items": [i.model_dump() for i in request.items],
        "reason": request.reason,
        "status": "requested",
    }


async def _insert_task(
    conn: AsyncConnection,
    tenant_id: int,
    contact_id: int,
    kind: StaffTaskKind,
    details: Mapping[str, Any],
    conversation_id: int | None,
    now: datetime,
) -> StaffTask:
    row = await conn.execute(
        staff_tasks.insert()
        .values(
            tenant_id=tenant_id,
            contact_id=contact_id,
            conversation_id=conversation_id,
            kind=kind,
            status=StaffTaskStatus.OPEN,
            details=dict(details),
            created_at=now,
        )
        .returning(*staff_tasks.c)
    )
    return to.staff_task(row.one())
