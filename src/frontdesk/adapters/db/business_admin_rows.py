"""The business tables as `business_admin` reads them: one select per table (with the keys of the rows it
refers to joined in), its key and search columns, and each row mapped to its record.

Customers are the contacts table; an erased contact (`erased:...`) is no longer anyone's customer and
is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select

from frontdesk.adapters.db.tables import (
    appointments,
    contacts,
    orders,
    products,
    services,
    technicians,
)
from frontdesk.domain.business_records import (
    AppointmentRecord,
    BusinessTable,
    CustomerRecord,
    OrderLine,
    OrderRecord,
    ProductRecord,
    Record,
    ServiceRecord,
    TechnicianRecord,
)
from frontdesk.domain.inbox import ERASED_PREFIX


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:  # a value written before these rules (the demo's CSVs held free text)
        return None


def _product(r: Any) -> Record:
    return ProductRecord(
        sku=r.sku,
        name=r.name,
        category=r.category,
        price=r.price,
        stock=r.stock,
        rating=r.rating,
        tags=tuple(r.tags or ()),
        description=r.description or "",
        restock_eta=_day(r.restock_eta),
    )


def _customer(r: Any) -> Record:
    return CustomerRecord(
        wa_id=r.wa_id,
        name=r.name,
        email=r.email,
        city=r.city,
        language=r.language,
        preferences={str(k): str(v) for k, v in (r.preferences or {}).items()},
        marketing_opt_in=r.marketing_opt_in,
        vip=r.vip,
    )


def _order(r: Any) -> Record:
    return OrderRecord(
        ref=r.order_ref,
        customer=r.customer,
        items=tuple(OrderLine(sku=str(i["sku"]), qty=int(i.get("qty", 1))) for i in r.items or ()),
        total=r.total,
        status=r.status,
        carrier=r.carrier,
        tracking=r.tracking,
        ordered_at=_day(r.ordered_at) or date.min,
        shipped_at=_day(r.shipped_at),
        delivered_at=_day(r.delivered_at),
        eta=_day(r.eta),
    )


def _service(r: Any) -> Record:
    return ServiceRecord(
        code=r.code,
        name=r.name,
        duration_min=r.duration_min,
        price=r.price,
        remote=r.remote,
        requires=tuple(r.requires or ()),
        description=r.description or "",
    )


def _technician(r: Any) -> Record:
    return TechnicianRecord(
        code=r.code,
        name=r.name,
        skills=tuple(r.skills or ()),
        areas=tuple(r.areas or ()),
        hours={str(d): [str(s[0]), str(s[1])] for d, s in (r.hours or {}).items() if s and len(s) == 2},
    )


def _appointment(r: Any) -> Record:
    return AppointmentRecord(
        ref=r.ref,
        service=r.service,
        technician=r.technician,
        customer=r.customer,
        start=r.start_at,
        end=r.end_at,
        city=r.city,
        status=r.status,
    )


@dataclass(frozen=True)
class TableView:
    """How one business table is read: its rows (tenant filter added by the caller), key and search."""

    select: Callable[[], Select[Any]]
    tenant: ColumnElement[Any]
    key: ColumnElement[Any]
    searched: tuple[ColumnElement[Any], ...]
    record: Callable[[Any], Record]


def _orders() -> Select[Any]:
    return select(orders, contacts.c.wa_id.label("customer")).join(
        contacts, contacts.c.id == orders.c.contact_id
    )


def _appointments() -> Select[Any]:
    return (
        select(
            appointments,
            services.c.code.label("service"),
            technicians.c.code.label("technician"),
            contacts.c.wa_id.label("customer"),
        )
        .join(services, services.c.id == appointments.c.service_id)
        .join(technicians, technicians.c.id == appointments.c.technician_id)
        .join(contacts, contacts.c.id == appointments.c.contact_id)
    )


def _customers() -> Select[Any]:
    return select(contacts).where(~contacts.c.wa_id.startswith(ERASED_PREFIX, autoescape=True))


VIEWS: Mapping[BusinessTable, TableView] = {
    BusinessTable.PRODUCTS: TableView(
        lambda: select(products),
        products.c.tenant_id,
        products.c.sku,
        (products.c.sku, products.c.name, products.c.category),
        _product,
    ),
    BusinessTable.CUSTOMERS: TableView(
        _customers,
        contacts.c.tenant_id,
        contacts.c.wa_id,
        (contacts.c.wa_id, contacts.c.name, contacts.c.email, contacts.c.city),
        _customer,
    ),
    BusinessTable.ORDERS: TableView(
        _orders,
        orders.c.tenant_id,
        orders.c.order_ref,
        (orders.c.order_ref, contacts.c.wa_id, contacts.c.name, orders.c.tracking),
        _order,
    ),
    BusinessTable.SERVICES: TableView(
        lambda: select(services),
        services.c.tenant_id,
        services.c.code,
        (services.c.code, services.c.name, services.c.description),
        _service,
    ),
    BusinessTable.TECHNICIANS: TableView(
        lambda: select(technicians),
        technicians.c.tenant_id,
        technicians.c.code,
        (technicians.c.code, technicians.c.name),
        _technician,
    ),
    BusinessTable.APPOINTMENTS: TableView(
        _appointments,
        appointments.c.tenant_id,
        appointments.c.ref,
        (appointments.c.ref, services.c.code, technicians.c.code, contacts.c.wa_id, appointments.c.city),
        _appointment,
    ),
}


def search(view: TableView, q: str) -> ColumnElement[bool]:
    """Rows where any searched column contains `q`, in any case (`%` and `_` in `q` are plain text)."""
    needle = q.lower()
    return or_(*(func.lower(c).contains(needle, autoescape=True) for c in view.searched))
