"""The business's own data as the agents' tools see it: catalog, orders, bookings, contacts, staff tasks.

Every operation of `BusinessData` takes the tenant, and every operation on personal data takes the
contact too: an order, appointment or profile of another contact (or another tenant) is answered
exactly like one that does not exist (None), and is never changed. The tools pass both ids from their
context, never from what a model asked for.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from pydantic import Field

from frontdesk.domain.models import Frozen, Message

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Keys of opening hours and technicians' hours, in `date.weekday()` order."""

Hours = dict[str, tuple[time, time]]
"""Working hours per weekday key (`WEEKDAYS`); a missing day is a day off."""


class OrderStatus(StrEnum):
    PROCESSING = "processing"
    BACKORDERED = "backordered"
    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    RETURN_REQUESTED = "return_requested"
    RETURNED = "returned"
    CANCELLED = "cancelled"


CANCELLABLE = frozenset({OrderStatus.PROCESSING, OrderStatus.BACKORDERED})
"""Orders that have not left the warehouse: the only ones a customer can cancel."""


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


class StaffTaskKind(StrEnum):
    DATA_EXPORT = "data_export"
    DATA_DELETION = "data_deletion"
    RETURN = "return"
    CALLBACK = "callback"


class StaffTaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class ReturnKind(StrEnum):
    REFUND = "refund"
    """Inside the returns window: any reason, full refund."""
    WARRANTY = "warranty"
    """A faulty item after the returns window, under warranty: repair or replacement."""


class Product(Frozen):
    sku: str
    name: str
    category: str
    price: Decimal
    stock: int
    rating: Decimal | None = None
    tags: tuple[str, ...] = ()
    description: str = ""
    restock_eta: date | None = None

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


class OrderLine(Frozen):
    """One line of an order: a product's SKU and how many."""

    sku: str
    qty: int


class OrderItem(OrderLine):
    name: str | None = None
    """The product's name, when the catalog still has it."""


class OrderFacts(Frozen):
    """An order's own fields, which the agents' `Order` and the staff's `OrderRecord` share; each says what
    its lines carry (the agents' name their product)."""

    ref: str
    items: tuple[OrderLine, ...]
    total: Decimal
    status: OrderStatus
    carrier: str | None = None
    tracking: str | None = None
    ordered_at: date
    shipped_at: date | None = None
    delivered_at: date | None = None
    eta: date | None = None


class Order(OrderFacts):
    items: tuple[OrderItem, ...]


class ReturnItem(Frozen):
    sku: str
    qty: int = Field(ge=1)


class NewReturn(Frozen):
    kind: ReturnKind
    items: tuple[ReturnItem, ...]
    reason: str
    opened: bool | None = None
    faulty: bool = False


class ReturnRecord(Frozen):
    ref: str
    order_ref: str
    kind: ReturnKind
    items: tuple[ReturnItem, ...]
    reason: str
    status: str
    staff_task_id: int
    created_at: datetime


class Service(Frozen):
    code: str
    name: str
    duration_min: int
    price: Decimal
    remote: bool = False
    requires: tuple[str, ...] = ()
    """SKUs the customer needs for the service (e.g. the thermostat to install)."""
    description: str = ""


ON_SITE = "on-site"
"""A technician's area meaning "at the business's premises": the customer comes to them."""
REMOTE = "remote"
"""A technician's area for services given by video."""


class Technician(Frozen):
    code: str
    name: str
    skills: frozenset[str]
    """Codes of the services they perform."""
    areas: frozenset[str]
    """Cities they visit; `remote` for services given by video; `on-site` (`ON_SITE`) for services given at
    the business's premises (a salon's stylists), which need no town."""
    hours: Hours


class Busy(Frozen):
    """A technician's booked time, as availability needs it: no customer in it."""

    ref: str
    technician_code: str
    start_at: datetime
    end_at: datetime


class Appointment(Frozen):
    ref: str
    service_code: str
    service_name: str
    technician_code: str
    technician_name: str
    start_at: datetime
    end_at: datetime
    city: str | None = None
    status: AppointmentStatus


class NewAppointment(Frozen):
    service_code: str
    technician_code: str
    start_at: datetime
    end_at: datetime
    city: str | None = None


class Customer(Frozen):
    """What a business knows about a customer (a contact), named by their WhatsApp number: what staff
    edit (`CustomerRecord`) and a pack's `customers.csv` row; the agents see it as `ContactProfile`."""

    wa_id: str
    name: str | None = None
    email: str | None = None
    city: str | None = None
    language: str | None = None
    preferences: dict[str, str] = {}
    marketing_opt_in: bool = False
    vip: bool = False


class ContactProfile(Customer):
    contact_id: int
    opted_out: bool = False
    """The contact said STOP: no marketing or other messages they did not ask for."""


class StaffTask(Frozen):
    id: int
    contact_id: int
    conversation_id: int | None = None
    kind: StaffTaskKind
    status: StaffTaskStatus
    details: dict[str, Any] = {}
    created_at: datetime


class BookingRules(Frozen):
    opening_hours: Hours = {}
    """When the business is open; visits happen inside these hours too. Empty: no such limit."""
    holidays: frozenset[date] = frozenset()
    travel_buffer_min: int = 0
    """Free time a technician needs after each booking before the next one starts."""
    slot_step_min: int = 30
    """Slots start on multiples of this, in local wall-clock time (30: on the hour or half hour)."""
    min_notice_min: int = 60
    """The earliest bookable slot starts this long after now."""


