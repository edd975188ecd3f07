"""Business data for a dry run of the team ("try a message" in the admin UI): reads go to the real data,
writes change nothing.

Each write is checked like the real one would be (the order exists and is the contact's, its status
allows the change), recorded in `writes`, and answered with what the real write would have returned,
so the reply reads exactly as it would; the database is never touched.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from frontdesk.domain.business import (
    Appointment,
    AppointmentStatus,
    BusinessData,
    BusinessRules,
    Busy,
    ContactProfile,
    NewAppointment,
    NewReturn,
    Order,
    OrderStatus,
    Product,
    ReturnRecord,
    Service,
    StaffTask,
    StaffTaskKind,
    StaffTaskStatus,
    Technician,
)
from frontdesk.domain.errors import ConflictError

DRY_RUN_REF = "DRY-RUN"
"""The reference a simulated booking or return gets (nothing was stored, so it has no real one)."""


@dataclass(frozen=True, kw_only=True)
class RefusedWrite:
    """A change a tool asked for during a dry run: what and with which values (not done)."""

    action: str
    details: dict[str, Any]


@dataclass
class TrialBusinessData:
    """`BusinessData` over `inner` that refuses every write and records it in `writes`."""

    inner: BusinessData
    writes: list[RefusedWrite] = field(default_factory=list)

    def _refuse(self, action: str, **details: Any) -> None:
        self.writes.append(RefusedWrite(action=action, details={k: _plain(v) for k, v in details.items()}))

    # -- reads: the real data

    async def rules(self, tenant_id: int) -> BusinessRules:
        return await self.inner.rules(tenant_id)

    async def search_products(
        self,
        tenant_id: int,
        *,
        category: str | None = None,
        max_price: Decimal | None = None,
        in_stock_only: bool = False,
        skus: Collection[str] | None = None,
    ) -> list[Product]:
        return await self.inner.search_products(
            tenant_id, category=category, max_price=max_price, in_stock_only=in_stock_only, skus=skus
        )

    async def product(self, tenant_id: int, sku: str) -> Product | None:
        return await self.inner.product(tenant_id, sku)

    async def backorder_eta(self, tenant_id: int, sku: str) -> date | None:
        return await self.inner.backorder_eta(tenant_id, sku)

    async def orders_of(self, tenant_id: int, contact_id: int, *, limit: int = 10) -> list[Order]:
        return await self.inner.orders_of(tenant_id, contact_id, limit=limit)

    async def order(self, tenant_id: int, contact_id: int, order_ref: str) -> Order | None:
        return await self.inner.order(tenant_id, contact_id, order_ref)

    async def services(self, tenant_id: int) -> list[Service]:
        return await self.inner.services(tenant_id)

    async def technicians(self, tenant_id: int) -> list[Technician]:
        return await self.inner.technicians(tenant_id)

    async def busy_between(self, tenant_id: int, start: datetime, end: datetime) -> list[Busy]:
        return await self.inner.busy_between(tenant_id, start, end)

    async def appointments_of(self, tenant_id: int, contact_id: int) -> list[Appointment]:
        return await self.inner.appointments_of(tenant_id, contact_id)

    async def appointment(self, tenant_id: int, contact_id: int, ref: str) -> Appointment | None:
        return await self.inner.appointment(tenant_id, contact_id, ref)

    async def profile(self, tenant_id: int, contact_id: int) -> ContactProfile | None:
        return await self.inner.profile(tenant_id, contact_id)

    async def staff_tasks_of(
        self, tenant_id: int, contact_id: int, *, open_only: bool = True
    ) -> list[StaffTask]:
        return await self.inner.staff_tasks_of(tenant_id, contact_id, open_only=open_only)

    # -- writes: checked, recorded, simulated

    async def set_order_status(
        self,
        tenant_id: int,
        contact_id: int,
        order_ref: str,
        *,
        status: OrderStatus,
        only_from: Collection[OrderStatus],
    ) -> Order | None:
        order = await self.inner.order(tenant_id, contact_id, order_ref)
        if order is None:
            return None
        if order.status not in only_from:
            raise ConflictError(f"order {order.ref} is {order.status.value} now")
        self._refuse("set_order_status", order_ref=order.ref, status=status)
        return order.model_copy(update={"status": status})

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
        order = await self.inner.order(tenant_id, contact_id, order_ref)
        if order is None:
            return None
        if order.status is not OrderStatus.DELIVERED:
            raise ConflictError(f"order {order.ref} is {order.status.value} now")
        self._refuse("record_return", order_ref=order.ref, request=request.model_dump(mode="json"))
        return ReturnRecord(
            ref=DRY_RUN_REF,
            order_ref=order.ref,
            kind=request.kind,
            items=request.items,
            reason=request.reason,
            status="requested",
            staff_task_id=0,
            created_at=now,
        )

    async def add_appointment(
        self, tenant_id: int, contact_id: int, new: NewAppointment, *, buffer: timedelta
    ) -> Appointment:
        services = {s.code: s for s in await self.inner.services(tenant_id)}
        technicians = {t.code: t for t in await self.inner.technicians(tenant_id)}
        self._refuse("add_appointment", **new.model_dump(mode="json"))
        service, tech = services.get(new.service_code), technicians.get(new.technician_code)
        return Appointment(
            ref=DRY_RUN_REF,
            service_code=new.service_code,
            service_name=service.name if service else new.service_code,
            technician_code=new.technician_code,
            technician_name=tech.name if tech else new.technician_code,
            start_at=new.start_at,
            end_at=new.end_at,
            city=new.city,
            status=AppointmentStatus.BOOKED,
        )

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
        appointment = await self.inner.appointment(tenant_id, contact_id, ref)
        if appointment is None:
            return None
        self._refuse("move_appointment", ref=ref, technician_code=technician_code, start_at=start_at)
        technicians = {t.code: t for t in await self.inner.technicians(tenant_id)}
        tech = technicians.get(technician_code)
        return appointment.model_copy(
            update={
                "technician_code": technician_code,
                "technician_name": tech.name if tech else appointment.technician_name,
                "start_at": start_at,
                "end_at": end_at,
            }
        )

    async def cancel_appointment(self, tenant_id: int, contact_id: int, ref: str) -> Appointment | None:
        appointment = await self.inner.appointment(tenant_id, contact_id, ref)
        if appointment is None:
            return None
        self._refuse("cancel_appointment", ref=ref)
        return appointment.model_copy(update={"status": AppointmentStatus.CANCELLED})

    async def update_profile(
        self,
        tenant_id: int,
        contact_id: int,
        *,
        preferences: Mapping[str, str],
        remove: Collection[str] = (),
        city: str | None = None,
    ) -> ContactProfile | None:
        profile = await self.inner.profile(tenant_id, contact_id)
        if profile is None:
            return None
        self._refuse("update_profile", preferences=dict(preferences), remove=sorted(remove), city=city)
        merged = {k: v for k, v in {**profile.preferences, **preferences}.items() if k not in remove}
        return profile.model_copy(update={"preferences": merged, "city": city or profile.city})

    async def set_marketing(
        self, tenant_id: int, contact_id: int, *, opt_in: bool, now: datetime
    ) -> ContactProfile | None:
        profile = await self.inner.profile(tenant_id, contact_id)
        if profile is None:
            return None
        self._refuse("set_marketing", opt_in=opt_in)
        return profile.model_copy(update={"marketing_opt_in": opt_in, "opted_out": not opt_in})

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
        self._refuse("add_staff_task", kind=kind, details=dict(details))
        return StaffTask(
            id=0,
            contact_id=contact_id,
            conversation_id=conversation_id,
            kind=kind,
            status=StaffTaskStatus.OPEN,
            details=dict(details),
            created_at=now,
        )


def _plain(value: Any) -> Any:
    """A JSON-safe form of a recorded value (enums, dates)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)
