"""Request and response bodies of the business data API (`/api/v1/business/...`).

Each table has an `...Out` (a row as answered), an `...In` (a new row: its key and every required field)
and a `...Patch` (fields to change; the key is the path's). In a patch a field left out stays as it is;
`null` empties a field that may be empty and is refused (422) for one that may not. Amounts are answered
as text (`"14.99"`) and taken as text or a JSON number with at most two decimals.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    JsonValue,
    StrictBool,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue

from frontdesk.domain.business import AppointmentStatus, OrderLine, OrderStatus
from frontdesk.domain.business_pack import ImportReport
from frontdesk.domain.business_records import (
    Amount,
    AppointmentRecord,
    City,
    CustomerRecord,
    Day,
    Email,
    Hours,
    Key,
    Label,
    Language,
    Minutes,
    Name,
    OrderRecord,
    Preferences,
    ProductRecord,
    Quantity,
    Rating,
    Record,
    ServiceRecord,
    Stock,
    TechnicianRecord,
    Text,
    WaId,
)
from frontdesk.domain.inbox import Page

_LOCAL_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2})?$"


def _local_time_text(value: Any) -> Any:
    if not (isinstance(value, str) and re.fullmatch(_LOCAL_TIME, value)):
        raise ValueError("must be an ISO 8601 date and time, like 2026-12-09T10:00")
    # Far years would overflow when moved to UTC (0001-01-01T00:00+01:00), and book nobody.
    if not "2000" <= value[:4] <= "2100":
        raise ValueError("must be in the years 2000 to 2100")
    return value


LocalTime = Annotated[
    datetime,
    BeforeValidator(_local_time_text),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601; without an offset it is read in the tenant's time zone.",
        }
    ),
]
Tags = Annotated[list[Label], Field(max_length=50)]
Keys = Annotated[list[Key], Field(max_length=100)]
Cities = Annotated[list[City], Field(max_length=100)]

# -- examples (the demo's rows)

PRODUCT_EXAMPLE: dict[str, JsonValue] = {
    "sku": "LH-BULB-E27",
    "name": "Lumen Smart Bulb E27",
    "category": "lighting",
    "price": "14.99",
    "stock": 240,
    "rating": "4.5",
    "tags": ["bulb", "colour", "wifi"],
    "description": "Colour smart bulb, 806 lumens.",
    "restock_eta": None,
}
CUSTOMER_EXAMPLE: dict[str, JsonValue] = {
    "wa_id": "447700900101",
    "name": "Amelia Clarke",
    "email": "amelia.clarke@example.com",
    "city": "London",
    "language": "en",
    "preferences": {"likes": "lighting", "budget": "mid"},
    "marketing_opt_in": True,
    "vip": False,
}
ORDER_EXAMPLE: dict[str, JsonValue] = {
    "ref": "LH-100245",
    "customer": "447700900101",
    "items": [{"sku": "LH-LAMP-FLOOR", "qty": 1}],
    "total": "129.00",
    "status": "shipped",
    "carrier": "DPD",
    "tracking": "15501234567890",
    "ordered_at": "2026-11-17",
    "shipped_at": "2026-11-18",
    "delivered_at": None,
    "eta": "2026-11-21",
}
SERVICE_EXAMPLE: dict[str, JsonValue] = {
    "code": "install-thermostat",
    "name": "Thermostat installation",
    "duration_min": 90,
    "price": "95.00",
    "remote": False,
    "requires": ["LH-THERMO"],
    "description": "A certified engineer fits and configures a Lumen Thermostat.",
}
TECHNICIAN_EXAMPLE: dict[str, JsonValue] = {
    "code": "tech-hannah",
    "name": "Hannah Price",
    "skills": ["install-thermostat", "install-lighting"],
    "areas": ["London", "Bristol"],
    "hours": {"mon": ["08:00", "17:00"], "fri": ["08:00", "15:00"]},
}
APPOINTMENT_EXAMPLE: dict[str, JsonValue] = {
    "ref": "APT-5001",
    "service": "install-thermostat",
    "technician": "tech-hannah",
    "customer": "447700900103",
    "start": "2026-12-09T09:00:00+00:00",
    "end": "2026-12-09T10:30:00+00:00",
    "city": "Leicester",
    "status": "booked",
}


def _examples(example: dict[str, JsonValue]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


def _in(example: dict[str, JsonValue], key: str | None = None) -> ConfigDict:
    body = {k: v for k, v in example.items() if k != "end" and k != key}
    return ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [body]})


# -- rows as answered


class ProductOut(ProductRecord):
    model_config = _examples(PRODUCT_EXAMPLE)
    price: Amount
    rating: Rating | None = None


class CustomerOut(CustomerRecord):
    """A customer: the same row as the contacts API's contact with this `wa_id`."""

    model_config = _examples(CUSTOMER_EXAMPLE)


