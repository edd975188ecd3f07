"""`Tx.store_inbound`, the webhook's transaction, on SQLite and on PostgreSQL: one message, one turn job
and one `message.created` event per new wamid; a redelivery changes nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from frontdesk.adapters.db.store import SqlStore
from frontdesk.domain import live
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.domain.events import InboundMessage
from frontdesk.domain.models import ConversationStatus, Message
from frontdesk.domain.ops import REQUEST_ID
from frontdesk.domain.ports import Inbound, QueuedJob, turn_key
from frontdesk.services.ingest import IngestService
from tests.support.demo_store import demo_store

NUMBER = "109876543210001"  # the demo business's WhatsApp number
NEW_CUSTOMER = "447700900999"  # not in the demo data
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
TURN = QueuedJob(kind="turn", max_attempts=3, extra={"request_id": "req-1"})


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    async with demo_store(database_url, now=NOW) as store:
        yield store


def inbound(wamid: str, *, at: datetime = NOW, sender: str = NEW_CUSTOMER, **kw: Any) -> InboundMessage:
    return InboundMessage(
        channel_key=NUMBER, message_id=wamid, sender=sender, timestamp=at, type="text", text="hi", **kw
    )


async def store_one(
    store: SqlStore, event: InboundMessage, *, turn: QueuedJob | None = TURN, now: datetime = NOW
) -> Message | None:
    async with store.transaction() as tx:
        channel = await tx.channel_by_key(NUMBER)
        assert channel is not None
        [message] = await tx.store_inbound([Inbound(channel=channel, event=event, turn_job=turn)], now=now)
        return message


async def rows(store: SqlStore, sql: str) -> list[Any]:
    async with store.engine.connect() as conn:
        return list((await conn.execute(text(sql))).all())


def as_json(value: Any) -> Any:
    """A JSON column read with raw SQL: text on SQLite, decoded already on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


async def conversation_of(store: SqlStore, message: Message) -> Any:
    sql = f"SELECT * FROM conversations WHERE id = {message.conversation_id}"
    return (await rows(store, sql))[0]


async def test_a_new_message_creates_one_event_and_one_job_and_a_redelivery_none(store: SqlStore) -> None:
    message = await store_one(store, inbound("wamid.A", sender_name="Ada"))
    assert message is not None and message.channel_message_id == "wamid.A"

    events = await rows(store, "SELECT type, payload FROM events WHERE type = 'message.created'")
    assert len(events) == 1
    payload = as_json(events[0].payload)
    assert payload == live.message_created(message)
    assert payload["message"]["id"] == message.id and payload["conversation_id"] == message.conversation_id

    jobs = await rows(store, "SELECT key, payload, max_attempts FROM jobs")
    assert [(j.key, j.max_attempts) for j in jobs] == [(turn_key(message.conversation_id), 3)]
    ids = {"message_id": message.id, "conversation_id": message.conversation_id}
    assert as_json(jobs[0].payload) == {**ids, "request_id": "req-1"}

    conversation = await conversation_of(store, message)
    assert conversation.unread_count == 1 and conversation.status == "bot"
    contact = (await rows(store, f"SELECT name FROM contacts WHERE wa_id = '{NEW_CUSTOMER}'"))[0]
    assert contact.name == "Ada"

    assert await store_one(store, inbound("wamid.A", sender_name="Ada")) is None  # Meta redelivers
    assert len(await rows(store, "SELECT id FROM events WHERE type = 'message.created'")) == 1
    assert len(await rows(store, "SELECT id FROM jobs")) == 1
    assert len(await rows(store, "SELECT id FROM messages WHERE channel_message_id = 'wamid.A'")) == 1
    assert (await conversation_of(store, message)).unread_count == 1


