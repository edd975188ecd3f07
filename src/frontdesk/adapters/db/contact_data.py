"""Everything stored about one contact: gathered for an export, or erased on request.

An erasure redacts the text and content of every message of the contact's conversations (the rows stay,
so counts and statistics still add up), forgets the outbox payloads and status callbacks that carry the
same text or their number, drops the live events about those conversations, closes the conversations
and anonymises the contact. Orders and appointments are the business's records and stay, now tied to an
anonymous contact. The audit entry is written by the caller.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db.tables import (
    appointments,
    contacts,
    conversations,
    events,
    messages,
    orders,
    outbox,
    services,
    status_events,
    technicians,
)
from frontdesk.adapters.db.tables_agents import returns, staff_tasks
from frontdesk.domain.inbox import ERASED_PREFIX
from frontdesk.domain.models import ConversationStatus, MessageStatus, OutboxStatus

REDACTED: dict[str, Any] = {"redacted": True}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _record(row: Any, *, drop: tuple[str, ...] = ("tenant_id", "contact_id")) -> dict[str, Any]:
    return {k: _jsonable(v) for k, v in row._mapping.items() if k not in drop}


async def records_of(conn: AsyncConnection, tenant_id: int, contact_id: int) -> dict[str, Any]:
    """The contact's orders, appointments, returns and staff tasks, as JSON-able records."""

    async def fetch(stmt: Any) -> list[dict[str, Any]]:
        return [_record(r) for r in await conn.execute(stmt)]

    booked = (
        select(
            appointments,
            services.c.name.label("service_name"),
            technicians.c.name.label("technician_name"),
        )
        .join(services, services.c.id == appointments.c.service_id)
        .join(technicians, technicians.c.id == appointments.c.technician_id)
        .where(appointments.c.tenant_id == tenant_id, appointments.c.contact_id == contact_id)
        .order_by(appointments.c.id)
    )
    return {
        "orders": await fetch(
            select(orders)
            .where(orders.c.tenant_id == tenant_id, orders.c.contact_id == contact_id)
            .order_by(orders.c.id)
        ),
        "appointments": await fetch(booked),
        "returns": await fetch(
            select(returns)
            .where(returns.c.tenant_id == tenant_id, returns.c.contact_id == contact_id)
            .order_by(returns.c.id)
        ),
        "staff_tasks": await fetch(
            select(staff_tasks)
            .where(staff_tasks.c.tenant_id == tenant_id, staff_tasks.c.contact_id == contact_id)
            .order_by(staff_tasks.c.id)
        ),
    }


async def erase(conn: AsyncConnection, tenant_id: int, contact_id: int, *, now: datetime) -> list[int]:
    """Redact and anonymise everything of the contact (see the module); the ids of the messages redacted
    (whose files the caller deletes)."""
    threads = select(conversations.c.id).where(
        conversations.c.tenant_id == tenant_id, conversations.c.contact_id == contact_id
    )
    theirs = messages.c.conversation_id.in_(threads)
    wamids = select(messages.c.channel_message_id).where(theirs, messages.c.channel_message_id.is_not(None))
    await conn.execute(status_events.delete().where(status_events.c.channel_message_id.in_(wamids)))
    redacted = await conn.execute(
        update(messages)
        .where(theirs)
        .values(
            text=None,
            content=REDACTED,
            error_message=None,
            erased_at=func.coalesce(messages.c.erased_at, now),
        )
        .returning(messages.c.id)
    )
    ids = sorted(redacted.scalars())
    await conn.execute(  # a send still queued is dropped below
        update(messages)
        .where(theirs, messages.c.status == MessageStatus.PENDING)
        .values(status=MessageStatus.FAILED, error_code="contact_erased", status_at=now)
    )
    await conn.execute(
        update(outbox)
        .where(
            outbox.c.conversation_id.in_(threads),
            outbox.c.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
        )
        .values(status=OutboxStatus.FAILED, last_error="contact erased", locked_until=None)
    )
    await conn.execute(
        update(outbox)
        .where(outbox.c.conversation_id.in_(threads))
        .values(payload=REDACTED, to_wa_id="erased")
    )
    about = and_(
        events.c.tenant_id == tenant_id, events.c.payload["conversation_id"].as_integer().in_(threads)
    )
    # The newest event stays (redacted): SQLite would hand its id out again (see `live_events.prune`).
    newest = select(func.max(events.c.id)).scalar_subquery()
    await conn.execute(events.delete().where(about, events.c.id < newest))
    await conn.execute(update(events).where(about).values(payload=REDACTED))
    await conn.execute(
        update(conversations)
        .where(conversations.c.id.in_(threads))
        .values(
            status=ConversationStatus.CLOSED, summary=None, agent_state=None, unread_count=0, updated_at=now
        )
    )
    await conn.execute(
        update(staff_tasks).where(staff_tasks.c.contact_id == contact_id).values(details=REDACTED)
    )
    await conn.execute(update(returns).where(returns.c.contact_id == contact_id).values(reason=""))
    await conn.execute(update(appointments).where(appointments.c.contact_id == contact_id).values(city=None))
    await conn.execute(
        update(contacts)
        .where(contacts.c.id == contact_id)
        .values(
            wa_id=f"{ERASED_PREFIX}{contact_id}",
            name=None,
            email=None,
            city=None,
            language=None,
            preferences={},
            marketing_opt_in=False,
            vip=False,
            opted_out_at=now,
        )
    )
    return ids
