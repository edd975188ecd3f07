"""`SqlTx`: the repositories of one database transaction (implements `frontdesk.domain.ports.Tx`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db import inbound, rows
from frontdesk.adapters.db.tables import (
    channels,
    contacts,
    conversations,
    events,
    messages,
    outbox,
    status_events,
    tenants,
)
from frontdesk.adapters.secret_box import SecretBox
from frontdesk.domain import live
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.events import StatusUpdate
from frontdesk.domain.models import (
    UNCERTAIN_SEND,
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageStatus,
    OutboxItem,
    OutboxStatus,
    Tenant,
)
from frontdesk.domain.outbound import OutboundMessage, preview
from frontdesk.domain.ports import Inbound
from frontdesk.domain.traces import OUTBOX_TRACEPARENT, current_traceparent
from frontdesk.domain.turns import Usage

# Every webhook looks its number up: built once, not per call (measured in bench/webhooks.py). With its
# tenant's `disabled_at`: a disabled business's numbers are ignored like disabled numbers.
_CHANNEL_BY_KEY = (
    select(channels, tenants.c.disabled_at.label("tenant_disabled_at"))
    .join(tenants, tenants.c.id == channels.c.tenant_id)
    .where(channels.c.phone_number_id == bindparam("phone_number_id"))
)

# Statuses a message can move to from each status; anything else is a stale or duplicate callback.
_FORWARD = {s: {t for t in MessageStatus if t.rank > s.rank} for s in MessageStatus}


def upsert_insert(conn: AsyncConnection, table: Table) -> Any:
    """An INSERT that supports ON CONFLICT for the connection's dialect."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


