"""A business record and its row, table by table: the columns a record is written as (`*_values`) and
the record a row reads as (`*_from_row`), one pair per table.

The admin API (`business_admin_rows`), a pack's import and export (`business_pack_rows`) and the agents'
catalog (`business_rows`) all read rows through these, so a row means one thing to each of them; the
pack's importer compares a row's record with the pack's with `==`, so "unchanged" means exactly "an
export would write the same row".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from frontdesk.domain.business import WEEKDAYS, Customer, OrderLine, Product, Service
from frontdesk.domain.business_records import (
    AppointmentRecord,
    CustomerRecord,
    OrderRecord,
    ProductRecord,
    ServiceRecord,
    TechnicianRecord,
)

P = TypeVar("P", bound=Product)
C = TypeVar("C", bound=Customer)
S = TypeVar("S", bound=Service)


def day(text: str | None) -> date | None:
    """A date column's `YYYY-MM-DD` (a timestamp's day); None for a value written before these rules
    (the demo's first CSVs held free text)."""
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def product_values(p: ProductRecord) -> dict[str, Any]:
    return {
        **p.model_dump(exclude={"tags", "restock_eta"}),
        "tags": list(p.tags),
        "restock_eta": iso(p.restock_eta),
    }


def product_from_row(r: Any, kind: type[P]) -> P:
    """A products row as `kind`: the staff's `ProductRecord` or the agents' `Product`."""
    return kind(
        sku=r.sku,
        name=r.name,
        category=r.category,
        price=r.price,
        stock=r.stock,
        rating=r.rating,
        tags=tuple(str(t) for t in r.tags or ()),
        description=r.description or "",
        restock_eta=day(r.restock_eta),
    )


def customer_values(c: CustomerRecord) -> dict[str, Any]:
    return c.model_dump()


def customer_from_row(r: Any, kind: type[C], **extra: Any) -> C:
    """A contacts row as `kind` (`CustomerRecord`, or the agents' `ContactProfile` with its `extra`)."""
    return kind(
        wa_id=r.wa_id,
        name=r.name,
        email=r.email,
        city=r.city,
        language=r.language,
        preferences={str(k): str(v) for k, v in (r.preferences or {}).items()},
        marketing_opt_in=bool(r.marketing_opt_in),
        vip=bool(r.vip),
        **extra,
    )


def order_values(o: OrderRecord, contact_id: int) -> dict[str, Any]:
    return {
        "order_ref": o.ref,
        "contact_id": contact_id,
        "items": [{"sku": i.sku, "qty": i.qty} for i in o.items],
        "total": o.total,
        "status": o.status.value,
        "carrier": o.carrier,
        "tracking": o.tracking,
        "ordered_at": o.ordered_at.isoformat(),
        "shipped_at": iso(o.shipped_at),
        "delivered_at": iso(o.delivered_at),
        "eta": iso(o.eta),
    }


def order_from_row(r: Any, customer: str) -> OrderRecord:
    """An orders row; `customer` is its contact's `wa_id`."""
    return OrderRecord(
        ref=r.order_ref,
        customer=customer,
        items=tuple(OrderLine(sku=str(i["sku"]), qty=int(i.get("qty", 1))) for i in r.items or ()),
        total=r.total,
        status=r.status,
        carrier=r.carrier,
        tracking=r.tracking,
        ordered_at=day(r.ordered_at) or date.min,
        shipped_at=day(r.shipped_at),
        delivered_at=day(r.delivered_at),
        eta=day(r.eta),
    )


def service_values(s: ServiceRecord) -> dict[str, Any]:
    return {**s.model_dump(exclude={"requires"}), "requires": list(s.requires)}


def service_from_row(r: Any, kind: type[S]) -> S:
    """A services row as `kind`: the staff's `ServiceRecord` or the agents' `Service`."""
    return kind(
        code=r.code,
        name=r.name,
        duration_min=r.duration_min,
        price=r.price,
        remote=bool(r.remote),
        requires=tuple(r.requires or ()),
        description=r.description or "",
    )


def technician_values(t: TechnicianRecord) -> dict[str, Any]:
    return {
        "code": t.code,
        "name": t.name,
        "skills": list(t.skills),
        "areas": list(t.areas),
        "hours": dict(t.hours),
    }


def technician_from_row(r: Any) -> TechnicianRecord:
    """A technicians row; its hours in weekday order, a day off (no span) left out."""
    spans = (r.hours or {}).items()
    in_week_order = sorted(spans, key=lambda kv: WEEKDAYS.index(kv[0]) if kv[0] in WEEKDAYS else 7)
    return TechnicianRecord(
        code=r.code,
        name=r.name,
        skills=tuple(r.skills or ()),
        areas=tuple(r.areas or ()),
        hours={str(d): [str(s[0]), str(s[1])] for d, s in in_week_order if s and len(s) == 2},
    )


def appointment_values(
    a: AppointmentRecord, *, service_id: int, technician_id: int, contact_id: int, duration_min: int
) -> dict[str, Any]:
    """`a`'s columns, its `start` aware; it ends `duration_min` (its service's) after it starts."""
    return {
        "ref": a.ref,
        "service_id": service_id,
        "technician_id": technician_id,
        "contact_id": contact_id,
        "start_at": a.start,
        "end_at": a.start + timedelta(minutes=duration_min),
        "city": a.city,
        "status": a.status.value,
    }


def appointment_from_row(r: Any, *, service: str, technician: str, customer: str) -> AppointmentRecord:
    """An appointments row, naming its service's and technician's codes and its customer's `wa_id`; its
    times in UTC."""
    return AppointmentRecord(
        ref=r.ref,
        service=service,
        technician=technician,
        customer=customer,
        start=_utc(r.start_at),
        end=_utc(r.end_at),
        city=r.city,
        status=r.status,
    )


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