async def test_the_window_never_moves_back_and_unread_counts_every_new_message(store: SqlStore) -> None:
    later = await store_one(store, inbound("wamid.late", at=NOW - timedelta(minutes=1)))
    earlier = await store_one(store, inbound("wamid.early", at=NOW - timedelta(minutes=5)))
    future = await store_one(store, inbound("wamid.future", at=NOW + timedelta(hours=1)))
    assert later and earlier and future
    assert later.conversation_id == earlier.conversation_id == future.conversation_id

    conversation = await conversation_of(store, later)
    assert conversation.unread_count == 3
    async with store.transaction() as tx:  # read back through the port, which returns aware datetimes
        assert (await tx.conversation(later.conversation_id)).last_inbound_at == NOW  # capped at now
    jobs = await rows(store, "SELECT key, payload FROM jobs ORDER BY id")
    assert len(jobs) == 3 and len({j.key for j in jobs}) == 1  # one key: the conversation's turns queue


async def test_a_silent_message_gets_its_event_but_no_turn(store: SqlStore) -> None:
    assert await store_one(store, inbound("wamid.R"), turn=None) is not None
    assert len(await rows(store, "SELECT id FROM events WHERE type = 'message.created'")) == 1
    assert await rows(store, "SELECT id FROM jobs") == []


async def test_a_new_message_reopens_a_closed_conversation_but_a_redelivery_does_not(store: SqlStore) -> None:
    first = await store_one(store, inbound("wamid.1"))
    assert first is not None
    async with store.transaction() as tx:
        await tx.set_status(first.conversation_id, ConversationStatus.CLOSED, now=NOW)
    assert await store_one(store, inbound("wamid.1")) is None
    assert (await conversation_of(store, first)).status == "closed"
    assert await store_one(store, inbound("wamid.2")) is not None
    assert (await conversation_of(store, first)).status == "bot"


async def test_a_known_name_is_never_overwritten(store: SqlStore) -> None:
    await store_one(store, inbound("wamid.n1", sender_name=None))
    await store_one(store, inbound("wamid.n2", sender_name="First"))
    await store_one(store, inbound("wamid.n3", sender_name="Second"))
    contact = (await rows(store, f"SELECT name FROM contacts WHERE wa_id = '{NEW_CUSTOMER}'"))[0]
    assert contact.name == "First"


async def test_a_new_customers_first_messages_side_by_side(store: SqlStore) -> None:
    """On PostgreSQL they all miss the contact and race to create it: none may lose its message."""
    stored = await asyncio.gather(*(store_one(store, inbound(f"wamid.race.{i}")) for i in range(4)))
    assert all(m is not None for m in stored)
    assert len({m.conversation_id for m in stored if m}) == 1
    assert len(await rows(store, f"SELECT id FROM contacts WHERE wa_id = '{NEW_CUSTOMER}'")) == 1
    assert (await conversation_of(store, stored[0])).unread_count == 4  # type: ignore[arg-type]
    assert len(await rows(store, "SELECT id FROM jobs")) == 4
    assert len(await rows(store, "SELECT id FROM events WHERE type = 'message.created'")) == 4


async def test_ingest_records_one_event_per_new_message(store: SqlStore) -> None:
    """Through the service: Meta delivering the same webhook twice makes one event and one turn."""

    class Clock:
        def now(self) -> datetime:
            return NOW

    ingest = IngestService(store=store, clock=Clock(), max_attempts=3)
    first = await ingest.ingest([inbound("wamid.S")], kind=ChannelKind.WHATSAPP_CLOUD)
    again = await ingest.ingest([inbound("wamid.S")], kind=ChannelKind.WHATSAPP_CLOUD)
    assert (first.stored, again.stored, again.duplicates) == (1, 0, 1)
    assert len(await rows(store, "SELECT id FROM events WHERE type = 'message.created'")) == 1
    assert len(await rows(store, "SELECT id FROM jobs WHERE kind = 'turn'")) == 1


