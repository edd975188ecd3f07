"""The business's data as staff edit it and a business pack holds it: one record per row of products,
customers, orders, services, technicians and appointments, each named by the business's own key (`KEYS`),
never by a row id. A pack's `products.csv`, `customers.csv`, `orders.csv` and `services.yaml` are read
into these same records (`Pack.products` ...).

Records refer to each other by those keys too (an order's `customer` is a WhatsApp number, its items'
SKUs; an appointment's `service`, `technician`, `customer`), as a business pack does, so what staff
type, what a pack holds and what the API answers read alike. A reference to a row the tenant does not
have is refused with `InvalidField`, naming the field (`items[2].sku`), never half-written.

The field types (`SKU`, `Amount`, `WaId`, `Hours`...) are the rules a pack's values follow too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Protocol

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)

from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.business import (
    WEEKDAYS,
    AppointmentStatus,
    Customer,
    OrderFacts,
    OrderStatus,
    Product,
    Service,
)
from frontdesk.domain.errors import InvalidInputError
from frontdesk.domain.inbox import Page
from frontdesk.domain.models import Frozen


class BusinessTable(StrEnum):
    PRODUCTS = "products"
    CUSTOMERS = "customers"
    ORDERS = "orders"
    SERVICES = "services"
    TECHNICIANS = "technicians"
    APPOINTMENTS = "appointments"


KEYS: Mapping[BusinessTable, str] = {
    BusinessTable.PRODUCTS: "sku",
    BusinessTable.CUSTOMERS: "wa_id",
    BusinessTable.ORDERS: "ref",
    BusinessTable.SERVICES: "code",
    BusinessTable.TECHNICIANS: "code",
    BusinessTable.APPOINTMENTS: "ref",
}
"""Each table's key field: what names a row in a path, a pack and another record's reference."""


# -- the rules of a value, shared by the API's bodies and the pack's files

KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
Key = Annotated[str, Field(min_length=1, max_length=64, pattern=KEY_PATTERN)]
"""A SKU, an order or appointment reference, a service or technician code: letters, digits, `.`, `_`,
`-` (it travels in URL paths, so no `/` or spaces)."""
WaId = Annotated[str, Field(min_length=6, max_length=20, pattern=r"^[0-9]{6,20}$")]
"""A customer's WhatsApp number as WhatsApp writes it: digits only, country code first, no `+`."""


def _fixed_point(places: int, maximum: Decimal, what: str, pattern: str | None = None) -> Any:
    """A decimal with at most `places` decimals, 0 to `maximum`: a JSON number (read to the step it stands
    for: 0.07 arrives as 0.07000000000000001) or text like `"14.99"`; answered as text, so no float
    rounding ever touches it. The schema says the same, so a client's validator agrees with ours."""
    digits = len(str(int(maximum)))
    pattern = pattern or rf"^[0-9]{{1,{digits}}}(\.[0-9]{{1,{places}}})?$"
    text = re.compile(pattern)
    scale = 10**places
    refusal = f"must be {what} from 0 to {maximum} with at most {places} decimals"

    def parse(value: Any) -> Decimal:
        if isinstance(value, Decimal) and value.is_finite() and 0 <= value <= maximum:
            if value == value.quantize(Decimal(1).scaleb(-places)):
                return value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            steps = float(value) * scale
            # A float is off by a few units in its last place; at 615230923.82 that is ~1e-5 of a cent,
            # so the tolerance grows with the number (relative) and never drops below 1e-6 of a step.
            slack = max(1e-6, abs(steps) * 1e-14)
            if math.isfinite(steps) and abs(steps - round(steps)) <= slack and 0 <= value <= maximum:
                return Decimal(round(steps)).scaleb(-places)
        elif isinstance(value, str) and text.fullmatch(value) and Decimal(value) <= maximum:
            return Decimal(value)
        raise ValueError(refusal)

    number = {"type": "number", "minimum": 0, "maximum": float(maximum), "multipleOf": 1 / scale}
    return (
        PlainValidator(parse),
        PlainSerializer(lambda d: f"{d:.{places}f}", return_type=str, when_used="json"),
        WithJsonSchema({"anyOf": [number, {"type": "string", "pattern": pattern}]}, mode="validation"),
        WithJsonSchema({"type": "string", "pattern": pattern}, mode="serialization"),
    )


Amount = Annotated[Decimal, *_fixed_point(2, Decimal("9999999999.99"), "an amount")]
"""A price or total in the tenant's currency: `14.99` or `"14.99"`; answered as `"14.99"`."""
Name = Annotated[str, Field(min_length=1, max_length=200)]
Label = Annotated[str, Field(min_length=1, max_length=64)]
Text = Annotated[str, Field(max_length=10_000)]
City = Annotated[str, Field(min_length=1, max_length=100)]
Email = Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
Language = Annotated[str, Field(min_length=2, max_length=16, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]+)*$")]
Preferences = Annotated[dict[Annotated[str, Field(max_length=64)], Name], Field(max_length=50)]
"""What the bot remembers about a customer: `{"contact_time": "evenings"}`."""


def _whole_number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Strict, so "3" and true are refused as the schema's `integer` says; 3.0 is 3 (JSON has one number type).
Quantity = Annotated[int, Field(strict=True, ge=1, le=1_000_000), BeforeValidator(_whole_number)]
Stock = Annotated[int, Field(strict=True, ge=0, le=1_000_000_000), BeforeValidator(_whole_number)]
Minutes = Annotated[int, Field(strict=True, ge=1, le=24 * 60), BeforeValidator(_whole_number)]
Rating = Annotated[Decimal, *_fixed_point(1, Decimal(5), "a rating", r"^([0-4](\.[0-9])?|5(\.0)?)$")]
Clock = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
"""A time of day, `HH:MM`, 24-hour."""


