"""The inbound path: a customer's message stored with everything it changes, in few round trips.

`store_inbound` is the webhook's whole transaction (after the channel lookup) for a batch of messages:
ingest group-commits the webhooks that arrive together. Five statements serve the whole batch — one
lookup of the senders per number, the messages in one multi-row insert, then the conversations'
updates, the jobs and the events, each one `executemany` — so a batch of N costs little more than one
message: on SQLite a statement costs SQLAlchemy far more than SQLite itself, on PostgreSQL a round
trip. Every statement is built once, at import: SQLAlchemy then reuses its cache key and compiled SQL.

Lookups come first (a contact and a conversation nearly always exist) and inserts only on a miss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db import rows
from frontdesk.adapters.db.tables import (
    UTCDateTime,
    contacts,
    conversations,
    events,
    jobs,
    messages,
)
from frontdesk.domain import live
from frontdesk.domain.events import InboundMessage
from frontdesk.domain.models import (
    Contact,
    ConversationStatus,
    Direction,
    JobStatus,
    Message,
    MessageStatus,
)
from frontdesk.domain.ports import Inbound, QueuedJob, turn_key

_AT = bindparam("at", type_=UTCDateTime())
_DIALECTS = {"postgresql": postgresql, "sqlite": sqlite}


def _upsert(table: Table, keys: list[str], **values: Any) -> dict[str, Any]:
    """`INSERT ... ON CONFLICT (keys) DO NOTHING` per dialect, other values given at execution."""
    return {
        name: d.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
        for name, d in _DIALECTS.items()
    }


_FIND_CONTACT = select(contacts).where(
    contacts.c.tenant_id == bindparam("tenant_id"), contacts.c.wa_id == bindparam("wa_id")
)
_FIND_CONVERSATION = select(conversations).where(
    conversations.c.channel_id == bindparam("channel_id"),
    conversations.c.contact_id == bindparam("contact_id"),
)
# The batch's lookup: these senders' contacts and, when they exist, their conversations on a number.
_FIND_SENDERS = (
    select(contacts.c.wa_id, contacts.c.name, conversations.c.id.label("conversation_id"))
    .select_from(contacts)
    .outerjoin(
        conversations,
        and_(
            conversations.c.contact_id == contacts.c.id,
            conversations.c.channel_id == bindparam("channel_id"),
        ),
    )
    .where(
        contacts.c.tenant_id == bindparam("tenant_id"),
        contacts.c.wa_id.in_(bindparam("wa_ids", expanding=True)),
    )
)
_INSERT_CONTACT = _upsert(contacts, ["tenant_id", "wa_id"], preferences={}, created_at=func.now())
_INSERT_CONVERSATION = _upsert(conversations, ["channel_id", "contact_id"])
_INSERT_MESSAGE = {
    name: stmt.returning(*messages.c) for name, stmt in _upsert(messages, ["channel_message_id"]).items()
}
_LEARN_NAME = update(contacts).where(contacts.c.id == bindparam("contact_id")).values(name=bindparam("name"))
_last = conversations.c.last_inbound_at
_NOTE_AND_REOPEN = (
    update(conversations)
    .where(conversations.c.id == bindparam("conversation_id"))
    .values(
        # Webhooks can arrive out of order: the window opens at the newest message, never older.
        last_inbound_at=case((or_(_last.is_(None), _last < _AT), _AT), else_=_last),
        last_message_at=_AT,
        unread_count=conversations.c.unread_count + 1,
        updated_at=_AT,
        # The customer writing again reopens a closed conversation.
        status=case(
            (conversations.c.status == ConversationStatus.CLOSED, ConversationStatus.BOT),
            else_=conversations.c.status,
        ),
    )
)
_INSERT_JOB = jobs.insert()
_INSERT_EVENT = events.insert()


def _name_wanted(name: str | None, stored: str | None) -> bool:
    """Learn the WhatsApp profile name, never overwrite one staff set."""
    return bool(name) and not stored


async def contact(conn: AsyncConnection, *, tenant_id: int, wa_id: str, name: str | None) -> Contact:
    """The contact's row, created if new; its WhatsApp name learnt if none was known."""
    key = {"tenant_id": tenant_id, "wa_id": wa_id}
    row = (await conn.execute(_FIND_CONTACT, key)).first()
    if row is None:
        await conn.execute(
            _INSERT_CONTACT[conn.dialect.name],
            {**key, "name": name},
        )
        row = (await conn.execute(_FIND_CONTACT, key)).one()
    if _name_wanted(name, row.name):
        await conn.execute(_LEARN_NAME, {"contact_id": row.id, "name": name})
        return rows.contact(row).model_copy(update={"name": name})
    return rows.contact(row)


def _new_conversation(tenant_id: int, key: dict[str, int], now: datetime) -> dict[str, Any]:
    return {
        **key,
        "tenant_id": tenant_id,
        "status": ConversationStatus.BOT,
        "unread_count": 0,
        "created_at": now,
        "updated_at": now,
    }


