"""Services, technicians and appointments of the business (the booking half of `SqlBusinessData`).

Booking and moving re-check the technician's time inside the write transaction, so two customers
taking the same slot at once get one booking and one `ConflictError`. Writes of a tenant's bookings
are serialised: by the store's single writer on SQLite, by an advisory lock on PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, Table, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db import business_rows as to
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import (
    appointments,
    services,
    technicians,
)
from frontdesk.domain.business import (
    Appointment,
    AppointmentStatus,
    Busy,
    NewAppointment,
    Service,
    Technician,
)
from frontdesk.domain.errors import ConflictError, NotFoundError

APPOINTMENT_PREFIX = "APT-"


async def serialise(conn: AsyncConnection, key: str) -> None:
    """Hold a transaction-long lock on `key` (PostgreSQL; SQLite already has one writer at a time)."""
    if conn.dialect.name == "postgresql":
        await conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


async def next_ref(conn: AsyncConnection, table: Table, tenant_id: int, prefix: str, first: int) -> str:
    """The tenant's next reference `<prefix><n>`: one above the highest numbered one, or `first`."""
    stmt = select(table.c.ref).where(table.c.tenant_id == tenant_id, table.c.ref.like(f"{prefix}%"))
    numbers = [int(n) for (ref,) in await conn.execute(stmt) if (n := ref[len(prefix) :]).isdigit()]
    return f"{prefix}{max(numbers, default=first - 1) + 1}"


def _joined() -> Select[Any]:
    return (
        select(
            appointments,
            services.c.code.label("service_code"),
            services.c.name.label("service_name"),
            technicians.c.code.label("technician_code"),
            technicians.c.name.label("technician_name"),
        )
        .join(services, services.c.id == appointments.c.service_id)
        .join(technicians, technicians.c.id == appointments.c.technician_id)
    )


def _own(tenant_id: int, contact_id: int, ref: str) -> Any:
    return and_(
        appointments.c.tenant_id == tenant_id,
        appointments.c.contact_id == contact_id,
        appointments.c.ref == ref,
    )


