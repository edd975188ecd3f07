"""The business tables as `business_admin` reads them: one select per table (with the keys of the rows it
refers to joined in), its key and search columns, and each row mapped to its record (by
`business_record_rows`, as the pack's import and export map them).

Customers are the contacts table; an erased contact (`erased:...`) is no longer anyone's customer and
is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select

from frontdesk.adapters.db import business_record_rows as rows
from frontdesk.adapters.db.tables import (
    appointments,
    contacts,
    orders,
    products,
    services,
    technicians,
)
from frontdesk.domain.business_records import (
    BusinessTable,
    CustomerRecord,
    ProductRecord,
    Record,
    ServiceRecord,
)
from frontdesk.domain.inbox import ERASED_PREFIX


def _product(r: Any) -> Record:
    return rows.product_from_row(r, ProductRecord)


def _customer(r: Any) -> Record:
    return rows.customer_from_row(r, CustomerRecord)


def _order(r: Any) -> Record:
    return rows.order_from_row(r, r.customer)


def _service(r: Any) -> Record:
    return rows.service_from_row(r, ServiceRecord)


def _appointment(r: Any) -> Record:
    return rows.appointment_from_row(r, service=r.service, technician=r.technician, customer=r.customer)


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
        rows.technician_from_row,
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