class OrderOut(OrderRecord):
    model_config = _examples(ORDER_EXAMPLE)
    total: Amount


class ServiceOut(ServiceRecord):
    model_config = _examples(SERVICE_EXAMPLE)
    price: Amount


class TechnicianOut(TechnicianRecord):
    model_config = _examples(TECHNICIAN_EXAMPLE)


class AppointmentOut(AppointmentRecord):
    """An appointment; `start` and `end` in the tenant's time zone."""

    model_config = _examples(APPOINTMENT_EXAMPLE)
    end: datetime


def _out(record: Record, kind: type[BaseModel]) -> Any:
    return kind.model_validate(record.model_dump())


class _PageOut(BaseModel):
    next_cursor: str | None = Field(description="Pass as `cursor` (with the same filters) for the next page")


def _page_config(example: dict[str, JsonValue]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [{"items": [example], "next_cursor": None}]})


class ProductPageOut(_PageOut):
    """Products by SKU."""

    model_config = _page_config(PRODUCT_EXAMPLE)
    items: list[ProductOut]


class CustomerPageOut(_PageOut):
    """Customers by WhatsApp number."""

    model_config = _page_config(CUSTOMER_EXAMPLE)
    items: list[CustomerOut]


class OrderPageOut(_PageOut):
    """Orders by reference."""

    model_config = _page_config(ORDER_EXAMPLE)
    items: list[OrderOut]


class ServicePageOut(_PageOut):
    """Services by code."""

    model_config = _page_config(SERVICE_EXAMPLE)
    items: list[ServiceOut]


class TechnicianPageOut(_PageOut):
    """Technicians by code."""

    model_config = _page_config(TECHNICIAN_EXAMPLE)
    items: list[TechnicianOut]


class AppointmentPageOut(_PageOut):
    """Appointments by reference."""

    model_config = _page_config(APPOINTMENT_EXAMPLE)
    items: list[AppointmentOut]


def page_out(page: Page[Record], out: type[BaseModel], page_kind: type[_PageOut]) -> Any:
    return page_kind.model_validate(
        {"items": [_out(r, out) for r in page.items], "next_cursor": page.next_cursor}
    )


def record_out(record: Record, out: type[BaseModel]) -> Any:
    return _out(record, out)


# -- new rows


class ProductIn(BaseModel):
    model_config = _in(PRODUCT_EXAMPLE)
    sku: Key
    name: Name
    category: Label
    price: Amount
    stock: Stock
    rating: Rating | None = None
    tags: Tags = []
    description: Text = ""
    restock_eta: Day | None = None


class CustomerIn(BaseModel):
    model_config = _in(CUSTOMER_EXAMPLE)
    wa_id: WaId
    name: Name | None = None
    email: Email | None = None
    city: City | None = None
    language: Language | None = None
    preferences: Preferences = {}
    marketing_opt_in: StrictBool = False
    vip: StrictBool = False


class OrderLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    sku: Key
    qty: Quantity = 1