class ReturnsPolicy(Frozen):
    """The data-checkable part of the returns policy (the rest is for staff to check)."""

    window_days: int = 30
    """Any reason, full refund, within this many days of delivery."""
    warranty_days: int = 730
    """Faulty items are covered by the warranty after the window, up to this many days from delivery."""
    unopened_only_tags: frozenset[str] = frozenset({"earbuds", "hygiene"})
    """Products with any of these tags are returnable only unopened, unless faulty (hygiene)."""
    non_returnable_tags: frozenset[str] = frozenset({"final-sale", "non-returnable"})


class BusinessRules(Frozen):
    currency: str = "GBP"
    locale: str = "en"
    """How prices are written (BCP 47, `de-DE`): the profile's `locale`, else its first language."""
    booking: BookingRules = BookingRules()
    returns: ReturnsPolicy = ReturnsPolicy()


class BusinessData(Protocol):
    """The business's catalog, orders, bookings and contacts, scoped to one tenant (and contact)."""

    async def rules(self, tenant_id: int) -> BusinessRules: ...

    # -- catalog (not personal)
    async def search_products(
        self,
        tenant_id: int,
        *,
        category: str | None = None,
        max_price: Decimal | None = None,
        in_stock_only: bool = False,
        skus: Collection[str] | None = None,
    ) -> list[Product]:
        """Products matching every filter given, by name (text ranking is the caller's)."""
        ...

    async def product(self, tenant_id: int, sku: str) -> Product | None: ...

    async def backorder_eta(self, tenant_id: int, sku: str) -> date | None:
        """The earliest expected date among backordered orders of `sku`: when new stock is due."""
        ...

    # -- orders (personal)
    async def orders_of(self, tenant_id: int, contact_id: int, *, limit: int = 10) -> list[Order]:
        """The contact's orders, newest first."""
        ...

    async def order(self, tenant_id: int, contact_id: int, order_ref: str) -> Order | None:
        """The contact's order `order_ref`; None when it does not exist or is someone else's."""
        ...

    async def set_order_status(
        self,
        tenant_id: int,
        contact_id: int,
        order_ref: str,
        *,
        status: OrderStatus,
        only_from: Collection[OrderStatus],
    ) -> Order | None:
        """Move the contact's order to `status`; `ConflictError` unless it is in `only_from` now."""
        ...

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
        """Record a return with its staff task and mark the order `return_requested`, atomically.

        `ConflictError` unless the order is `delivered` now; None when it is not the contact's."""
        ...

    # -- booking
    async def services(self, tenant_id: int) -> list[Service]: ...
    async def technicians(self, tenant_id: int) -> list[Technician]: ...
    async def busy_between(self, tenant_id: int, start: datetime, end: datetime) -> list[Busy]:
        """Every booked appointment of the tenant overlapping [start, end), whoever's it is."""
        ...

    async def appointments_of(self, tenant_id: int, contact_id: int) -> list[Appointment]: ...
    async def appointment(self, tenant_id: int, contact_id: int, ref: str) -> Appointment | None: ...
    async def add_appointment(
        self, tenant_id: int, contact_id: int, new: NewAppointment, *, buffer: timedelta
    ) -> Appointment:
        """Book; `ConflictError` when the technician has a booking within `buffer` of it meanwhile."""
        ...

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
        """Reschedule the contact's booked appointment; `ConflictError` like `add_appointment`."""
        ...

    async def cancel_appointment(self, tenant_id: int, contact_id: int, ref: str) -> Appointment | None: ...

    # -- the contact
    async def profile(self, tenant_id: int, contact_id: int) -> ContactProfile | None: ...
    async def update_profile(
        self,
        tenant_id: int,
        contact_id: int,
        *,
        preferences: Mapping[str, str],
        remove: Collection[str] = (),
        city: str | None = None,
    ) -> ContactProfile | None:
        """Merge `preferences` in, drop the keys in `remove`, and set the city when given."""
        ...

    async def set_marketing(
        self, tenant_id: int, contact_id: int, *, opt_in: bool, now: datetime
    ) -> ContactProfile | None:
        """Opt in (clears a STOP) or out (a STOP: no marketing, `opted_out` from `now`)."""
        ...

    # -- staff
    async def add_staff_task(
        self,
        tenant_id: int,
        contact_id: int,
        *,
        kind: StaffTaskKind,
        details: Mapping[str, Any],
        conversation_id: int | None,
        now: datetime,
    ) -> StaffTask: ...

    async def staff_tasks_of(
        self, tenant_id: int, contact_id: int, *, open_only: bool = True
    ) -> list[StaffTask]: ...


class MessageSearch(Protocol):
    """Stored messages of one conversation (tools) or of a whole tenant (staff commands)."""

    async def recent(self, tenant_id: int, conversation_id: int, *, limit: int) -> list[Message]:
        """The conversation's last `limit` messages, oldest first."""
        ...

    async def search(
        self, tenant_id: int, conversation_id: int | None, query: str, *, limit: int
    ) -> list[Message]:
        """Messages containing the query's words, best first; the tenant's all when no conversation."""
        ...


def weekday_key(day: date) -> str:
    """`mon` … `sun` for a date."""
    return WEEKDAYS[day.weekday()]
