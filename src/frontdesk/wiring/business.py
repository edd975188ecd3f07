"""Composition of the business data services: the tables staff edit through `/api/v1/business`, and the
same data as CSV tables and packs (part of the composition root; `frontdesk.wiring.container` calls
`build_business` with the pack service it built)."""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk.adapters.db.audit import SqlAuditLog
from frontdesk.adapters.db.business_admin import SqlBusinessRecords
from frontdesk.adapters.db.business_export import SqlBusinessPacks
from frontdesk.adapters.db.store import SqlStore
from frontdesk.domain.ports import Clock
from frontdesk.services.business_data import BusinessDataService
from frontdesk.services.business_files import BusinessFiles
from frontdesk.services.business_packs import BusinessPacks


@dataclass(frozen=True, kw_only=True)
class BusinessServices:
    data: BusinessDataService
    files: BusinessFiles


def build_business(*, store: SqlStore, clock: Clock, packs: BusinessPacks) -> BusinessServices:
    return BusinessServices(
        data=BusinessDataService(records=SqlBusinessRecords(store), clock=clock),
        files=BusinessFiles(
            store=SqlBusinessPacks(store), packs=packs, audit=SqlAuditLog(store), clock=clock
        ),
    )