Lines = Annotated[list[OrderLineIn], Field(min_length=1, max_length=200)]


class OrderIn(BaseModel):
    model_config = _in(ORDER_EXAMPLE)
    ref: Key
    customer: WaId = Field(description="The customer's `wa_id`; they must be a customer of the tenant")
    items: Lines = Field(description="Each SKU must be in the tenant's products")
    total: Amount
    status: OrderStatus = OrderStatus.PROCESSING
    carrier: Label | None = None
    tracking: Label | None = None
    ordered_at: Day
    shipped_at: Day | None = None
    delivered_at: Day | None = None
    eta: Day | None = None


class ServiceIn(BaseModel):
    model_config = _in(SERVICE_EXAMPLE)
    code: Key
    name: Name
    duration_min: Minutes
    price: Amount
    remote: StrictBool = False
    requires: Keys = Field(default=[], description="SKUs the customer needs (in the tenant's products)")
    description: Text = ""


class TechnicianIn(BaseModel):
    model_config = _in(TECHNICIAN_EXAMPLE)
    code: Key
    name: Name
    skills: Keys = Field(default=[], description="Codes of the tenant's services they perform")
    areas: Cities = Field(default=[], description="Cities they visit; `remote` for video services")
    hours: Hours = Field(default={}, description='`{"mon": ["08:00", "17:00"]}`; a day left out is off')


class AppointmentIn(BaseModel):
    model_config = _in(APPOINTMENT_EXAMPLE)
    ref: Key
    service: Key = Field(description="A service code of the tenant")
    technician: Key = Field(description="A technician of the tenant who performs the service")
    customer: WaId
    start: LocalTime
    city: City | None = None
    status: AppointmentStatus = AppointmentStatus.BOOKED


# -- changes (the key is the path's; `Field(default=None)` marks a field that may not be emptied)


class RecordPatch(BaseModel):
    def changes(self) -> dict[str, Any]:
        """The fields given, as the record's types (`items` as order lines)."""
        given = {k: getattr(self, k) for k in self.model_fields_set}
        if given.get("items") is not None:
            given["items"] = tuple(OrderLine(sku=i.sku, qty=i.qty) for i in given["items"])
        for k in ("tags", "requires", "skills", "areas"):
            if given.get(k) is not None:
                given[k] = tuple(given[k])
        return given


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may be left out, but not emptied")
    return value


class _DropNull:
    """The field's schema without its `null`: a client's validator then agrees with ours."""

    def __get_pydantic_json_schema__(
        self, core_schema: Any, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        kinds = [k for k in schema.get("anyOf", []) if k != {"type": "null"}]
        if len(kinds) == 1:
            rest = {k: v for k, v in schema.items() if k != "anyOf"}
            return {**kinds[0], **rest}
        if kinds:
            schema["anyOf"] = kinds
        return schema


KEPT = (BeforeValidator(_not_null), _DropNull())
"""A patch's field that may be left out but not set to null (a required field of the row)."""


def _patch(example: dict[str, JsonValue]) -> ConfigDict:
    return ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [example]})


class ProductPatch(RecordPatch):
    model_config = _patch({"price": "12.99", "stock": 0, "restock_eta": "2026-12-20"})
    name: Annotated[Name | None, *KEPT] = None
    category: Annotated[Label | None, *KEPT] = None
    price: Annotated[Amount | None, *KEPT] = None
    stock: Annotated[Stock | None, *KEPT] = None
    rating: Rating | None = None
    tags: Annotated[Tags | None, *KEPT] = None
    description: Annotated[Text | None, *KEPT] = None
    restock_eta: Day | None = None


class CustomerPatch(RecordPatch):
    model_config = _patch({"city": "Leeds", "vip": True})
    name: Name | None = None
    email: Email | None = None
    city: City | None = None
    language: Language | None = None
    preferences: Annotated[Preferences | None, *KEPT] = None
    marketing_opt_in: Annotated[StrictBool | None, *KEPT] = None
    vip: Annotated[StrictBool | None, *KEPT] = None