class SqlBookings:
    """The booking operations of `BusinessData`."""

    def __init__(self, store: SqlStore):
        self._store = store

    async def services(self, tenant_id: int) -> list[Service]:
        stmt = select(services).where(services.c.tenant_id == tenant_id).order_by(services.c.id)
        async with self._store.lookup() as conn:
            return [to.service(r) for r in await conn.execute(stmt)]

    async def technicians(self, tenant_id: int) -> list[Technician]:
        stmt = select(technicians).where(technicians.c.tenant_id == tenant_id).order_by(technicians.c.id)
        async with self._store.lookup() as conn:
            return [to.technician(r) for r in await conn.execute(stmt)]

    async def busy_between(self, tenant_id: int, start: datetime, end: datetime) -> list[Busy]:
        stmt = (
            select(appointments.c.ref, appointments.c.start_at, appointments.c.end_at, technicians.c.code)
            .join(technicians, technicians.c.id == appointments.c.technician_id)
            .where(
                appointments.c.tenant_id == tenant_id,
                appointments.c.status == AppointmentStatus.BOOKED,
                appointments.c.start_at < end,
                appointments.c.end_at > start,
            )
        )
        async with self._store.read() as conn:
            return [
                Busy(ref=r.ref, technician_code=r.code, start_at=r.start_at, end_at=r.end_at)
                for r in await conn.execute(stmt)
            ]

    async def appointments_of(self, tenant_id: int, contact_id: int) -> list[Appointment]:
        stmt = (
            _joined()
            .where(appointments.c.tenant_id == tenant_id, appointments.c.contact_id == contact_id)
            .order_by(appointments.c.start_at)
        )
        async with self._store.lookup() as conn:
            return [to.appointment(r) for r in await conn.execute(stmt)]

    async def appointment(self, tenant_id: int, contact_id: int, ref: str) -> Appointment | None:
        async with self._store.lookup() as conn:
            row = (await conn.execute(_joined().where(_own(tenant_id, contact_id, ref)))).first()
        return to.appointment(row) if row else None

    async def add_appointment(
        self, tenant_id: int, contact_id: int, new: NewAppointment, *, buffer: timedelta
    ) -> Appointment:
        async with self._store.begin() as conn:
            await serialise(conn, f"appointments:{tenant_id}")
            service_id = await _id_of(conn, services, tenant_id, new.service_code)
            tech_id = await _id_of(conn, technicians, tenant_id, new.technician_code)
            await _check_free(conn, tech_id, new.start_at, new.end_at, buffer, except_ref=None)
            ref = await next_ref(conn, appointments, tenant_id, APPOINTMENT_PREFIX, 5001)
            await conn.execute(
                appointments.insert().values(
                    tenant_id=tenant_id,
                    ref=ref,
                    service_id=service_id,
                    technician_id=tech_id,
                    contact_id=contact_id,
                    start_at=new.start_at,
                    end_at=new.end_at,
                    city=new.city,
                    status=AppointmentStatus.BOOKED,
                )
            )
            row = (await conn.execute(_joined().where(_own(tenant_id, contact_id, ref)))).one()
        return to.appointment(row)

    async def move_appointment(
        self,
        tenant_id: int,
        contact_id: int,
        ref: str,
        *,
        technician_code: str,
        start_at: datetime,
        end_at: datetime,
        buffer: timedelta,
    ) -> Appointment | None:
        async with self._store.begin() as conn:
            await serialise(conn, f"appointments:{tenant_id}")
            row = (await conn.execute(_joined().where(_own(tenant_id, contact_id, ref)))).first()
            if row is None:
                return None
            if row.status != AppointmentStatus.BOOKED:
                raise ConflictError(f"appointment {ref} is {row.status}")
            tech_id = await _id_of(conn, technicians, tenant_id, technician_code)
            await _check_free(conn, tech_id, start_at, end_at, buffer, except_ref=ref)
            await conn.execute(
                update(appointments)
                .where(_own(tenant_id, contact_id, ref))
                .values(technician_id=tech_id, start_at=start_at, end_at=end_at)
            )
            moved = (await conn.execute(_joined().where(_own(tenant_id, contact_id, ref)))).one()
        return to.appointment(moved)

    async def cancel_appointment(self, tenant_id: int, contact_id: int, ref: str) -> Appointment | None:
        async with self._store.begin() as conn:
            await conn.execute(
                update(appointments)
                .where(_own(tenant_id, contact_id, ref))
                .values(status=AppointmentStatus.CANCELLED)
            )
            row = (await conn.execute(_joined().where(_own(tenant_id, contact_id, ref)))).first()
        return to.appointment(row) if row else None


async def _id_of(conn: AsyncConnection, table: Table, tenant_id: int, code: str) -> int:
    stmt = select(table.c.id).where(table.c.tenant_id == tenant_id, table.c.code == code)
    found = (await conn.execute(stmt)).scalar()
    if found is None:
        raise NotFoundError(f"{table.name} {code!r} not found")
    return int(found)


async def _check_free(
    conn: AsyncConnection,
    technician_id: int,
    start: datetime,
    end: datetime,
    buffer: timedelta,
    *,
    except_ref: str | None,
) -> None:
    """`ConflictError` when the technician has a booking closer than `buffer` to [start, end)."""
    clash = [
        appointments.c.technician_id == technician_id,
        appointments.c.status == AppointmentStatus.BOOKED,
        appointments.c.start_at < end + buffer,
        appointments.c.end_at > start - buffer,
    ]
    if except_ref is not None:
        clash.append(appointments.c.ref != except_ref)
    if (await conn.execute(select(appointments.c.id).where(*clash).limit(1))).first():
        raise ConflictError("the technician is no longer free at that time")
