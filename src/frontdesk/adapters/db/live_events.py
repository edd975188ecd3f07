"""`SqlEventFeed`: the live events table read back by id, and pruned (implements `EventFeed`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import events
from frontdesk.domain.live_feed import LiveEvent


def _event(r: Any) -> LiveEvent:
    return LiveEvent(
        id=r.id, tenant_id=r.tenant_id, type=r.type, payload=r.payload or {}, created_at=r.created_at
    )


class SqlEventFeed:
    def __init__(self, store: SqlStore):
        self._store = store

    async def latest_id(self) -> int:
        async with self._store.read() as conn:
            return int((await conn.execute(select(func.max(events.c.id)))).scalar() or 0)

    async def after(self, after_id: int, *, limit: int) -> list[LiveEvent]:
        stmt = select(events).where(events.c.id > after_id).order_by(events.c.id).limit(limit)
        async with self._store.read() as conn:
            return [_event(r) for r in await conn.execute(stmt)]

    async def replay(self, tenant_id: int, *, after_id: int, up_to: int, limit: int) -> list[LiveEvent]:
        stmt = (
            select(events)
            .where(events.c.tenant_id == tenant_id, events.c.id > after_id, events.c.id <= up_to)
            .order_by(events.c.id)
            .limit(limit)
        )
        async with self._store.read() as conn:
            return [_event(r) for r in await conn.execute(stmt)]

    async def first_id_since(self, at: datetime) -> int | None:
        async with self._store.read() as conn:
            found = (
                await conn.execute(select(func.min(events.c.id)).where(events.c.created_at >= at))
            ).scalar()
        return int(found) if found is not None else None

    async def prune(self, *, before: datetime) -> int:
        # The newest event always stays: SQLite hands out max(id) + 1, and an empty table would start
        # ids again from 1, below what clients already hold.
        newest = select(func.max(events.c.id)).scalar_subquery()
        async with self._store.begin() as conn:
            result = await conn.execute(
                events.delete().where(events.c.created_at < before, events.c.id < newest)
            )
        return int(result.rowcount)
