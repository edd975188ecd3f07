"""`SqlAuditLog` on SQLite and PostgreSQL: every entry is written by `insert_audit`, which fits the actor to
its column (an e-mail may be 254 characters; `audit_log.actor` holds 200, and PostgreSQL refuses more)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from frontdesk.adapters.db.audit import SqlAuditLog
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import audit_log
from frontdesk.domain.audit import AuditEntry

NOW = datetime(2026, 11, 20, 10, tzinfo=UTC)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    store = SqlStore(make_engine(database_url))
    await upgrade(store.engine)
    yield store
    await store.dispose()


async def test_a_long_actor_is_cut_to_the_column(store: SqlStore) -> None:
    actor = "a" * 240 + "@example.test"
    await SqlAuditLog(store).add(AuditEntry(tenant_id=None, actor=actor, action="login.failed", at=NOW))
    async with store.read() as conn:
        stored = (await conn.execute(select(audit_log.c.actor))).scalar_one()
    assert stored == actor[:200]
