"""`SqlStore` and status callbacks: forward only, harmless twice or out of order, and applied even when
the callback is stored before the dispatcher has stored the wamid it refers to.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from frontdesk.adapters.db.demo_seed import seed_business
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.store import SqlStore
from frontdesk.domain.events import ChannelErrorInfo, InboundMessage, StatusUpdate
from frontdesk.domain.models import MessageStatus, OutboxItem
from frontdesk.domain.outbound import Text
from frontdesk.domain.ports import Inbound
from tests.support.conversations import open_conversation

NUMBER = "109876543210001"  # the demo business's WhatsApp number
CUSTOMER = "447700900101"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
FORWARD = (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ)


async def open_store(url: str) -> SqlStore:
    store = SqlStore(make_engine(url))
    await upgrade(store.engine)
    await seed_business(store, now=NOW)
    return store


@pytest.fixture
async def status_store(tmp_path: Path) -> AsyncIterator[SqlStore]:
    store = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'status.db'}")
    yield store
    await store.dispose()


@pytest.fixture
async def any_store(database_url: str) -> AsyncIterator[SqlStore]:
    """The same on SQLite and on PostgreSQL, where transactions really run side by side."""
    store = await open_store(database_url)
    yield store
    await store.dispose()


async def claimed_reply(store: SqlStore) -> OutboxItem:
    """A reply written to the outbox and claimed by the dispatcher, not yet sent."""
    opened = await open_conversation(store, number=NUMBER, wa_id=CUSTOMER, now=NOW)
    async with store.transaction() as tx:
        await tx.add_outbound(
            conversation=opened.conversation,
            message=Text(body="hi"),
            to=CUSTOMER,
            agent=None,
            tools=[],
            latency_ms=None,
            now=NOW,
        )
    item = await store.claim_outbox(now=NOW, lease_seconds=60)
    assert item is not None
    return item


async def mark_sent(store: SqlStore, item: OutboxItem, wamid: str) -> None:
    async with store.transaction() as tx:
        await tx.outbox_sent(item, channel_message_id=wamid, now=NOW)


async def callback(
    store: SqlStore,
    wamid: str,
    status: MessageStatus,
    *,
    minutes: int = 1,
    errors: tuple[ChannelErrorInfo, ...] = (),
) -> None:
    event = StatusUpdate(
        channel_key=NUMBER,
        message_id=wamid,
        status=status,
        timestamp=NOW + timedelta(minutes=minutes),
        errors=errors,
    )
    async with store.transaction() as tx:
        await tx.record_status(event, now=NOW)


async def reply_state(store: SqlStore, item: OutboxItem) -> tuple[str, str | None, str | None, str | None]:
    async with store.engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "select status, channel_message_id, error_code, error_message from messages where id = :i"
                ),
                {"i": item.message_id},
            )
        ).one()
    return row.status, row.channel_message_id, row.error_code, row.error_message


async def test_callbacks_stored_before_the_wamid_are_applied_when_it_is_stored(
    status_store: SqlStore,
) -> None:
    item = await claimed_reply(status_store)
    await callback(status_store, "wamid.EARLY", MessageStatus.DELIVERED, minutes=1)
    await callback(status_store, "wamid.EARLY", MessageStatus.READ, minutes=2)
    assert (await reply_state(status_store, item))[0] == "pending"
    await mark_sent(status_store, item, "wamid.EARLY")
    assert await reply_state(status_store, item) == ("read", "wamid.EARLY", None, None)


async def test_early_failed_callback_keeps_its_error_once_the_wamid_is_stored(status_store: SqlStore) -> None:
    item = await claimed_reply(status_store)
    error = ChannelErrorInfo(code="131026", title="Message undeliverable", details="Not a WhatsApp number.")
    await callback(status_store, "wamid.EARLY-FAIL", MessageStatus.FAILED, errors=(error,))
    await mark_sent(status_store, item, "wamid.EARLY-FAIL")
    status, _, code, message = await reply_state(status_store, item)
    assert (status, code) == ("failed", "131026")
    assert message is not None and "Message undeliverable" in message and "Not a WhatsApp number." in message


@pytest.mark.parametrize("order", list(itertools.permutations(FORWARD)), ids=lambda o: "-".join(o))
async def test_any_order_of_callbacks_ends_at_the_furthest_status(
    status_store: SqlStore, order: tuple[MessageStatus, ...]
) -> None:
    item = await claimed_reply(status_store)
    await mark_sent(status_store, item, "wamid.ANY")
    for status in (*order, *order):  # every callback twice: the second round changes nothing
        await callback(status_store, "wamid.ANY", status, minutes=FORWARD.index(status))
    assert (await reply_state(status_store, item))[0] == "read"
    async with status_store.engine.connect() as conn:
        count = (await conn.execute(text("select count(*) from message_status_events"))).scalar_one()
    assert count == 3


async def test_failed_is_terminal(status_store: SqlStore) -> None:
    item = await claimed_reply(status_store)
    await mark_sent(status_store, item, "wamid.F")
    await callback(status_store, "wamid.F", MessageStatus.DELIVERED)
    await callback(status_store, "wamid.F", MessageStatus.FAILED, errors=(ChannelErrorInfo(code="131000"),))
    await callback(status_store, "wamid.F", MessageStatus.READ)
    await callback(status_store, "wamid.F", MessageStatus.SENT)
    status, _, code, message = await reply_state(status_store, item)
    assert (status, code, message) == ("failed", "131000", "failed")


async def test_callbacks_for_other_wamids_change_nothing(status_store: SqlStore) -> None:
    item = await claimed_reply(status_store)
    await mark_sent(status_store, item, "wamid.OURS")
    inbound = InboundMessage(
        channel_key=NUMBER,
        message_id="wamid.FROM-CUSTOMER",
        sender=CUSTOMER,
        timestamp=NOW,
        type="text",
        text="hi",
    )
    async with status_store.transaction() as tx:
        channel = await tx.channel_by_key(NUMBER)
        assert channel is not None
        assert await tx.store_inbound([Inbound(channel, inbound, turn_job=None)], now=NOW) != [None]
    await callback(status_store, "wamid.NOT-OURS", MessageStatus.READ)
    await callback(status_store, "wamid.FROM-CUSTOMER", MessageStatus.READ)  # inbound messages have no ticks
    assert (await reply_state(status_store, item))[0] == "sent"
    async with status_store.engine.connect() as conn:
        statuses = (
            (await conn.execute(text("select status from messages where direction = 'in'"))).scalars().all()
        )
    assert statuses == ["received"]


async def test_callback_racing_the_commit_of_its_wamid_is_not_lost(any_store: SqlStore) -> None:
    """The callback's transaction overlaps the dispatcher's: neither sees the other's uncommitted rows."""
    item = await claimed_reply(any_store)
    async with any_store.transaction() as tx:
        await tx.outbox_sent(item, channel_message_id="wamid.RACE", now=NOW)
        # Meta's callback arrives while the dispatcher's transaction is still open.
        racing = asyncio.create_task(callback(any_store, "wamid.RACE", MessageStatus.DELIVERED))
        await asyncio.wait({racing}, timeout=0.2)
    await racing
    assert (await reply_state(any_store, item))[:2] == ("delivered", "wamid.RACE")


async def test_callback_committing_while_its_wamid_is_stored_is_not_lost(any_store: SqlStore) -> None:
    """The other interleaving: the callback's transaction is open while the dispatcher stores the wamid."""
    item = await claimed_reply(any_store)
    event = StatusUpdate(
        channel_key=NUMBER, message_id="wamid.RACE2", status=MessageStatus.READ, timestamp=NOW
    )
    async with any_store.transaction() as tx:
        await tx.record_status(event, now=NOW)
        storing = asyncio.create_task(mark_sent(any_store, item, "wamid.RACE2"))
        await asyncio.wait({storing}, timeout=0.2)
    await storing
    assert (await reply_state(any_store, item))[:2] == ("read", "wamid.RACE2")
