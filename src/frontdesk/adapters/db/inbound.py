"""The inbound path: a customer's message stored with everything it changes, in few round trips.

`store_inbound` is the webhook's whole transaction (after the channel lookup), for a batch of messages
(ingest group-commits concurrent webhooks). On PostgreSQL each message is one statement of
data-modifying CTEs; on SQLite, where a statement costs microseconds rather than a network round trip,
five statements serve the whole batch. Every statement is built once, at import: SQLAlchemy
then reuses its cache key and compiled SQL instead of rebuilding them per webhook.

Lookups come first (a contact and a conversation nearly always exist) and inserts only on a miss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Integer,
    String,
    Table,
    Text,
    and_,
    bindparam,
    case,
    column,
    func,
    or_,
    select,
    text,
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
    Conversation,
    ConversationStatus,
    Direction,
    JobStatus,
    Message,
    MessageStatus,
)
from frontdesk.domain.ports import TURN_KEY_PREFIX, Inbound, TurnJob, turn_key

_AT = bindparam("at", type_=UTCDateTime())
_DIALECTS = {"postgresql": postgresql, "sqlite": sqlite}


def _upsert(table: Table, keys: list[str], **values: Any) -> dict[str, Any]:
    """`INSERT ... ON CONFLICT (keys) DO NOTHING` per dialect, other values given at execution."""
    return {
        name: d.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
        for name, d in _DIALECTS.items()
    }


FIND_CONTACT = select(contacts).where(
    contacts.c.tenant_id == bindparam("tenant_id"), contacts.c.wa_id == bindparam("wa_id")
)
FIND_CONVERSATION = select(conversations).where(
    conversations.c.channel_id == bindparam("channel_id"),
    conversations.c.contact_id == bindparam("contact_id"),
)
# The SQLite batch's lookup: these senders' contacts and, when they exist, their conversations on a number.
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
_REOPEN = (
    update(conversations)
    .where(conversations.c.id == bindparam("conversation_id"))
    .values(status=ConversationStatus.BOT)
)
_last = conversations.c.last_inbound_at
NOTE_INBOUND = (
    update(conversations)
    .where(conversations.c.id == bindparam("conversation_id"))
    .values(
        # Webhooks can arrive out of order: the window opens at the newest message, never older.
        last_inbound_at=case((or_(_last.is_(None), _last < _AT), _AT), else_=_last),
        last_message_at=_AT,
        unread_count=conversations.c.unread_count + 1,
        updated_at=_AT,
    )
)
# The same, reopening a closed conversation: the customer writing again.
_NOTE_AND_REOPEN = NOTE_INBOUND.values(
    status=case(
        (conversations.c.status == ConversationStatus.CLOSED, ConversationStatus.BOT),
        else_=conversations.c.status,
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
    row = (await conn.execute(FIND_CONTACT, key)).first()
    if row is None:
        await conn.execute(
            _INSERT_CONTACT[conn.dialect.name],
            {**key, "name": name},
        )
        row = (await conn.execute(FIND_CONTACT, key)).one()
    if _name_wanted(name, row.name):
        await conn.execute(_LEARN_NAME, {"contact_id": row.id, "name": name})
        return rows.contact(row).model_copy(update={"name": name})
    return rows.contact(row)


async def open_conversation(
    conn: AsyncConnection, *, tenant_id: int, channel_id: int, contact_id: int, now: datetime
) -> Conversation:
    """The conversation of this contact on this number, created if new, reopened if closed."""
    key = {"channel_id": channel_id, "contact_id": contact_id}
    row = (await conn.execute(FIND_CONVERSATION, key)).first()
    if row is None:
        await conn.execute(_INSERT_CONVERSATION[conn.dialect.name], _new_conversation(tenant_id, key, now))
        row = (await conn.execute(FIND_CONVERSATION, key)).one()
    if row.status == ConversationStatus.CLOSED:
        await conn.execute(_REOPEN, {"conversation_id": row.id})
        return rows.conversation(row).model_copy(update={"status": ConversationStatus.BOT})
    return rows.conversation(row)


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


async def insert_message(
    conn: AsyncConnection, *, tenant_id: int, conversation_id: int, event: InboundMessage, now: datetime
) -> Message | None:
    """Insert an inbound message; None when its wamid is already stored."""
    values = _message_values(tenant_id=tenant_id, event=event, now=now)
    row = (
        await conn.execute(_INSERT_MESSAGE[conn.dialect.name], {**values, "conversation_id": conversation_id})
    ).first()
    return rows.message(row) if row else None


async def store_inbound(
    conn: AsyncConnection, items: Sequence[Inbound], *, now: datetime
) -> list[Message | None]:
    """`Tx.store_inbound` (see `frontdesk.domain.ports`)."""
    if not items:
        return []
    if conn.dialect.name == "postgresql":
        return [await _store_postgres(conn, item, now=now) for item in items]
    return await _store_sqlite(conn, items, now=now)


async def _store_sqlite(
    conn: AsyncConnection, items: Sequence[Inbound], *, now: datetime
) -> list[Message | None]:
    """SQLite: five statements for the whole batch — one lookup per number, the messages in one insert,
    then the conversations' updates, the jobs and the events each in one `executemany`. A statement costs
    SQLAlchemy far more than SQLite, so a batch of N costs little more than one message."""
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
    await conn.execute(
        _NOTE_AND_REOPEN,
        [{"conversation_id": m.conversation_id, "at": min(i.event.timestamp, now)} for i, m in new],
    )
    if jobs_ := [_job_values(i.turn, m, now) for i, m in new if i.turn is not None]:
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
            conversation_id = (await conn.execute(FIND_CONVERSATION, key)).one().id
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


def _job_values(turn: TurnJob, message: Message, now: datetime) -> dict[str, Any]:
    return {
        "kind": turn.kind,
        "key": turn_key(message.conversation_id),
        "payload": {**turn.extra, "message_id": message.id, "conversation_id": message.conversation_id},
        "status": JobStatus.QUEUED,
        "attempts": 0,
        "max_attempts": turn.max_attempts,
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


# -- PostgreSQL: the whole ingest in one statement, one round trip.
# Contact and conversation are looked up first and inserted only when missing; ON CONFLICT DO UPDATE
# (a no-op update) returns the row a concurrent transaction has just inserted, where DO NOTHING would
# return nothing and lose the message. Sibling CTEs share one snapshot, so `noted` cannot see a
# conversation inserted by this statement (or committed after it began): `store_inbound` then updates it
# with a second statement.
_STORE_POSTGRES = (
    text(
        f"""