class OrderPatch(RecordPatch):
    """Most often a status change: the customer's next question sees it."""

    model_config = _patch({"status": "shipped", "carrier": "DPD", "tracking": "15501234567890"})
    customer: Annotated[WaId | None, *KEPT] = None
    items: Annotated[Lines | None, *KEPT] = None
    total: Annotated[Amount | None, *KEPT] = None
    status: Annotated[OrderStatus | None, *KEPT] = None
    carrier: Label | None = None
    tracking: Label | None = None
    ordered_at: Annotated[Day | None, *KEPT] = None
    shipped_at: Day | None = None
    delivered_at: Day | None = None
    eta: Day | None = None


class ServicePatch(RecordPatch):
    model_config = _patch({"price": "99.00", "duration_min": 120})
    name: Annotated[Name | None, *KEPT] = None
    duration_min: Annotated[Minutes | None, *KEPT] = None
    price: Annotated[Amount | None, *KEPT] = None
    remote: Annotated[StrictBool | None, *KEPT] = None
    requires: Annotated[Keys | None, *KEPT] = None
    description: Annotated[Text | None, *KEPT] = None


class TechnicianPatch(RecordPatch):
    model_config = _patch({"hours": {"mon": ["09:00", "17:00"]}})
    name: Annotated[Name | None, *KEPT] = None
    skills: Annotated[Keys | None, *KEPT] = None
    areas: Annotated[Cities | None, *KEPT] = None
    hours: Annotated[Hours | None, *KEPT] = None


class AppointmentPatch(RecordPatch):
    model_config = _patch({"status": "cancelled"})
    service: Annotated[Key | None, *KEPT] = None
    technician: Annotated[Key | None, *KEPT] = None
    customer: Annotated[WaId | None, *KEPT] = None
    start: Annotated[LocalTime | None, *KEPT] = None
    city: City | None = None
    status: Annotated[AppointmentStatus | None, *KEPT] = None


# -- imports


class TableCountsOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    refused: int


class PackProblemOut(BaseModel):
    """One thing wrong in the data: where (file, row, column) and what; `text` says both in one line."""

    file: str
    row: int | None = Field(description="1 = the first data row after a CSV's header; null for a file")
    column: str | None
    message: str
    text: str = Field(description='`products.csv row 7: price "abc" is not a number`')


REPORT_EXAMPLE: dict[str, JsonValue] = {
    "dry_run": True,
    "ok": False,
    "tables": {"products": {"created": 12, "updated": 0, "unchanged": 3, "refused": 1}},
    "kb_documents": {"created": 0, "updated": 0, "unchanged": 0, "refused": 0},
    "team": None,
    "problems": [
        {
            "file": "products.csv",
            "row": 7,
            "column": "price",
            "message": 'price "abc" is not a number',
            "text": 'products.csv row 7: price "abc" is not a number',
        }
    ],
}


class ImportReportOut(BaseModel):
    """What an import did (or, with `dry_run`, would do), table by table, and every problem found. With
    a problem nothing was written (`ok` is false, and the answer is 422)."""

    model_config = _examples(REPORT_EXAMPLE)

    dry_run: bool
    ok: bool
    tables: dict[str, TableCountsOut]
    kb_documents: TableCountsOut
    team: str | None = Field(description="The pack's team.yaml: `created`, `updated`, `unchanged`, or null")
    problems: list[PackProblemOut]

    @classmethod
    def of(cls, report: ImportReport) -> ImportReportOut:
        return cls(
            dry_run=report.dry_run,
            ok=report.ok,
            tables={t: TableCountsOut(**c.model_dump()) for t, c in report.tables.items()},
            kb_documents=TableCountsOut(**report.kb_documents.model_dump()),
            team=None if report.team is None else str(report.team),
            problems=[PackProblemOut(**p.model_dump(), text=str(p)) for p in report.problems],
        )
