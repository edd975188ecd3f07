"""A send whose outcome is unknown (the process stopped mid-send, or Graph timed out after the request went
out) and the channel's `uncertain_sends` policy: `resend` sends it again, `hold` keeps it for staff.

Real services on a real store, SQLite and PostgreSQL; a crash is a claim whose outcome is never written
(what a SIGKILL between the `sending` commit and the outcome commit leaves behind), then the lease expires.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from frontdesk.adapters.channels.whatsapp_cloud.client import GraphClient
from frontdesk.adapters.db.admin import SqlAdminStore
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.write_turns import WriteTurns
from frontdesk.domain.admin import DeadLetterKind
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.domain.errors import ChannelError, ConfigurationError
from frontdesk.domain.models import Channel
from frontdesk.domain.outbound import OutboundMessage
from frontdesk.services.dispatcher import Dispatcher
from frontdesk.services.retry import Backoff
from tests.support.demo_store import demo_store
from tests.unit.conftest import FakeClock, FakeSender
from tests.unit.test_services import Echo, build, inbound, scalar

LEASE = 30  # the dispatcher's lease in `build`
REPLIES = (
    "select o.status, m.status as message, m.error_code from outbox o join messages m on m.id = o.message_id"
)


@pytest.fixture
async def store(database_url: str, clock: FakeClock) -> AsyncIterator[SqlStore]:
    async with demo_store(database_url, now=clock.now()) as store:
        yield store


async def execute(store: SqlStore, sql: str) -> None:
    async with store.begin() as conn:
        await conn.execute(text(sql))


async def rows(store: SqlStore, sql: str) -> list[Any]:
    async with store.engine.connect() as conn:
        return list((await conn.execute(text(sql))).all())


async def replies_queued(store: SqlStore, clock: FakeClock, sender: FakeSender, policy: str, *texts: str):  # type: ignore[no-untyped-def]
    """The demo channel set to `policy`, and one reply queued per text (one conversation, in order)."""
    await execute(store, f"update channels set uncertain_sends = '{policy}'")
    ingest, worker, dispatcher = build(store, clock, Echo(), sender)
    for i, body in enumerate(texts):
        await ingest.ingest([inbound(clock, f"wamid.in.{i}", body)], kind=ChannelKind.WHATSAPP_CLOUD)
        assert await worker.run_once()
    return dispatcher


async def crash_mid_send(store: SqlStore, clock: FakeClock) -> None:
    """A dispatcher claims the next reply and dies before its outcome commits; its lease then expires."""
    assert await store.claim_outbox(now=clock.now(), lease_seconds=LEASE) is not None
    clock.advance(seconds=LEASE + 1)


class WatchingSender(FakeSender):
    """Reads the outbox row, from its own connection, while the channel is being called."""

    def __init__(self, store: SqlStore) -> None:
        super().__init__()
        self.store = store
        self.seen: list[Any] = []

    async def send(self, *, channel: Channel, to: str, message: OutboundMessage) -> str:
        self.seen += await rows(self.store, "select status, attempted_at, attempts from outbox")
        return await super().send(channel=channel, to=to, message=message)


async def test_a_send_is_committed_as_sending_with_its_time_before_the_channel_is_called(
    store: SqlStore, clock: FakeClock
) -> None:
    sender = WatchingSender(store)
    dispatcher = await replies_queued(store, clock, sender, "resend", "hi")
    assert await dispatcher.send_once()
    [(status, attempted_at, attempts)] = sender.seen
    assert (status, attempts) == ("sending", 1)
    assert attempted_at is not None
    assert await scalar(store, "select status from outbox") == "sent"


async def test_hold_keeps_an_interrupted_send_for_staff_and_never_sends_it_again(
    store: SqlStore, clock: FakeClock
) -> None:
    sender = FakeSender()
    dispatcher = await replies_queued(store, clock, sender, "hold", "first", "second")
    await crash_mid_send(store, clock)
    assert await dispatcher.send_once()
    assert sender.sent == []
    [held] = await rows(store, REPLIES + " order by o.id limit 1")
    assert tuple(held) == ("uncertain", "pending", "uncertain")
    # A held reply does not block the conversation: the next one leaves, like after a failed one.
    assert await dispatcher.send_once()
    assert [m.body for _, m in sender.sent] == ["echo: second"]  # type: ignore[union-attr]
    clock.advance(seconds=LEASE + 1)
    assert not await dispatcher.send_once()  # the held reply is not picked up again
    events = await rows(store, "select type from events where type = 'message.status'")
    assert len(events) == 2  # held, then the second one sent: staff watching live see both


async def test_resend_sends_an_interrupted_send_again(store: SqlStore, clock: FakeClock) -> None:
    sender = FakeSender()
    dispatcher = await replies_queued(store, clock, sender, "resend", "hi")
    await crash_mid_send(store, clock)
    assert await dispatcher.send_once()
    assert [m.body for _, m in sender.sent] == ["echo: hi"]  # type: ignore[union-attr]
    assert tuple((await rows(store, "select status, attempts from outbox"))[0]) == ("sent", 2)


@pytest.mark.parametrize(
    ("policy", "maybe_delivered", "status"),
    [
        ("hold", True, "uncertain"),  # a read timeout: Graph may have the message
        ("resend", True, "pending"),  # retried, as before
        ("hold", False, "pending"),  # a connect timeout: nothing left, so nothing is uncertain
    ],
)
async def test_a_timeout_follows_the_channel_policy_when_the_message_may_have_been_delivered(
    store: SqlStore, clock: FakeClock, policy: str, maybe_delivered: bool, status: str
) -> None:
    sender = FakeSender()
    error = ChannelError("no answer", code="timeout", transient=True, maybe_delivered=maybe_delivered)
    sender.errors = [error]
    dispatcher = await replies_queued(store, clock, sender, policy, "hi")
    assert await dispatcher.send_once()
    assert await scalar(store, "select status from outbox") == status


async def test_staff_resend_or_discard_a_held_send(store: SqlStore, clock: FakeClock) -> None:
    sender = FakeSender()
    dispatcher = await replies_queued(store, clock, sender, "hold", "first", "second")
    for _ in range(2):
        await crash_mid_send(store, clock)
        assert await dispatcher.send_once()
    held = await rows(store, "select id, tenant_id from outbox where status = 'uncertain' order by id")
    assert len(held) == 2
    admin = SqlAdminStore(store)
    async with admin.read() as tx:
        page = await tx.dead_letters(held[0].tenant_id, kind=DeadLetterKind.SEND, limit=10, offset=0)
    assert sorted((d.id, d.uncertain) for d in page.items) == [(held[0].id, True), (held[1].id, True)]
    async with admin.transaction() as tx:
        await tx.retry_dead_letter(held[0].tenant_id, DeadLetterKind.SEND, held[0].id, now=clock.now())
        await tx.discard_dead_letter(held[1].tenant_id, DeadLetterKind.SEND, held[1].id)
    while await dispatcher.send_once():
        pass
    assert [m.body for _, m in sender.sent] == ["echo: first"]  # type: ignore[union-attr]
    assert await scalar(store, "select count(*) from outbox where status = 'uncertain'") == 0


async def graph_sends(graph: httpx.AsyncClient) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = (await graph.get("/_fake/messages")).json()["messages"]
    return records


async def reached_graph(graph: httpx.AsyncClient) -> None:
    """Wait until the fake Graph has received a send (a task in this loop is making it)."""
    async with asyncio.timeout(10):
        while True:
            if await graph_sends(graph):
                return
            await asyncio.sleep(0.01)


@pytest.mark.parametrize("late_answer", [200, 500])  # a late wamid (`sent`), a late transient error (retry)
async def test_a_send_that_outlives_its_lease_cannot_overwrite_the_next_attempts_outcome(
    store: SqlStore, clock: FakeClock, graph_url: str, late_answer: int
) -> None:
    """Attempt 1 is still waiting for Graph when its lease runs out; attempt 2 claims the row and sends it.
    Attempt 1's answer then arrives: it must leave attempt 2's `sent` as it is (not flip it back to
    `pending`, which sends a third time, nor store attempt 1's wamid)."""
    async with (
        httpx.AsyncClient(base_url=graph_url) as graph,
        httpx.AsyncClient(timeout=30) as http,
    ):
        sender = GraphClient(http=http, base_url=graph_url, api_version="v21.0", default_token="token")
        dispatcher = await replies_queued(store, clock, sender, "resend", "hi")  # type: ignore[arg-type]
        await graph.post("/_fake/fail", json={"status": late_answer, "hold": True, "times": 1})
        first = asyncio.create_task(dispatcher.send_once())
        await reached_graph(graph)  # attempt 1: Graph has it and holds its answer
        clock.advance(seconds=LEASE + 1)
        assert await dispatcher.send_once()  # attempt 2: answered at once
        [(status, attempts)] = await rows(store, "select status, attempts from outbox")
        assert (status, attempts) == ("sent", 2)
        await graph.post("/_fake/release")
        assert await first
        requests = await graph_sends(graph)
    assert [r["http_status"] for r in requests] == [late_answer, 200]
    [reply] = await rows(
        store,
        "select o.status, m.status, m.channel_message_id from outbox o"
        " join messages m on m.id = o.message_id",
    )
    assert tuple(reply) == ("sent", "sent", requests[1]["wamid"])
    clock.advance(seconds=LEASE + 1)
    assert not await dispatcher.send_once()  # nothing left to send


async def test_the_send_timeout_bounds_the_whole_call_below_the_lease(
    store: SqlStore, clock: FakeClock, graph_url: str
) -> None:
    """httpx's timeout is per phase (connect, write, each read), so one call can outlast it several
    times over; the dispatcher's own deadline ends it, as a send that may have been delivered."""
    async with (
        httpx.AsyncClient(base_url=graph_url) as graph,
        httpx.AsyncClient(timeout=60) as http,
    ):
        sender = GraphClient(http=http, base_url=graph_url, api_version="v21.0", default_token="token")
        queued = await replies_queued(store, clock, sender, "hold", "hi")  # type: ignore[arg-type]
        dispatcher = Dispatcher(
            outbox=store,
            sender=sender,
            clock=clock,
            concurrency=1,
            lease_seconds=LEASE,
            poll_seconds=0.1,
            max_attempts=3,
            backoff=Backoff(base=1.0, cap=4.0),
            send_timeout_seconds=0.2,
        )
        await graph.post("/_fake/fail", json={"status": 200, "hold": True, "times": 1})
        try:
            assert await dispatcher.send_once()
        finally:
            await graph.post("/_fake/release")
    assert tuple((await rows(store, REPLIES))[0]) == ("uncertain", "pending", "uncertain")
    assert not await queued.send_once()


def test_a_send_timeout_as_long_as_the_lease_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="must be shorter than the lease"):
        Dispatcher(
            outbox=None,  # type: ignore[arg-type]
            sender=FakeSender(),
            clock=FakeClock(),
            concurrency=1,
            lease_seconds=10,
            poll_seconds=0.1,
            max_attempts=3,
            backoff=Backoff(base=1.0, cap=4.0),
            send_timeout_seconds=10,
        )


async def test_an_urgent_writer_goes_ahead_of_those_already_waiting() -> None:
    turns = WriteTurns()
    order: list[str] = []
    gate = asyncio.Event()

    async def write(name: str, *, urgent: bool = False, hold: bool = False) -> None:
        async with turns.turn(urgent=urgent):
            order.append(name)
            if hold:
                await gate.wait()

    first = asyncio.create_task(write("writing", hold=True))
    await asyncio.sleep(0)
    waiting = [asyncio.create_task(write(n)) for n in ("ingest-1", "ingest-2")]
    await asyncio.sleep(0)
    urgent = asyncio.create_task(write("outcome", urgent=True))
    await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(first, *waiting, urgent)
    assert order == ["writing", "outcome", "ingest-1", "ingest-2"]


async def test_a_cancelled_waiter_does_not_keep_the_write_lock() -> None:
    turns = WriteTurns()
    gate = asyncio.Event()

    async def hold() -> None:
        async with turns.turn():
            await gate.wait()

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0)
    cancelled = asyncio.create_task(hold())
    await asyncio.sleep(0)
    cancelled.cancel()
    gate.set()
    await holder
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    async with asyncio.timeout(5):
        async with turns.turn(urgent=True):
            pass
