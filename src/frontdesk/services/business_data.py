"""The business's data as staff see and edit it: products, customers, orders, services, technicians and
appointments, each by its key, in pages, searched; every change audited (`business.<table>.<verb>`).

The agents read the same rows on every turn (`BusinessData`), so a change here (an order shipped, a
price lowered) is what the customer's next question is answered from.

Appointment times given without an offset are the tenant's local time, and answers give them in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.business_records import (
    KEYS,
    RECORD_TYPES,
    AppointmentRecord,
    BusinessRecords,
    BusinessTable,
    Record,
    RecordQuery,
    changed_fields,
    key_of,
    table_of,
)
from frontdesk.domain.errors import InvalidInputError
from frontdesk.domain.inbox import Page
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import Staff
from frontdesk.services.audit import staff_entry


class BusinessDataService:
    def __init__(self, *, records: BusinessRecords, clock: Clock):
        self._records = records
        self._clock = clock

    async def page(self, staff: Staff, table: BusinessTable, query: RecordQuery) -> Page[Record]:
        """One page of the table in its key's order (see `RecordQuery`)."""
        page = await self._records.page(staff.tenant.id, table, query)
        return Page(items=[_local(staff, r) for r in page.items], next_cursor=page.next_cursor)

    async def get(self, staff: Staff, table: BusinessTable, key: str) -> Record:
        """The row with this key; `NotFoundError` when the tenant has none."""
        return _local(staff, await self._records.get(staff.tenant.id, table, key))

    async def create(self, staff: Staff, record: Record) -> Record:
        """Add a row (audited); `ConflictError` when its key exists, `InvalidField` for an unknown
        reference."""
        record = _zoned(staff, record)
        entry = self._entry(staff, record, "create", fields=None)
        return _local(staff, await self._records.add(staff.tenant.id, record, audit=entry))

    async def update(
        self, staff: Staff, table: BusinessTable, key: str, changes: Mapping[str, Any]
    ) -> Record:
        """Change some fields of a row (audited with the names of the fields that changed)."""
        if KEYS[table] in changes:
            raise InvalidInputError(f"{KEYS[table]} is the row's key: it cannot be changed")

        def edit(current: Record) -> Record:
            values = {**current.model_dump(), **changes}
            if isinstance(current, AppointmentRecord):
                values["end"] = None  # follows the start and the service's duration
            return _zoned(staff, RECORD_TYPES[table].model_validate(values))

        def entry(before: Record, after: Record) -> AuditEntry:
            return self._entry(staff, after, "update", fields=changed_fields(before, after))

        changed = await self._records.change(staff.tenant.id, table, key, edit, audit=entry)
        return _local(staff, changed)

    async def delete(self, staff: Staff, table: BusinessTable, key: str) -> None:
        """Delete a row (audited); `ConflictError` when other rows depend on it."""
        entry = staff_entry(
            staff, f"business.{table}.delete", target_type=str(table), target_id=key, now=self._clock.now()
        )
        await self._records.remove(staff.tenant.id, table, key, audit=entry)

    def _entry(self, staff: Staff, record: Record, verb: str, *, fields: list[str] | None) -> AuditEntry:
        table = table_of(record)
        return staff_entry(
            staff,
            f"business.{table}.{verb}",
            target_type=str(table),
            target_id=key_of(record),
            now=self._clock.now(),
            details=None if fields is None else {"fields": fields},
        )


def _zone(staff: Staff) -> ZoneInfo:
    try:
        return ZoneInfo(staff.tenant.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _zoned(staff: Staff, record: Record) -> Record:
    """An appointment whose start has no offset, read in the tenant's time zone."""
    if isinstance(record, AppointmentRecord) and record.start.tzinfo is None:
        return record.model_copy(update={"start": record.start.replace(tzinfo=_zone(staff))})
    return record


def _local(staff: Staff, record: Record) -> Record:
    """An appointment's times in the tenant's time zone (stored in UTC)."""
    if isinstance(record, AppointmentRecord):
        zone = _zone(staff)
        end: datetime | None = record.end.astimezone(zone) if record.end else None
        return record.model_copy(update={"start": record.start.astimezone(zone), "end": end})
    return record