def _iso_day(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not (isinstance(value, str) and _DAY.fullmatch(value)):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
Day = Annotated[date, BeforeValidator(_iso_day)]
"""A calendar date as `YYYY-MM-DD` text (a number is not read as a Unix time)."""
Weekday = Annotated[str, Field(pattern="^(" + "|".join(WEEKDAYS) + ")$")]


def _span(span: list[str]) -> list[str]:
    if span[0] >= span[1]:
        raise ValueError(f"a working day must end after it starts ({span[0]} to {span[1]})")
    return span


# A list of two rather than a tuple: JSON Schema's `prefixItems` for tuples trips OpenAPI 3.0 tools.
Span = Annotated[list[Clock], Field(min_length=2, max_length=2), AfterValidator(_span)]
Hours = dict[Weekday, Span]
"""Working hours per weekday (`mon`..`sun`): `{"mon": ["08:00", "17:00"]}`; a day left out is a day off."""


class InvalidField(InvalidInputError):
    """A value refused for what it refers to (an unknown SKU or customer) rather than for its shape.

    `loc` is where it was, as a request's field errors give it: `("body", "items", 2, "sku")`."""

    def __init__(self, loc: tuple[str | int, ...], message: str):
        self.loc = loc
        self.message = message
        super().__init__(message)


# -- the records: where the agents' types (domain/business.py) have the same fields, a record is one


class ProductRecord(Product):
    """A product, keyed by `sku`: a row of `products.csv` too."""


class CustomerRecord(Customer):
    """A contact, with the fields a business knows about its customer, keyed by `wa_id`. The same row as
    the contacts API's; a customer who never wrote has no conversations. A row of `customers.csv` too."""


class OrderRecord(OrderFacts):
    """An order, keyed by `ref` (`order_id` in `orders.csv`), naming its customer by `wa_id`."""

    customer: str
    """The customer's `wa_id` (`wa_id` in `orders.csv`)."""


class ServiceRecord(Service):
    """A service, keyed by `code` (`id` in `services.yaml`)."""


class TechnicianRecord(Frozen):
    code: str
    name: str
    skills: tuple[str, ...] = ()
    """Codes of the services they perform."""
    areas: tuple[str, ...] = ()
    """Cities they visit; `remote` for services given by video."""
    hours: dict[str, list[str]] = {}
    """`{"mon": ["08:00", "17:00"]}`; a day left out is a day off."""


class AppointmentRecord(Frozen):
    ref: str
    service: str
    technician: str
    customer: str
    start: datetime
    """Aware; a start given without an offset is read in the tenant's time zone."""
    end: datetime | None = None
    """The start plus the service's duration (set when saved)."""
    city: str | None = None
    status: AppointmentStatus = AppointmentStatus.BOOKED


Record = ProductRecord | CustomerRecord | OrderRecord | ServiceRecord | TechnicianRecord | AppointmentRecord

RECORD_TYPES: Mapping[BusinessTable, type[Record]] = {
    BusinessTable.PRODUCTS: ProductRecord,
    BusinessTable.CUSTOMERS: CustomerRecord,
    BusinessTable.ORDERS: OrderRecord,
    BusinessTable.SERVICES: ServiceRecord,
    BusinessTable.TECHNICIANS: TechnicianRecord,
    BusinessTable.APPOINTMENTS: AppointmentRecord,
}


def table_of(record: Record) -> BusinessTable:
    return next(t for t, kind in RECORD_TYPES.items() if isinstance(record, kind))


def key_of(record: Record) -> str:
    key: str = getattr(record, KEYS[table_of(record)])
    return key


class RecordQuery(Frozen):
    """A page of one table, in its key's order: `q` searches its text columns (any case); orders can
    also be filtered by status and customer."""

    q: str | None = None
    status: OrderStatus | None = None
    customer: str | None = None
    limit: int = 50
    cursor: str | None = None


class BusinessRecords(Protocol):
    """The tenant's business rows by key. Every write carries its audit entry, committed with it."""

    async def page(self, tenant_id: int, table: BusinessTable, query: RecordQuery) -> Page[Record]: ...

    async def get(self, tenant_id: int, table: BusinessTable, key: str) -> Record:
        """`NotFoundError` when the tenant has no such row."""
        ...

    async def add(self, tenant_id: int, record: Record, *, audit: AuditEntry) -> Record:
        """`ConflictError` when the key is taken, `InvalidField` for an unknown reference."""
        ...

    async def change(
        self,
        tenant_id: int,
        table: BusinessTable,
        key: str,
        edit: Callable[[Record], Record],
        *,
        audit: Callable[[Record, Record], AuditEntry],
    ) -> Record:
        """Write `edit(row)` over the row in one transaction holding it, with `audit(before, after)`'s
        entry; `NotFoundError`, `InvalidField` as above."""
        ...

    async def remove(self, tenant_id: int, table: BusinessTable, key: str, *, audit: AuditEntry) -> None:
        """`ConflictError` (saying which) when other rows depend on it."""
        ...


def changed_fields(before: Record, after: Record) -> list[str]:
    """The fields whose value differs, for the audit entry (never the values: they may be personal)."""
    old: dict[str, Any] = before.model_dump()
    new: dict[str, Any] = after.model_dump()
    return sorted(k for k in new if old.get(k) != new[k])