class SqlTx:
    """Repositories bound to one open transaction; the Store commits or rolls it back."""

    def __init__(self, conn: AsyncConnection, secrets: SecretBox):
        self.conn = conn
        self.secrets = secrets

    async def _one(self, stmt: Any, what: str) -> Any:
        row = (await self.conn.execute(stmt)).first()
        if row is None:
            raise NotFoundError(f"{what} not found")
        return row

    # -- tenants, channels, contacts, conversations

    async def channel_by_key(self, phone_number_id: str) -> Channel | None:
        row = (await self.conn.execute(_CHANNEL_BY_KEY, {"phone_number_id": phone_number_id})).first()
        if row is None:
            return None
        channel = rows.channel(row, self.secrets)
        if row.tenant_disabled_at is not None:
            return channel.model_copy(update={"enabled": False})
        return channel

    async def channel_by_id(self, channel_id: int) -> Channel:
        return rows.channel(
            await self._one(select(channels).where(channels.c.id == channel_id), "channel"), self.secrets
        )

    async def tenant(self, tenant_id: int) -> Tenant:
        return rows.tenant(await self._one(select(tenants).where(tenants.c.id == tenant_id), "tenant"))

    async def tenant_by_slug(self, slug: str) -> Tenant | None:
        row = (await self.conn.execute(select(tenants).where(tenants.c.slug == slug))).first()
        return rows.tenant(row) if row else None

    async def contact(self, contact_id: int) -> Contact:
        return rows.contact(await self._one(select(contacts).where(contacts.c.id == contact_id), "contact"))

    async def conversation(self, conversation_id: int) -> Conversation:
        stmt = select(conversations).where(conversations.c.id == conversation_id)
        return rows.conversation(await self._one(stmt, "conversation"))

    async def save_agent_state(
        self, conversation_id: int, *, state: dict[str, Any] | None, agent: str | None, now: datetime
    ) -> None:
        values: dict[str, Any] = {"agent_state": state, "updated_at": now}
        if agent:
            values["assigned_agent"] = agent[:64]
        await self.conn.execute(
            update(conversations).where(conversations.c.id == conversation_id).values(values)
        )

    async def set_status(self, conversation_id: int, status: ConversationStatus, *, now: datetime) -> None:
        await self.conn.execute(
            update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(status=status, updated_at=now)
        )

    async def add_event(self, *, tenant_id: int, type: str, payload: dict[str, Any], now: datetime) -> int:
        stmt = (
            events.insert()
            .values(tenant_id=tenant_id, type=type, payload=payload, created_at=now)
            .returning(events.c.id)
        )
        event_id: int = (await self.conn.execute(stmt)).scalar_one()
        return event_id

    # -- messages

    async def store_inbound(self, items: Sequence[Inbound], *, now: datetime) -> list[Message | None]:
        return await inbound.store_inbound(self.conn, items, now=now)

    async def message(self, message_id: int) -> Message:
        return rows.message(await self._one(select(messages).where(messages.c.id == message_id), "message"))

    async def recent_messages(self, conversation_id: int, *, before_id: int, limit: int) -> list[Message]:
        stmt = (
            select(messages)
            .where(messages.c.conversation_id == conversation_id, messages.c.id < before_id)
            .order_by(messages.c.id.desc())
            .limit(limit)
        )
        return [rows.message(r) for r in reversed((await self.conn.execute(stmt)).all())]

    async def add_outbound(
        self,
        *,
        conversation: Conversation,
        message: OutboundMessage,
        to: str,
        agent: str | None,
        tools: Sequence[dict[str, Any]],
        latency_ms: int | None,
        now: datetime,
        usage: Sequence[Usage] = (),
    ) -> Message:
        payload = message.model_dump(mode="json", exclude_none=True)
        # The turn's trace context rides in the outbox row only (not the message), for its send's span.
        traceparent = current_traceparent()
        queued = payload if traceparent is None else {**payload, OUTBOX_TRACEPARENT: traceparent}
        row = (
            await self.conn.execute(
                messages.insert()
                .values(
                    tenant_id=conversation.tenant_id,
                    conversation_id=conversation.id,
                    direction=Direction.OUT,
                    type=message.kind,
                    text=preview(message),
                    content=payload,
                    reply_to=message.reply_to,
                    status=MessageStatus.PENDING,
                    agent=agent,
                    tools=list(tools),
                    latency_ms=latency_ms,
                    tokens_in=sum(u.input_tokens for u in usage) if usage else None,
                    tokens_out=sum(u.output_tokens for u in usage) if usage else None,
                    cost=sum(u.cost for u in usage) if usage else None,
                    status_at=now,
                    created_at=now,
                )
                .returning(*messages.c)
            )
        ).one()
        await self.conn.execute(
            outbox.insert().values(
                tenant_id=conversation.tenant_id,
                message_id=row.id,
                conversation_id=conversation.id,
                channel_id=conversation.channel_id,
                to_wa_id=to,
                payload=queued,
                status=OutboxStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        await self.conn.execute(
            update(conversations)
            .where(conversations.c.id == conversation.id)
            .values(last_message_at=now, updated_at=now)
        )
        stored = rows.message(row)
        await self._message_event(live.MESSAGE_CREATED, stored, now)
        return stored

    async def record_status(self, event: StatusUpdate, *, now: datetime) -> None:
        await self._lock_wamid(event.message_id, exclusive=False)
        error = event.errors[0] if event.errors else None
        stmt = (
            upsert_insert(self.conn, status_events)
            .values(
                channel_message_id=event.message_id,
                status=event.status,
                occurred_at=event.timestamp,
                error_code=error.code if error else None,
                error_message=_error_text(error) if error else None,
                raw=event.raw,
                received_at=now,
            )
            .on_conflict_do_nothing(index_elements=["channel_message_id", "status"])
        )
        await self.conn.execute(stmt)
        moved = await self._advance(
            event.message_id,
            event.status,
            error.code if error else None,
            _error_text(error) if error else None,
            event.timestamp,
        )
        if moved is not None:
            await self._message_event(live.MESSAGE_STATUS, rows.message(moved), now)

    async def reply_traceparent(self, channel_message_id: str) -> str | None:
        stmt = (
            select(outbox.c.payload)
            .join(messages, messages.c.id == outbox.c.message_id)
            .where(messages.c.channel_message_id == channel_message_id, messages.c.direction == Direction.OUT)
            .limit(1)
        )
        payload = (await self.conn.execute(stmt)).scalar()
        value = payload.get(OUTBOX_TRACEPARENT) if isinstance(payload, dict) else None
        return value if isinstance(value, str) else None

    async def _message_event(self, kind: str, message: Message, now: datetime) -> None:
        """Tell staff watching live about a new message or a message's new status (`domain.live`)."""
        payload = (
            live.message_created(message) if kind == live.MESSAGE_CREATED else live.message_status(message)
        )
        await self.add_event(tenant_id=message.tenant_id, type=kind, payload=payload, now=now)

    async def _lock_wamid(self, wamid: str, *, exclusive: bool) -> None:
        """Keep a status callback and the dispatcher storing the same wamid from overlapping.

        On PostgreSQL two such transactions running side by side each miss the other's uncommitted row
        (the callback finds no message with the wamid, the dispatcher finds no early callback) and the
        status is lost. Callbacks share the lock, so they never wait for each other; the dispatcher takes
        it alone. SQLite needs nothing: it has one writer at a time.
        """
        if self.conn.dialect.name != "postgresql":
            return
        lock = func.pg_advisory_xact_lock if exclusive else func.pg_advisory_xact_lock_shared
        await self.conn.execute(select(lock(func.hashtextextended(wamid, 0))))

    async def _advance(
        self, wamid: str, status: MessageStatus, code: str | None, text: str | None, at: datetime
    ) -> Any:
        """Move a message to `status` only if that is forward of where it is (duplicates are no-ops).

        The message's row when it moved, else None."""
        movable = [s.value for s in MessageStatus if status in _FORWARD[s]]
        values: dict[str, Any] = {"status": status, "status_at": at}
        if status is MessageStatus.FAILED:
            values |= {"error_code": code, "error_message": text}
        moved = await self.conn.execute(
            update(messages)
            .where(
                messages.c.channel_message_id == wamid,
                messages.c.direction == Direction.OUT,
                messages.c.status.in_(movable),
            )
            .values(**values)
            .returning(*messages.c)
        )
        return moved.first()

    # -- outbox

    async def _outcome(self, item: OutboxItem, **values: Any) -> bool:
        """Write an attempt's outcome to its outbox row if the row is still `sending` under the
        attempt's claim; False if a later claim took it (a send that outlived its lease): nothing
        changes then, so a late answer never overwrites the newer attempt's outcome."""
        changed = await self.conn.execute(
            update(outbox)
            .where(
                outbox.c.id == item.id,
                outbox.c.status == OutboxStatus.SENDING,
                outbox.c.claim == item.claim,
            )
            .values(locked_until=None, **values)
        )
        return bool(changed.rowcount == 1)

    async def outbox_sent(self, item: OutboxItem, *, channel_message_id: str, now: datetime) -> bool:
        await self._lock_wamid(channel_message_id, exclusive=True)
        if not await self._outcome(item, status=OutboxStatus.SENT, sent_at=now, last_error=None):
            return False
        await self.conn.execute(
            update(messages)
            .where(messages.c.id == item.message_id)
            .values(
                channel_message_id=channel_message_id, status=MessageStatus.SENT, sent_at=now, status_at=now
            )
        )
        # Status callbacks can beat us to the database: apply any that already arrived for this wamid.
        early = await self.conn.execute(
            select(status_events).where(status_events.c.channel_message_id == channel_message_id)
        )
        for ev in early.all():
            await self._advance(
                channel_message_id, MessageStatus(ev.status), ev.error_code, ev.error_message, ev.occurred_at
            )
        await self._message_event(live.MESSAGE_STATUS, await self.message(item.message_id), now)
        return True

    async def outbox_retry(self, item: OutboxItem, *, error: str, run_at: datetime) -> bool:
        return await self._outcome(
            item, status=OutboxStatus.PENDING, next_attempt_at=run_at, last_error=error
        )

    async def outbox_failed(self, item: OutboxItem, *, code: str | None, error: str, now: datetime) -> bool:
        if not await self._outcome(item, status=OutboxStatus.FAILED, last_error=error):
            return False
        await self.conn.execute(
            update(messages)
            .where(messages.c.id == item.message_id)
            .values(status=MessageStatus.FAILED, error_code=code, error_message=error, status_at=now)
        )
        await self._message_event(live.MESSAGE_STATUS, await self.message(item.message_id), now)
        return True

    async def outbox_uncertain(self, item: OutboxItem, *, reason: str, now: datetime) -> bool:
        if not await self._outcome(item, status=OutboxStatus.UNCERTAIN, last_error=reason):
            return False
        # The message stays `pending` (it may or may not have arrived); its error says why it waits.
        await self.conn.execute(
            update(messages)
            .where(messages.c.id == item.message_id)
            .values(error_code=UNCERTAIN_SEND, error_message=reason, status_at=now)
        )
        await self._message_event(live.MESSAGE_STATUS, await self.message(item.message_id), now)
        return True


def _error_text(error: Any) -> str:
    parts = [p for p in (error.title, error.message, error.details) if p]
    return " — ".join(dict.fromkeys(parts)) or "failed"
