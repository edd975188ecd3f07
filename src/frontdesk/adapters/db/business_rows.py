"""Mapping of the business's rows (catalog, orders, bookings, contacts, tasks) to the agents' domain types
(a product, service or contact through `business_record_rows`, as staff see it)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any

from frontdesk.adapters.db import business_record_rows as records
from frontdesk.domain.business import (
    Appointment,
    AppointmentStatus,
    BookingRules,
    BusinessRules,
    ContactProfile,
    Hours,
    Order,
    OrderItem,
    OrderStatus,
    Product,
    ReturnItem,
    ReturnKind,
    ReturnRecord,
    ReturnsPolicy,
    Service,
    StaffTask,
    StaffTaskKind,
    StaffTaskStatus,
    Technician,
)


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def hours(data: Mapping[str, Any] | None) -> Hours:
    """`{"mon": ["08:00", "17:00"], "sun": []}` -> `{"mon": (08:00, 17:00)}`; days off are left out."""
    out: Hours = {}
    for day, span in (data or {}).items():
        if span and len(span) == 2:
            out[str(day).lower()[:3]] = (time.fromisoformat(span[0]), time.fromisoformat(span[1]))
    return out


def rules(r: Any) -> BusinessRules:
    """A tenant row's rules: opening hours and holidays from its profile, overrides where given."""
    profile: dict[str, Any] = r.profile or {}
    booking = dict(profile.get("booking") or {})
    booking["opening_hours"] = hours(profile.get("opening_hours"))
    booking["holidays"] = frozenset(d for d in map(_date, profile.get("holidays") or []) if d)
    languages = profile.get("languages") or []
    return BusinessRules(
        currency=r.currency,
        locale=str(profile.get("locale") or (languages[0] if languages else "en")),
        booking=BookingRules.model_validate(booking),
        returns=ReturnsPolicy.model_validate(profile.get("returns_policy") or {}),
    )


def product(r: Any) -> Product:
    return records.product_from_row(r, Product)


def order(r: Any, names: Mapping[str, str]) -> Order:
    """An order row; `names` maps SKUs to product names."""
    items = tuple(
        OrderItem(sku=i["sku"], qty=int(i.get("qty", 1)), name=names.get(i["sku"])) for i in r.items or ()
    )
    return Order(
        ref=r.order_ref,
        items=items,
        total=r.total,
        status=OrderStatus(r.status),
        carrier=r.carrier,
        tracking=r.tracking,
        ordered_at=_date(r.ordered_at) or date.min,
        shipped_at=_date(r.shipped_at),
        delivered_at=_date(r.delivered_at),
        eta=_date(r.eta),
    )


def service(r: Any) -> Service:
    return records.service_from_row(r, Service)


def technician(r: Any) -> Technician:
    return Technician(
        code=r.code,
        name=r.name,
        skills=frozenset(r.skills or ()),
        areas=frozenset(r.areas or ()),
        hours=hours(r.hours),
    )


def appointment(r: Any) -> Appointment:
    """A row of appointments joined with `service_code`, `service_name`, `technician_code` and `_name`."""
    return Appointment(
        ref=r.ref,
        service_code=r.service_code,
        service_name=r.service_name,
        technician_code=r.technician_code,
        technician_name=r.technician_name,
        start_at=r.start_at,
        end_at=r.end_at,
        city=r.city,
        status=AppointmentStatus(r.status),
    )


def profile(r: Any) -> ContactProfile:
    return records.customer_from_row(r, ContactProfile, contact_id=r.id, opted_out=r.opted_out_at is not None)


def staff_task(r: Any) -> StaffTask:
    return StaffTask(
        id=r.id,
        contact_id=r.contact_id,
        conversation_id=r.conversation_id,
        kind=StaffTaskKind(r.kind),
        status=StaffTaskStatus(r.status),
        details=r.details or {},
        created_at=r.created_at,
    )


def return_record(r: Any, order_ref: str) -> ReturnRecord:
    return ReturnRecord(
        ref=r.ref,
        order_ref=order_ref,
        kind=ReturnKind(r.kind),
        items=tuple(ReturnItem(sku=i["sku"], qty=int(i["qty"])) for i in r.items),
        reason=r.reason,
        status=r.status,
        staff_task_id=r.staff_task_id,
        created_at=r.created_at,
    )
