"""The business's data as files, for the admin API: one table as CSV rows (export and import), or the
whole business as a pack. Importing is the pack's import (`BusinessPacks`): one table is a pack with
only that table, checked against the tenant's other rows, all or nothing, with the same report.

An export hands out customers' personal data, so each is audited (`business.<table>.export`,
`business.exported`), as the contacts API's export is.
"""

from __future__ import annotations

from typing import Any

from frontdesk.domain.audit import AuditLog
from frontdesk.domain.business_pack import BusinessPackStore, ImportReport, Pack
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import Staff
from frontdesk.services.audit import staff_entry
from frontdesk.services.business_packs import BusinessPacks

CSV_TABLES = ("products", "customers", "orders")
"""The tables a pack holds as CSV files (the others are in `services.yaml`)."""


class BusinessFiles:
    def __init__(self, *, store: BusinessPackStore, packs: BusinessPacks, audit: AuditLog, clock: Clock):
        self._store = store
        self._packs = packs
        self._audit = audit
        self._clock = clock

    async def table_rows(self, staff: Staff, table: str) -> tuple[Any, ...]:
        """The tenant's rows of a CSV table, as a pack holds them (audited)."""
        rows: tuple[Any, ...] = getattr(await self._store.export_pack(staff.tenant.id), _csv(table))
        await self._record(staff, f"business.{table}.export", {"rows": len(rows)})
        return rows

    async def import_rows(self, staff: Staff, table: str, rows: list[Any], *, dry_run: bool) -> ImportReport:
        """Upsert one table's rows by key (`PackError` and nothing written if any is refused)."""
        pack = Pack(**{_csv(table): tuple(rows)})
        return await self._packs.import_pack(staff, pack, dry_run=dry_run)

    async def import_pack(self, staff: Staff, pack: Pack, *, dry_run: bool) -> ImportReport:
        """Bring a whole pack (or some of its files) in; see `BusinessPacks.import_pack`."""
        return await self._packs.import_pack(staff, pack, dry_run=dry_run)

    async def export_pack(self, staff: Staff) -> Pack:
        """The whole business as a pack: rows, knowledge documents as uploaded, the saved team (audited)."""
        pack = await self._packs.export(staff.tenant)
        await self._record(staff, "business.exported", {"kb_documents": len(pack.kb)})
        return pack

    async def _record(self, staff: Staff, action: str, details: dict[str, Any]) -> None:
        entry = staff_entry(
            staff,
            action,
            target_type="tenant",
            target_id=staff.tenant.id,
            now=self._clock.now(),
            details=details,
        )
        await self._audit.add(entry)


def _csv(table: str) -> str:
    if table not in CSV_TABLES:
        raise ValueError(f"{table!r} is not a CSV table; one of {', '.join(CSV_TABLES)}")
    return table
