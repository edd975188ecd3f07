"""A tenant's business as a pack (`export_pack`), and `SqlBusinessPacks`, the store behind the service.

The export writes what the importer reads, so importing an export changes nothing. A channel's own
access token is never exported (it is a credential); the pack's WhatsApp number is the tenant's
first channel.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db import business_pack_rows as to
from frontdesk.adapters.db import business_record_rows as records
from frontdesk.adapters.db.audit import insert_audit
from frontdesk.adapters.db.business_import import apply_pack
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
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.business_pack import ImportReport, Pack
from frontdesk.domain.business_records import CustomerRecord, ProductRecord, ServiceRecord
from frontdesk.domain.errors import NotFoundError


async def export_pack(conn: AsyncConnection, tenant_id: int) -> Pack:
    """The tenant's business and tables as a pack (no kb, no team: the services hold those)."""
    tenant = (await conn.execute(select(tenants).where(tenants.c.id == tenant_id))).first()
    if tenant is None:
        raise NotFoundError(f"tenant {tenant_id} not found")
    channel = (
        await conn.execute(
            select(channels).where(channels.c.tenant_id == tenant_id).order_by(channels.c.id).limit(1)
        )
    ).first()
    tz = ZoneInfo(tenant.timezone)
    customers = await _rows(conn, contacts, tenant_id)
    service_rows = await _rows(conn, services, tenant_id)
    technician_rows = await _rows(conn, technicians, tenant_id)
    wa = {r.id: r.wa_id for r in customers}
    code = {r.id: r.code for r in service_rows} | {-r.id: r.code for r in technician_rows}
    return Pack(
        business=to.business_from_row(tenant, channel),
        products=tuple(
            records.product_from_row(r, ProductRecord) for r in await _rows(conn, products, tenant_id)
        ),
        customers=tuple(records.customer_from_row(r, CustomerRecord) for r in customers),
        orders=tuple(
            records.order_from_row(r, wa[r.contact_id]) for r in await _rows(conn, orders, tenant_id)
        ),
        services=tuple(records.service_from_row(r, ServiceRecord) for r in service_rows),
        technicians=tuple(records.technician_from_row(r) for r in technician_rows),
        appointments=tuple(
            to.appointment_from_row(
                r,
                service=code[r.service_id],
                technician=code[-r.technician_id],
                customer=wa[r.contact_id],
                tz=tz,
            )
            for r in await _rows(conn, appointments, tenant_id)
        ),
        travel_buffer_min=to.travel_buffer_from_row(tenant),
    )


async def _rows(conn: AsyncConnection, table: Table, tenant_id: int) -> list[Any]:
    """The tenant's rows in the order they were made (the pack's file order, for a round trip)."""
    result = await conn.execute(select(table).where(table.c.tenant_id == tenant_id).order_by(table.c.id))
    return list(result)


class SqlBusinessPacks:
    """Business packs on the Frontdesk database (the `BusinessPackStore` port)."""

    def __init__(self, store: SqlStore):
        self._store = store

    async def import_pack(
        self,
        tenant_id: int,
        pack: Pack,
        *,
        now: datetime,
        dry_run: bool = False,
        only_new: bool = False,
        audit: Callable[[ImportReport], AuditEntry] | None = None,
    ) -> ImportReport:
        """`apply_pack` in a transaction of its own, with its audit entry: all the rows or none."""
        async with self._store.transaction() as tx:
            assert isinstance(tx, SqlTx)
            report = await apply_pack(
                tx.conn, tenant_id, pack, now=now, dry_run=dry_run, only_new=only_new, secrets=tx.secrets
            )
            if audit is not None and not dry_run:
                await insert_audit(tx.conn, audit(report))
            return report

    async def export_pack(self, tenant_id: int) -> Pack:
        """The tenant's business and tables, read in one snapshot."""
        async with self._store.read() as conn:
            return await export_pack(conn, tenant_id)
