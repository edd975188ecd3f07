"""The retention job on SQLite and PostgreSQL, with a controlled clock: what is older than a tenant's
retention period is erased (rows kept, audited once), the rest and other tenants stay as they were."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from frontdesk.adapters.db.admin import SqlAdminStore
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.retention import SqlRetention
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import (
    audit_log,
    channels,
    contacts,
    conversations,
    events,
    messages,
    outbox,
    status_events,
    tenants,
)
from frontdesk.adapters.files.local import LocalFiles
from frontdesk.domain.admin import DeadLetterKind
from frontdesk.domain.errors import ConflictError
from frontdesk.services.dispatcher import UNSENDABLE, Dispatcher
from frontdesk.services.retention import RetentionService
from frontdesk.services.retry import Backoff
from tests.support.demo_store import demo_store
from tests.unit.conftest import FakeClock, FakeSender


def retention(store: SqlStore, *, clock: Any, batch: int = 1000) -> RetentionService:
    """The retention job on `store`; its file store is empty (tests/integration/test_media.py has files)."""
    files = LocalFiles(Path(tempfile.mkdtemp(prefix="frontdesk-files-")))
    return RetentionService(store=SqlRetention(store), files=files, clock=clock, batch=batch)


NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=40)
RECENT = NOW - timedelta(days=1)
REDACTED = {"redacted": True}


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    async with demo_store(database_url, now=OLD - timedelta(days=1)) as store:
        yield store


async def test_old_messages_are_erased_recent_ones_and_other_tenants_kept(store: SqlStore) -> None:
    seeded = await _seed(store)
    clock = FakeClock(NOW)

    erased = await retention(store, clock=clock, batch=1).erase_expired()

    assert erased == 2
    rows = await _messages(store)
    old_in, old_out, recent = rows[seeded["old_in"]], rows[seeded["old_out"]], rows[seeded["recent"]]
    for row, direction, status in ((old_in, "in", "received"), (old_out, "out", "sent")):
        assert (row["text"], row["content"], row["erased_at"]) == (None, REDACTED, NOW)
        assert (row["direction"], row["status"], row["created_at"]) == (
            direction,
            status,
            OLD,
        )  # still counted
    assert recent["text"] == "and today?" and recent["erased_at"] is None
    assert (
        rows[seeded["other_old"]]["text"] == "other tenant, old"
        and rows[seeded["other_old"]]["erased_at"] is None
    )
    assert len(rows) == 4

    async with store.read() as conn:
        assert (
            await conn.scalar(select(outbox.c.payload).where(outbox.c.message_id == seeded["old_out"]))
        ) == REDACTED
        assert await conn.scalar(select(func.count()).select_from(status_events)) == 0
        summaries = dict((await conn.execute(select(conversations.c.id, conversations.c.summary))).all())
        assert summaries[seeded["quiet"]] is None and summaries[seeded["busy"]] == "asked about today"
        assert summaries[seeded["other_conversation"]] == "other tenant's summary"
        left = (await conn.execute(select(events.c.tenant_id, events.c.type).order_by(events.c.id))).all()
        assert [tuple(r) for r in left] == [(seeded["other"], "old.other"), (seeded["lumen"], "new")]
        audit = (await conn.execute(select(audit_log).where(audit_log.c.action == "retention.erase"))).all()
    assert {(a.tenant_id, a.actor, a.target_type) for a in audit} == {
        (seeded["lumen"], "system:retention", "tenant")
    }
    assert sum(a.details["messages"] for a in audit) == 2  # batches of one: an entry per batch
    assert audit[0].details["retention_days"] == 30 and audit[0].details["conversations"] == 1

    assert await retention(store, clock=clock).erase_expired() == 0  # nothing twice
    async with store.read() as conn:
        again = await conn.scalar(select(func.count()).where(audit_log.c.action == "retention.erase"))
    assert again == len(audit)


async def test_two_processes_erase_each_message_once(store: SqlStore, database_url: str) -> None:
    await _seed(store)
    other = SqlStore(make_engine(database_url))  # another process: its own engine and write lock
    try:
        jobs = [retention(s, clock=FakeClock(NOW), batch=1) for s in (store, other)]
        counts = await asyncio.gather(*(job.erase_expired() for job in jobs))
    finally:
        await other.dispose()
    assert sum(counts) == 2
    async with store.read() as conn:
        audit = (
            await conn.execute(select(audit_log.c.details).where(audit_log.c.action == "retention.erase"))
        ).all()
    assert sum(d[0]["messages"] for d in audit) == 2


@pytest.mark.parametrize("outbox_status", ["pending", "sending"])
async def test_a_pending_reply_keeps_its_text_until_it_is_sent(store: SqlStore, outbox_status: str) -> None:
    seeded = await _seed(store)
    await _reply_is(store, seeded, message="pending", outbox_status=outbox_status)
    await retention(store, clock=FakeClock(NOW)).erase_expired()
    assert (await _messages(store))[seeded["old_out"]]["text"] == "your order ships Monday"
    async with store.read() as conn:
        assert (await conn.scalar(select(outbox.c.payload))) != REDACTED


async def test_a_held_send_staff_discarded_is_erased_though_its_message_stays_pending(
    store: SqlStore,
) -> None:
    seeded = await _seed(store)
    await _reply_is(store, seeded, message="pending", outbox_status="uncertain")
    async with store.begin() as conn:  # staff discard it: the row goes, the message stays `pending`
        await conn.execute(outbox.delete())
    assert await retention(store, clock=FakeClock(NOW)).erase_expired() == 2
    old_out = (await _messages(store))[seeded["old_out"]]
    assert (old_out["text"], old_out["content"], old_out["erased_at"]) == (None, REDACTED, NOW)


async def test_a_failed_send_erased_by_retention_cannot_be_retried_or_block_its_conversation(
    store: SqlStore,
) -> None:
    seeded = await _seed(store)
    await _reply_is(store, seeded, message="failed", outbox_status="failed")
    await retention(store, clock=FakeClock(NOW)).erase_expired()
    send = int(await _scalar(store, select(outbox.c.id)))
    admin = SqlAdminStore(store)
    with pytest.raises(ConflictError, match="its content was erased"):
        async with admin.transaction() as tx:
            await tx.retry_dead_letter(seeded["lumen"], DeadLetterKind.SEND, send, now=NOW)
    assert await _scalar(store, select(outbox.c.status)) == "failed"  # the refusal changed nothing

    # Should an erased payload reach the dispatcher anyway (queued by an older release, say), it fails
    # for good instead of staying `sending` and blocking the conversation's later replies.
    async with store.begin() as conn:
        await conn.execute(update(outbox).values(status="pending"))
    sender = FakeSender()
    dispatcher = Dispatcher(
        outbox=store,
        sender=sender,
        clock=FakeClock(NOW),
        concurrency=1,
        lease_seconds=30,
        poll_seconds=0.1,
        max_attempts=3,
        backoff=Backoff(base=1.0, cap=4.0),
    )
    assert await dispatcher.send_once()
    assert sender.sent == []
    async with store.read() as conn:
        row = (await conn.execute(select(outbox.c.status, messages.c.error_code).join(messages))).one()
    assert tuple(row) == ("failed", UNSENDABLE)


async def test_status_callbacks_older_than_the_period_are_pruned(store: SqlStore) -> None:
    await _seed(store)
    await retention(store, clock=FakeClock(NOW)).erase_expired()
    later = NOW + timedelta(days=1)
    async with store.begin() as conn:  # callbacks that arrive after the message was erased
        for wamid, status, at in (
            ("wamid.OLD-OUT", "read", NOW),  # its message is lumen's, erased
            ("wamid.UNKNOWN", "delivered", NOW),  # matches no message (the first copy of a double send)
            ("wamid.OLD-OUT", "failed", later),  # younger than the period when the job next runs
        ):
            await conn.execute(
                status_events.insert().values(
                    channel_message_id=wamid,
                    status=status,
                    occurred_at=at,
                    raw={"recipient_id": "447700900555"},
                    received_at=at,
                )
            )
    clock = FakeClock(NOW + timedelta(days=31))
    await retention(store, clock=clock).erase_expired()
    async with store.read() as conn:
        left = (await conn.execute(select(status_events.c.channel_message_id, status_events.c.status))).all()
        audit = (await conn.execute(select(audit_log.c.details).order_by(audit_log.c.id.desc()))).first()
    assert [tuple(r) for r in left] == [("wamid.OLD-OUT", "failed")]
    assert audit is not None and audit.details["status_events"] == 2


# -- data


async def _seed(store: SqlStore) -> dict[str, int]:
    """Lumen (retention 30 days) with a quiet old conversation and a busy one; another tenant without
    retention with an old message."""
    ids: dict[str, int] = {}
    async with store.begin() as conn:

        async def insert(table: Any, **values: Any) -> int:
            return int(await conn.scalar(table.insert().values(**values).returning(table.c.id)))

        lumen = int(await conn.scalar(select(tenants.c.id).where(tenants.c.slug == "lumen")))
        await conn.execute(update(tenants).where(tenants.c.id == lumen).values(retention_days=30))
        channel = int(await conn.scalar(select(channels.c.id).where(channels.c.tenant_id == lumen)))
        other = await insert(
            tenants, slug="other", name="Other", timezone="UTC", currency="EUR", created_at=OLD
        )
        other_channel = await insert(
            channels, tenant_id=other, phone_number_id="100200300888", enabled=True, created_at=OLD
        )
        ids |= {"lumen": lumen, "other": other}

        async def thread(tenant: int, chan: int, wa_id: str, summary: str, last: datetime) -> tuple[int, int]:
            contact = await insert(contacts, tenant_id=tenant, wa_id=wa_id, created_at=OLD)
            conversation = await insert(
                conversations,
                tenant_id=tenant,
                channel_id=chan,
                contact_id=contact,
                summary=summary,
                agent_state={"pending": "address"},
                last_message_at=last,
                created_at=OLD,
                updated_at=last,
            )
            return contact, conversation

        _, ids["quiet"] = await thread(lumen, channel, "447700900555", "wants a lamp", OLD)
        _, ids["busy"] = await thread(lumen, channel, "447700900556", "asked about today", RECENT)
        _, ids["other_conversation"] = await thread(
            other, other_channel, "447700900557", "other tenant's summary", OLD
        )

        def message(conversation: int, tenant: int, text: str, at: datetime, **more: Any) -> dict[str, Any]:
            return dict(
                tenant_id=tenant, conversation_id=conversation, type="text", text=text, created_at=at, **more
            )

        ids["old_in"] = await insert(
            messages,
            **message(ids["quiet"], lumen, "my address is 1 Elm St", OLD, direction="in", status="received"),
            content={"image": {"id": "media-1", "caption": "my door"}},
            channel_message_id="wamid.OLD-IN",
        )
        ids["old_out"] = await insert(
            messages,
            **message(ids["quiet"], lumen, "your order ships Monday", OLD, direction="out", status="sent"),
            channel_message_id="wamid.OLD-OUT",
        )
        await insert(
            outbox,
            tenant_id=lumen,
            message_id=ids["old_out"],
            conversation_id=ids["quiet"],
            channel_id=channel,
            to_wa_id="447700900555",
            payload={"kind": "text", "body": "your order ships Monday"},
            status="sent",
            next_attempt_at=OLD,
            created_at=OLD,
        )
        await insert(
            status_events,
            channel_message_id="wamid.OLD-OUT",
            status="delivered",
            occurred_at=OLD,
            raw={"recipient_id": "447700900555"},
            received_at=OLD,
        )
        ids["recent"] = await insert(
            messages, **message(ids["busy"], lumen, "and today?", RECENT, direction="in", status="received")
        )
        ids["other_old"] = await insert(
            messages,
            **message(
                ids["other_conversation"], other, "other tenant, old", OLD, direction="in", status="received"
            ),
        )
        for tenant, kind, at in ((lumen, "old", OLD), (other, "old.other", OLD), (lumen, "new", RECENT)):
            await insert(events, tenant_id=tenant, type=kind, payload={"text": kind}, created_at=at)
    return ids


async def _reply_is(store: SqlStore, seeded: dict[str, int], *, message: str, outbox_status: str) -> None:
    """The old reply's message and outbox row in these states."""
    async with store.begin() as conn:
        await conn.execute(update(messages).where(messages.c.id == seeded["old_out"]).values(status=message))
        await conn.execute(update(outbox).values(status=outbox_status))


async def _scalar(store: SqlStore, stmt: Any) -> Any:
    async with store.read() as conn:
        return await conn.scalar(stmt)


async def _messages(store: SqlStore) -> dict[int, dict[str, Any]]:
    async with store.read() as conn:
        found = (await conn.execute(select(messages))).all()
    return {r.id: dict(r._mapping) for r in found}
