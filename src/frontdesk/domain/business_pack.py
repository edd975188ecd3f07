"""The business pack: a business described as a folder of files, and what importing one reports.

The format is public (docs/business-pack.md): `business.yaml` (required), `products.csv`,
`customers.csv`, `orders.csv`, `services.yaml`, `kb/` and an optional `team.yaml`. Every problem
names the file and, for a table, the row (1 = the first data row after the header) and the column, so
`str(problem)` reads `products.csv row 7: price "abc" is not a number`.

An import is all or nothing: a pack with any problem writes nothing, and its report lists every
problem found (not only the first).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from enum import StrEnum
from typing import Protocol

from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.business_records import (
    AppointmentRecord,
    CustomerRecord,
    OrderRecord,
    ProductRecord,
    ServiceRecord,
    TechnicianRecord,
)
from frontdesk.domain.errors import InvalidInputError
from frontdesk.domain.models import Frozen

PACK_TABLES = ("products", "customers", "orders", "services", "technicians", "appointments")
"""The business's tables a pack fills, in import order (an order needs its customer and products)."""


class PackProblem(Frozen):
    """One thing wrong in a pack: where (file, row, column) and what, in words a person can act on."""

    file: str
    row: int | None = None
    """1-based data row of a CSV file; None for the whole file, its header, or a YAML value."""
    column: str | None = None
    """The CSV column, or a YAML value's path (`services[3].price`, 1-based positions)."""
    message: str
    """Starts with the column when there is one: `price "abc" is not a number`."""

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file} row {self.row}"
        return f"{where}: {self.message}"


class PackError(InvalidInputError):
    """A pack that cannot be imported; nothing was written. `problems` lists every reason."""

    def __init__(self, problems: list[PackProblem], *, report: ImportReport | None = None):
        self.problems = problems
        self.report = report
        """What the import would have done, when the pack got as far as being compared with the tenant."""
        first = str(problems[0]) if problems else "the pack is invalid"
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(first + more)


class Change(StrEnum):
    """What an import did to one row, compared by the row's key."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


class TableCounts(Frozen):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0


class ImportReport(Frozen):
    """What an import did (or, with `dry_run`, would do), table by table, and every problem found.

    With problems nothing was written, whatever `dry_run` says; `refused` counts the rows with one.
    """

    dry_run: bool
    tables: dict[str, TableCounts] = {}
    problems: tuple[PackProblem, ...] = ()
    kb_documents: TableCounts = TableCounts()
    team: Change | None = None
    """The pack's `team.yaml`: saved as the tenant's new team version, unchanged, or None without one."""

    @property
    def ok(self) -> bool:
        return not self.problems


# -- the parsed pack: what the reader gives and the importer and writer take


class PackWhatsApp(Frozen):
    """The Cloud API number the business answers on; importing registers it as the tenant's channel."""

    phone_number_id: str
    waba_id: str | None = None
    display_phone_number: str | None = None
    access_token: str | None = None
    """Only when this number uses its own token; None means the server's global token. Never exported."""


class PackContacts(Frozen):
    """How customers reach the business other than on WhatsApp (the agents may quote them)."""

    phone: str | None = None
    email: str | None = None
    address: str | None = None


class PackBusiness(Frozen):
    """`business.yaml`."""

    name: str
    legal_name: str | None = None
    whatsapp: PackWhatsApp | None = None
    timezone: str = "UTC"
    currency: str = "GBP"
    """ISO 4217 code, upper case."""
    languages: tuple[str, ...] = ()
    """BCP 47 tags, the first the business's main language."""
    locale: str | None = None
    """BCP 47 tag for formatting money and dates (`en-GB`); kept in the tenant's profile["locale"]."""
    website: str | None = None
    support_email: str | None = None
    opening_hours: dict[str, tuple[time, time] | None] = {}
    """Per weekday key (`mon` .. `sun`): open and close, or None for closed that day."""
    holidays: tuple[date, ...] = ()
    contacts: PackContacts | None = None


class Pack(Frozen):
    """A parsed, validated business pack. `business` is None only for single files (the tenant exists).

    A table's rows keep the file's order, so rows[i] is the file's row i + 1 in problems. The rows are
    the business's records, as the admin API has them (an order's `order_id` and `wa_id` columns are
    its record's `ref` and `customer`; in services.yaml an `id` is a `code` or an appointment's `ref`,
    and an appointment's `wa_id` its `customer`).
    """

    business: PackBusiness | None = None
    products: tuple[ProductRecord, ...] = ()
    customers: tuple[CustomerRecord, ...] = ()
    orders: tuple[OrderRecord, ...] = ()
    services: tuple[ServiceRecord, ...] = ()
    technicians: tuple[TechnicianRecord, ...] = ()
    appointments: tuple[AppointmentRecord, ...] = ()
    """Each `start` naive: a wall-clock time in the business's time zone; `end` None (its service's
    duration sets it when imported)."""
    travel_buffer_min: int | None = None
    """`services.yaml`'s free time a technician needs after a visit (the booking rules read it)."""
    kb: dict[str, bytes] = {}
    """Knowledge base documents by file name (`kb/returns.md` -> "returns.md")."""
    team_yaml: str | None = None
    """`team.yaml` as written: saved as the tenant's new team version."""


class BusinessPackStore(Protocol):
    """Where a tenant's business rows live, taken in and given out as packs."""

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
        """Upsert the pack's business and rows in one transaction, with `audit(report)`'s entry unless a
        dry run; `PackError` (with `.report`) and nothing written when anything is wrong."""
        ...

    async def export_pack(self, tenant_id: int) -> Pack:
        """The tenant's business and rows (not its kb or team) as a pack."""
        ...