def _message_values(*, tenant_id: int, event: InboundMessage, now: datetime) -> dict[str, Any]:
    content = event.model_dump(mode="json", exclude_none=True, exclude={"raw", "channel_key", "message_id"})
    content["raw"] = event.raw
    return {
        "tenant_id": tenant_id,
        "direction": Direction.IN,
        "type": event.type,
        "text": event.text,
        "content": content,
        "channel_message_id": event.message_id,
        "reply_to": event.context.message_id if event.context else None,
        "status": MessageStatus.RECEIVED,
        "tools": [],
        "status_at": now,
        "created_at": event.timestamp,
    }


async def store_inbound(
    conn: AsyncConnection, items: Sequence[Inbound], *, now: datetime
) -> list[Message | None]:
    """`Tx.store_inbound` (see `frontdesk.domain.ports`): five statements for the whole batch."""
    if not items:
        return []
    conversation_ids = await _conversation_ids(conn, items, now=now)
    inserted = await _insert_messages(conn, items, conversation_ids, now=now)
    new: list[tuple[Inbound, Message]] = []
    result: list[Message | None] = []
    for item in items:
        message = inserted.pop(item.event.message_id, None)  # popped: a wamid twice in a batch is new once
        result.append(message)
        if message is not None:
            new.append((item, message))
    if not new:
        return result
    # In conversation order (stable: one conversation's messages keep theirs), so two batches written
    # at once on PostgreSQL lock the rows they share in the same order and cannot deadlock.
    notes = sorted(new, key=lambda pair: pair[1].conversation_id)
    await conn.execute(
        _NOTE_AND_REOPEN,
        [{"conversation_id": m.conversation_id, "at": min(i.event.timestamp, now)} for i, m in notes],
    )
    # A message's file is fetched first: its job is inserted just before its turn, under the same key.
    if jobs_ := [
        _job_values(job, m, now) for i, m in new for job in (i.media_job, i.turn_job) if job is not None
    ]:
        await conn.execute(_INSERT_JOB, jobs_)
    await conn.execute(_INSERT_EVENT, [_event_values(m, now) for _, m in new])
    return result


async def _conversation_ids(conn: AsyncConnection, items: Sequence[Inbound], *, now: datetime) -> list[int]:
    """Each item's conversation id: one lookup per number for the senders seen before; a new sender's
    contact and conversation (or a name to learn) take the single-message path."""
    known: dict[tuple[int, str], Any] = {}
    for channel in {item.channel.id: item.channel for item in items}.values():
        senders = sorted({item.event.sender for item in items if item.channel.id == channel.id})
        found = await conn.execute(
            _FIND_SENDERS, {"tenant_id": channel.tenant_id, "channel_id": channel.id, "wa_ids": senders}
        )
        known.update(((channel.id, row.wa_id), row) for row in found)
    ids = []
    for item in items:
        channel, event = item.channel, item.event
        row = known.get((channel.id, event.sender))
        if row is None or row.conversation_id is None or _name_wanted(event.sender_name, row.name):
            who = await contact(conn, tenant_id=channel.tenant_id, wa_id=event.sender, name=event.sender_name)
            key = {"channel_id": channel.id, "contact_id": who.id}
            if row is None or row.conversation_id is None:
                await conn.execute(
                    _INSERT_CONVERSATION[conn.dialect.name], _new_conversation(channel.tenant_id, key, now)
                )
            conversation_id = (await conn.execute(_FIND_CONVERSATION, key)).one().id
            row = _Known(wa_id=event.sender, name=who.name, conversation_id=conversation_id)
            known[(channel.id, event.sender)] = row
        ids.append(row.conversation_id)
    return ids


@dataclass(frozen=True)
class _Known:
    """A sender looked up or just created: the fields `_FIND_SENDERS` returns."""

    wa_id: str
    name: str | None
    conversation_id: int


async def _insert_messages(
    conn: AsyncConnection, items: Sequence[Inbound], conversation_ids: list[int], *, now: datetime
) -> dict[str, Message]:
    """Insert the batch's messages in one statement; the new ones by channel message id."""
    params = [
        {
            **_message_values(tenant_id=item.channel.tenant_id, event=item.event, now=now),
            "conversation_id": cid,
        }
        for item, cid in zip(items, conversation_ids, strict=True)
    ]
    found = await conn.execute(_INSERT_MESSAGE[conn.dialect.name], params)
    return {row.channel_message_id: rows.message(row) for row in found}


def _job_values(job: QueuedJob, message: Message, now: datetime) -> dict[str, Any]:
    return {
        "kind": job.kind,
        "key": turn_key(message.conversation_id),
        "payload": {**job.extra, "message_id": message.id, "conversation_id": message.conversation_id},
        "status": JobStatus.QUEUED,
        "attempts": 0,
        "max_attempts": job.max_attempts,
        "run_at": now,
        "created_at": now,
    }


def _event_values(message: Message, now: datetime) -> dict[str, Any]:
    return {
        "tenant_id": message.tenant_id,
        "type": live.MESSAGE_CREATED,
        "payload": live.message_created(message),
        "created_at": now,
    }
