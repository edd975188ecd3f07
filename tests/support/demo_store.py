"""A store on a test database, migrated and holding the demo business."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from frontdesk.adapters.db.demo_seed import seed_business
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.store import SqlStore


@asynccontextmanager
async def demo_store(url: str, *, now: datetime) -> AsyncIterator[SqlStore]:
    """The store at `url`, migrated and seeded with the demo business as of `now`; disposed after."""
    store = SqlStore(make_engine(url))
    try:
        await upgrade(store.engine)
        await seed_business(store, now=now)
        yield store
    finally:
        await store.dispose()