async def test_a_batch_is_stored_in_order_and_a_wamid_twice_in_it_once(store: SqlStore) -> None:
    known = "447700900101"  # Amelia, a demo customer
    batch = [
        inbound("wamid.b1"),
        inbound("wamid.b2", sender=known),
        inbound("wamid.b3"),  # the new customer again: the contact made for b1 is reused
        inbound("wamid.b1"),  # the same message twice in one batch
        inbound("wamid.b4"),  # stored without a turn, as a reaction is
    ]
    async with store.transaction() as tx:
        channel = await tx.channel_by_key(NUMBER)
        assert channel is not None
        stored = await tx.store_inbound(
            [
                Inbound(channel=channel, event=e, turn_job=None if e.message_id == "wamid.b4" else TURN)
                for e in batch
            ],
            now=NOW,
        )
    wamids = ["wamid.b1", "wamid.b2", "wamid.b3", None, "wamid.b4"]
    assert [m.channel_message_id if m else None for m in stored] == wamids
    assert [m.id for m in stored if m] == sorted(m.id for m in stored if m)
    assert len(await rows(store, f"SELECT id FROM contacts WHERE wa_id = '{NEW_CUSTOMER}'")) == 1
    first = stored[0]
    assert first is not None and stored[2] is not None and first.conversation_id == stored[2].conversation_id
    assert (await conversation_of(store, first)).unread_count == 3  # b1, b3 and b4
    jobs = await rows(store, "SELECT payload FROM jobs ORDER BY id")
    assert [as_json(j.payload)["message_id"] for j in jobs] == [m.id for m in stored[:3] if m]
    events = await rows(store, "SELECT payload FROM events WHERE type = 'message.created' ORDER BY id")
    assert [as_json(e.payload)["message"]["id"] for e in events] == [m.id for m in stored if m]


class Watched:
    """The real store, counting transactions; `store_inbound` fails for a batch holding `poison`."""

    def __init__(self, store: SqlStore, poison: str | None = None):
        self.store, self.poison, self.transactions = store, poison, 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        self.transactions += 1
        async with self.store.transaction() as tx:
            yield _Poisoned(tx, self.poison)


class _Poisoned:
    def __init__(self, tx: Any, poison: str | None):
        self._tx, self._poison = tx, poison

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    async def store_inbound(self, items: list[Inbound], *, now: datetime) -> list[Message | None]:
        if any(item.event.message_id == self._poison for item in items):
            raise RuntimeError("poisoned batch")
        result: list[Message | None] = await self._tx.store_inbound(items, now=now)
        return result


def _ingest(store: Any) -> IngestService:
    class Clock:
        def now(self) -> datetime:
            return NOW

    return IngestService(store=store, clock=Clock(), max_attempts=3)


async def _deliver(ingest: IngestService, wamid: str, request_id: str) -> Any:
    REQUEST_ID.set(request_id)  # each delivery is its own task, with its own context
    return await ingest.ingest([inbound(wamid)], kind=ChannelKind.WHATSAPP_CLOUD)


async def test_concurrent_deliveries_share_one_commit_and_keep_their_own_results(store: SqlStore) -> None:
    watched = Watched(store)
    ingest = _ingest(watched)
    distinct = [_deliver(ingest, f"wamid.c{i}", f"req-c{i}") for i in range(10)]
    redelivered = [_deliver(ingest, "wamid.again", f"req-again-{i}") for i in range(10)]
    results = await asyncio.gather(*distinct, *redelivered)
    assert watched.transactions == 1  # all twenty were waiting when the writer began
    assert [(r.stored, r.duplicates) for r in results[:10]] == [(1, 0)] * 10
    assert sorted((r.stored, r.duplicates) for r in results[10:]) == [(0, 1)] * 9 + [(1, 0)]
    jobs = await rows(store, "SELECT payload FROM jobs ORDER BY id")
    assert [as_json(j.payload)["request_id"] for j in jobs] == [f"req-c{i}" for i in range(10)] + [
        "req-again-0"
    ]


async def test_a_delivery_that_fails_fails_alone_and_its_batch_is_stored(store: SqlStore) -> None:
    watched = Watched(store, poison="wamid.poison")
    ingest = _ingest(watched)
    results = await asyncio.gather(
        _deliver(ingest, "wamid.p1", "r1"),
        _deliver(ingest, "wamid.poison", "r2"),
        _deliver(ingest, "wamid.p3", "r3"),
        return_exceptions=True,
    )
    assert [getattr(r, "stored", r.__class__.__name__) for r in results] == [1, "RuntimeError", 1]
    assert watched.transactions == 4  # the batch, rolled back, then each delivery alone
    stored = await rows(
        store, "SELECT channel_message_id FROM messages WHERE channel_message_id LIKE 'wamid.p%'"
    )
    assert sorted(r.channel_message_id for r in stored) == ["wamid.p1", "wamid.p3"]
