"""Composition of the business data services: the tables staff edit through `/api/v1/business` (part of
the composition root; `frontdesk.wiring.container` calls `build_business`)."""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk.adapters.db.business_admin import SqlBusinessRecords
from frontdesk.adapters.db.store import SqlStore
from frontdesk.domain.ports import Clock
from frontdesk.services.business_data import BusinessDataService


@dataclass(frozen=True, kw_only=True)
class BusinessServices:
    data: BusinessDataService


def build_business(*, store: SqlStore, clock: Clock) -> BusinessServices:
    return BusinessServices(data=BusinessDataService(records=SqlBusinessRecords(store), clock=clock))
