"""`SqlAuditLog`: the audit log in the `audit_log` table (implements `AuditLog`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import audit_log
from frontdesk.domain.audit import AuditEntry, AuditPage, AuditQuery


async def insert_audit(conn: AsyncConnection, entry: AuditEntry) -> None:
    """Add an entry inside a transaction another adapter already holds (so it commits with the change)."""
    await conn.execute(
        insert(audit_log).values(
            tenant_id=entry.tenant_id,
            actor=entry.actor,
            action=entry.action,
            target_type=entry.target_type,
            target_id=entry.target_id,
            details=entry.details,
            at=entry.at,
        )
    )


class SqlAuditLog:
    def __init__(self, store: SqlStore):
        self._store = store

    async def add(self, entry: AuditEntry) -> None:
        async with self._store.begin() as conn:
            await insert_audit(conn, entry)

    async def page(self, query: AuditQuery) -> AuditPage:
        where: list[Any] = [audit_log.c.tenant_id == query.tenant_id]
        if query.actor:
            where.append(audit_log.c.actor == query.actor)
        if query.action:
            where.append(audit_log.c.action == query.action)
        if query.since:
            where.append(audit_log.c.at >= query.since)
        async with self._store.read() as conn:
            total = (await conn.execute(select(func.count()).select_from(audit_log).where(*where))).scalar()
            found = await conn.execute(
                select(audit_log)
                .where(*where)
                .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
                .limit(query.limit)
                .offset(query.offset)
            )
            items = [
                AuditEntry(
                    id=r.id,
                    tenant_id=r.tenant_id,
                    actor=r.actor,
                    action=r.action,
                    at=r.at,
                    target_type=r.target_type,
                    target_id=r.target_id,
                    details=r.details or {},
                )
                for r in found
            ]
        return AuditPage(items=items, total=int(total or 0))
