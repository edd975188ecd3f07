"""`SqlAuditLog`: the audit log in the `audit_log` table (implements `AuditLog`).

Pages are keyset-paged on (`at`, `id`), newest first: a page is `limit` rows older than the cursor's
entry, so paging stays cheap however long the log grows and an entry added meanwhile shifts nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import audit_log
from frontdesk.domain.audit import AuditEntry, AuditPage, AuditQuery
from frontdesk.domain.inbox import InvalidCursor, decode_cursor, encode_cursor

# `audit_log.actor` is String(200); an e-mail can be longer (254), and PostgreSQL refuses what SQLite keeps.
_ACTOR_LENGTH = 200


async def insert_audit(conn: AsyncConnection, entry: AuditEntry) -> None:
    """Add an entry inside a transaction another adapter already holds (so it commits with the change).

    Every audit entry is written here (`SqlAuditLog.add` and each transaction's `add_audit`)."""
    await conn.execute(
        insert(audit_log).values(
            tenant_id=entry.tenant_id,
            actor=entry.actor[:_ACTOR_LENGTH],
            action=entry.action,
            target_type=entry.target_type,
            target_id=entry.target_id,
            details=entry.details,
            at=entry.at,
        )
    )


def _after(cursor: str) -> Any:
    """Entries older than the one the cursor names (same order as the list: `at`, then `id`)."""
    at, last_id = decode_cursor(cursor, size=2)
    try:
        when = datetime.fromisoformat(at)
    except (TypeError, ValueError):
        raise InvalidCursor("cursor: not a cursor this list gave out") from None
    if not isinstance(last_id, int) or when.tzinfo is None:
        raise InvalidCursor("cursor: not a cursor this list gave out")
    c = audit_log.c
    return or_(c.at < when, and_(c.at == when, c.id < last_id))


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
        if query.cursor is not None:
            where.append(_after(query.cursor))
        stmt = (
            select(audit_log)
            .where(*where)
            .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
            .limit(query.limit + 1)
        )
        async with self._store.read() as conn:
            found = (await conn.execute(stmt)).all()
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
            for r in found[: query.limit]
        ]
        more = len(found) > query.limit
        next_cursor = encode_cursor(items[-1].at.isoformat(), items[-1].id) if more and items else None
        return AuditPage(items=items, next_cursor=next_cursor)