WITH found AS (
    SELECT id FROM contacts WHERE tenant_id = :tenant_id AND wa_id = :wa_id
), made AS (
    INSERT INTO contacts (tenant_id, wa_id, name, preferences, marketing_opt_in, vip, created_at)
    SELECT :tenant_id, :wa_id, :name, CAST('{{}}' AS json), false, false, now()
    WHERE NOT EXISTS (SELECT FROM found)
    ON CONFLICT (tenant_id, wa_id) DO UPDATE SET wa_id = EXCLUDED.wa_id
    RETURNING id
), named AS (
    UPDATE contacts SET name = :name
    WHERE id IN (SELECT id FROM found) AND :name <> '' AND (name IS NULL OR name = '')
), contact AS (
    SELECT id FROM found UNION ALL SELECT id FROM made
), conv_found AS (
    SELECT c.id FROM conversations AS c JOIN contact ON c.contact_id = contact.id
    WHERE c.channel_id = :channel_id
), conv_made AS (
    INSERT INTO conversations (tenant_id, channel_id, contact_id, status, unread_count, created_at,
                               updated_at)
    SELECT :tenant_id, :channel_id, contact.id, :bot, 0, :now, :now FROM contact
    WHERE NOT EXISTS (SELECT FROM conv_found)
    ON CONFLICT (channel_id, contact_id) DO UPDATE SET channel_id = EXCLUDED.channel_id
    RETURNING id
), conv AS (
    SELECT id FROM conv_found UNION ALL SELECT id FROM conv_made
), msg AS (
    INSERT INTO messages (tenant_id, conversation_id, direction, type, text, content, channel_message_id,
                          reply_to, status, tools, status_at, created_at)
    SELECT :tenant_id, conv.id, :direction, :type, :text, :content, :channel_message_id,
           :reply_to, :status, CAST('[]' AS json), :now, :created_at FROM conv
    ON CONFLICT (channel_message_id) DO NOTHING
    RETURNING {", ".join(c.name for c in messages.c)}
), noted AS (
    UPDATE conversations SET
        last_inbound_at = CASE WHEN last_inbound_at IS NULL OR last_inbound_at < :at THEN :at
                               ELSE last_inbound_at END,
        last_message_at = :at,
        unread_count = unread_count + 1,
        updated_at = :at,
        status = CASE WHEN status = :closed THEN :bot ELSE status END
    WHERE id IN (SELECT conversation_id FROM msg)
    RETURNING id
), job AS (
    INSERT INTO jobs (kind, key, payload, status, attempts, max_attempts, run_at, created_at)
    SELECT :kind, :key_prefix || msg.conversation_id,
           CAST(CAST(:job_extra AS jsonb)
                || jsonb_build_object('message_id', msg.id, 'conversation_id', msg.conversation_id) AS json),
           :queued, 0, :max_attempts, :now, :now
    FROM msg WHERE :enqueue
), event AS (
    INSERT INTO events (tenant_id, type, payload, created_at)
    SELECT :tenant_id, :event_type,
           CAST(jsonb_set(jsonb_set(CAST(:event_payload AS jsonb), '{{conversation_id}}',
                                    to_jsonb(msg.conversation_id)),
                          '{{message,id}}', to_jsonb(msg.id)) AS json),
           :now
    FROM msg
)
SELECT msg.*, EXISTS (SELECT FROM noted) AS noted FROM msg
"""
    )
    .bindparams(
        *(bindparam(n, type_=BigInteger()) for n in ("tenant_id", "channel_id")),
        *(bindparam(n, type_=Integer()) for n in ("max_attempts",)),
        *(
            bindparam(n, type_=String())
            for n in (
                "wa_id",
                "name",
                "bot",
                "closed",
                "direction",
                "type",
                "channel_message_id",
                "reply_to",
                "status",
                "kind",
                "key_prefix",
                "queued",
                "event_type",
            )
        ),
        bindparam("text", type_=Text()),
        *(bindparam(n, type_=JSON()) for n in ("content", "job_extra", "event_payload")),
        *(bindparam(n, type_=UTCDateTime()) for n in ("now", "at", "created_at")),
        bindparam("enqueue", type_=Boolean()),
    )
    .columns(*messages.c, column("noted", Boolean()))
)


async def _store_postgres(conn: AsyncConnection, item: Inbound, *, now: datetime) -> Message | None:
    channel, event, turn = item.channel, item.event, item.turn
    values = _message_values(tenant_id=channel.tenant_id, event=event, now=now)
    at = min(event.timestamp, now)
    # The event's payload, but for the two ids the statement fills in.
    draft = Message(
        id=0,
        tenant_id=channel.tenant_id,
        conversation_id=0,
        direction=Direction.IN,
        type=event.type,
        text=event.text,
        reply_to=values["reply_to"],
        status=MessageStatus.RECEIVED,
        created_at=event.timestamp.astimezone(UTC),
    )
    params = {
        **values,
        "channel_id": channel.id,
        "wa_id": event.sender,
        "name": event.sender_name,
        "bot": ConversationStatus.BOT.value,
        "closed": ConversationStatus.CLOSED.value,
        "direction": Direction.IN.value,
        "status": MessageStatus.RECEIVED.value,
        "now": now,
        "at": at,
        "enqueue": turn is not None,
        "kind": turn.kind if turn else "",
        "max_attempts": turn.max_attempts if turn else 0,
        "job_extra": turn.extra if turn else {},
        "key_prefix": TURN_KEY_PREFIX,
        "queued": JobStatus.QUEUED.value,
        "event_type": live.MESSAGE_CREATED,
        "event_payload": live.message_created(draft),
    }
    del params["tools"], params["status_at"]
    row = (await conn.execute(_STORE_POSTGRES, params)).first()
    if row is None:
        return None
    if not row.noted:
        await conn.execute(_NOTE_AND_REOPEN, {"conversation_id": row.conversation_id, "at": at})
    return rows.message(row)
