"""`SqlRetention`: the retention job's erasures on the database (implements `RetentionStore`).

What an erased message keeps and loses is what a contact's erasure does to it (`contact_data.erase`):
`text` null and `content` `{"redacted": true}`, plus `erased_at`. A reply still waiting to be sent is left
alone until it is sent or failed (or held and discarded).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db.audit import insert_audit
from frontdesk.adapters.db.contact_data import REDACTED
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import conversations, events, messages, outbox, status_events, tenants
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.models import MessageStatus, OutboxStatus
from frontdesk.domain.retention import RetentionPolicy


def _sending(message_id: Any) -> Any:
    """The message's reply is queued or being sent: the send still needs its text. (A `pending` message
    without such a row is a held send that staff discarded: nothing will ever send it.)"""
    live = [OutboxStatus.PENDING, OutboxStatus.SENDING]
    return exists().where(outbox.c.message_id == message_id, outbox.c.status.in_(live))


class SqlRetention:
    def __init__(self, store: SqlStore):
        self._store = store

    async def policies(self) -> list[RetentionPolicy]:
        stmt = select(tenants.c.id, tenants.c.retention_days).where(tenants.c.retention_days.is_not(None))
        async with self._store.read() as conn:
            found = (await conn.execute(stmt.order_by(tenants.c.id))).all()
        return [RetentionPolicy(tenant_id=r.id, days=r.retention_days) for r in found]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlRetentionTx]:
        async with self._store.begin() as conn:
            yield SqlRetentionTx(conn)


class SqlRetentionTx:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def add_audit(self, entry: AuditEntry) -> None:
        await insert_audit(self.conn, entry)

    async def erase_messages(
        self, tenant_id: int, *, before: datetime, now: datetime, limit: int
    ) -> list[int]:
        due = (
            select(messages.c.id)
            .where(
                messages.c.tenant_id == tenant_id,
                messages.c.created_at < before,
                messages.c.erased_at.is_(None),
                or_(messages.c.status != MessageStatus.PENDING, ~_sending(messages.c.id)),
            )
            .order_by(messages.c.id)
            .limit(limit)
        )
        ids = list((await self.conn.execute(due)).scalars())
        if not ids:
            return []
        # `erased_at IS NULL` again: a concurrent job in another process may have erased some meanwhile,
        # and RETURNING says which rows this one erased (the rest of the batch follows those only).
        erased = (
            await self.conn.execute(
                update(messages)
                .where(messages.c.id.in_(ids), messages.c.erased_at.is_(None))
                .values(text=None, content=REDACTED, error_message=None, erased_at=now)
                .returning(messages.c.id, messages.c.channel_message_id)
            )
        ).all()
        mine = [r.id for r in erased]
        wamids = [r.channel_message_id for r in erased if r.channel_message_id]
        if wamids:  # status callbacks carry the customer's number and the provider's error text
            await self.conn.execute(
                status_events.delete().where(status_events.c.channel_message_id.in_(wamids))
            )
        if mine:
            await self.conn.execute(
                update(outbox)
                .where(
                    outbox.c.message_id.in_(mine),
                    outbox.c.status.not_in([OutboxStatus.PENDING, OutboxStatus.SENDING]),
                )
                .values(payload=REDACTED)
            )
        return mine

    async def prune_status_events(self, tenant_id: int, *, before: datetime) -> int:
        # Callbacks for an erased message are stored again when they arrive (a late `read`, say); those
        # matching no message (the first copy of a reply sent twice) belong to no tenant, and are of no
        # use once older than any retention period: their early-callback window is seconds.
        theirs = select(messages.c.channel_message_id).where(
            messages.c.tenant_id == tenant_id, messages.c.channel_message_id.is_not(None)
        )
        known = select(messages.c.id).where(
            messages.c.channel_message_id == status_events.c.channel_message_id
        )
        pruned = await self.conn.execute(
            status_events.delete().where(
                status_events.c.received_at < before,
                or_(status_events.c.channel_message_id.in_(theirs), ~known.exists()),
            )
        )
        return int(pruned.rowcount)

    async def erase_conversations(self, tenant_id: int, *, before: datetime) -> int:
        quiet = or_(
            conversations.c.last_message_at < before,
            and_(conversations.c.last_message_at.is_(None), conversations.c.created_at < before),
        )
        changed = await self.conn.execute(
            update(conversations)
            .where(
                conversations.c.tenant_id == tenant_id,
                quiet,
                or_(conversations.c.summary.is_not(None), conversations.c.agent_state.is_not(None)),
            )
            .values(summary=None, agent_state=None)
        )
        # Live events repeat message text. The newest event stays: SQLite would hand its id out again
        # (see `live_events.prune`); it is younger than `before` unless the whole feed is.
        newest = select(func.max(events.c.id)).scalar_subquery()
        old = and_(events.c.tenant_id == tenant_id, events.c.created_at < before)
        await self.conn.execute(events.delete().where(old, events.c.id < newest))
        await self.conn.execute(update(events).where(old).values(payload=REDACTED))
        return int(changed.rowcount)
