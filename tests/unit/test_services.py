"""Ingest, turns, the worker and the dispatcher, on a real store with a fake clock and channel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from frontdesk.adapters.db.store import SqlStore
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.domain.errors import ChannelError
from frontdesk.domain.events import InboundMessage, Reaction
from frontdesk.domain.outbound import Template, Text
from frontdesk.domain.turns import Answer, Turn
from frontdesk.services.dispatcher import Dispatcher
from frontdesk.services.ingest import TURN, IngestService
from frontdesk.services.retry import Backoff
from frontdesk.services.turns import TurnService
from frontdesk.services.worker import Worker
from tests.unit.conftest import FakeClock, FakeSender

NUMBER = "109876543210001"


class Echo:
    def __init__(self) -> None:
        self.turns: list[Turn] = []
        self.before_return: object = None

    async def respond(self, turn: Turn) -> Answer:
        self.turns.append(turn)
        if callable(self.before_return):
            await self.before_return()
        return Answer(messages=[Text(body=f"echo: {turn.message.text}")], agent="echo")


class Exploding:
    async def respond(self, turn: Turn) -> Answer:
        raise RuntimeError("boom")


def inbound(
    clock: FakeClock, wamid: str, text_: str = "hi", *, sender: str = "447700900101", **kw: object
) -> InboundMessage:
    return InboundMessage(
        channel_key=NUMBER,
        message_id=wamid,
        sender=sender,
        timestamp=clock.now(),
        type=str(kw.pop("type", "text")),
        text=text_,
        **kw,
    )  # type: ignore[arg-type]


def build(
    store: SqlStore,
    clock: FakeClock,
    responder: object,
    sender: FakeSender | None = None,
    *,
    max_attempts: int = 3,
    send_attempts: int = 3,
):  # type: ignore[no-untyped-def]
    backoff = Backoff(base=1.0, cap=4.0)
    ingest = IngestService(store=store, clock=clock, max_attempts=max_attempts)
    turns = TurnService(store=store, queue=store, responder=responder, clock=clock)  # type: ignore[arg-type]
    worker = Worker(
        name="w1",
        queue=store,
        handlers={TURN: turns.run},
        clock=clock,
        concurrency=1,
        lease_seconds=30,
        poll_seconds=0.1,
        backoff=backoff,
    )
    dispatcher = Dispatcher(
        outbox=store,
        sender=sender or FakeSender(),
        clock=clock,
        concurrency=1,
        lease_seconds=30,
        poll_seconds=0.1,
        max_attempts=send_attempts,
        backoff=backoff,
    )
    return ingest, worker, dispatcher


async def scalar(store: SqlStore, sql: str) -> object:
    async with store.engine.connect() as conn:
        return (await conn.execute(text(sql))).scalar()


async def test_ingest_is_idempotent_on_the_channel_message_id(store: SqlStore, clock: FakeClock) -> None:
    ingest, _, _ = build(store, clock, Echo())
    first = await ingest.ingest([inbound(clock, "wamid.1")], kind=ChannelKind.WHATSAPP_CLOUD)
    again = await ingest.ingest([inbound(clock, "wamid.1")], kind=ChannelKind.WHATSAPP_CLOUD)
    assert (first.stored, first.duplicates, again.stored, again.duplicates) == (1, 0, 0, 1)
    assert await scalar(store, "select count(*) from jobs") == 1
    assert await scalar(store, "select count(*) from messages") == 1


async def test_a_new_customer_becomes_a_contact_with_their_profile_name(
    store: SqlStore, clock: FakeClock
) -> None:
    ingest, _, _ = build(store, clock, Echo())
    await ingest.ingest(
        [inbound(clock, "wamid.n", sender="15550001111", sender_name="Nia")], kind=ChannelKind.WHATSAPP_CLOUD
    )
    assert await scalar(store, "select name from contacts where wa_id = '15550001111'") == "Nia"


async def test_reactions_are_stored_without_running_a_turn(store: SqlStore, clock: FakeClock) -> None:
    ingest, _, _ = build(store, clock, Echo())
    event = inbound(
        clock, "wamid.r", "👍", type="reaction", reaction=Reaction(message_id="wamid.x", emoji="👍")
    )
    assert (await ingest.ingest([event], kind=ChannelKind.WHATSAPP_CLOUD)).stored == 1
    assert await scalar(store, "select count(*) from jobs") == 0


async def test_unknown_number_is_counted_and_not_stored(store: SqlStore, clock: FakeClock) -> None:
    ingest, _, _ = build(store, clock, Echo())
    event = inbound(clock, "wamid.u").model_copy(update={"channel_key": "999"})
    assert (await ingest.ingest([event], kind=ChannelKind.WHATSAPP_CLOUD)).unknown_channel == 1
    assert await scalar(store, "select count(*) from messages") == 0


async def test_turn_replies_through_the_outbox(store: SqlStore, clock: FakeClock) -> None:
    sender = FakeSender()
    echo = Echo()
    ingest, worker, dispatcher = build(store, clock, echo, sender)
    await ingest.ingest(
        [inbound(clock, "wamid.1", "first"), inbound(clock, "wamid.2", "second")],
        kind=ChannelKind.WHATSAPP_CLOUD,
    )
    assert await worker.run_once() and await worker.run_once()
    assert not await worker.run_once()
    assert echo.turns[1].history[0].text == "first"  # the second turn sees the first message
    while await dispatcher.send_once():
        pass
    assert [m.body for _, m in sender.sent] == ["echo: first", "echo: second"]  # type: ignore[union-attr]
    assert await scalar(store, "select count(*) from messages where status = 'sent'") == 2


async def test_bot_is_silent_when_staff_hold_the_conversation(store: SqlStore, clock: FakeClock) -> None:
    echo = Echo()
    ingest, worker, _ = build(store, clock, echo)
    await ingest.ingest([inbound(clock, "wamid.1")], kind=ChannelKind.WHATSAPP_CLOUD)
    async with store.engine.begin() as conn:
        await conn.execute(text("update conversations set status = 'human'"))
    assert await worker.run_once()
    assert echo.turns == []
    assert await scalar(store, "select count(*) from outbox") == 0
    assert await scalar(store, "select status from jobs") == "done"


async def test_a_disabled_business_gets_no_answer_and_its_number_is_ignored(
    store: SqlStore, clock: FakeClock
) -> None:
    echo = Echo()
    ingest, worker, _ = build(store, clock, echo)
    await ingest.ingest(
        [inbound(clock, "wamid.1")], kind=ChannelKind.WHATSAPP_CLOUD
    )  # queued before the business was disabled
    async with store.engine.begin() as conn:
        await conn.execute(text("update tenants set disabled_at = CURRENT_TIMESTAMP"))
    assert await worker.run_once()
    assert echo.turns == []
    assert await scalar(store, "select count(*) from outbox") == 0
    assert await scalar(store, "select status from jobs") == "done"
    later = await ingest.ingest([inbound(clock, "wamid.2")], kind=ChannelKind.WHATSAPP_CLOUD)
    assert (later.stored, later.unknown_channel) == (0, 1)  # like a disabled number's


async def test_takeover_while_the_responder_thinks_discards_the_reply(
    store: SqlStore, clock: FakeClock
) -> None:
    echo = Echo()

    async def staff_take_over() -> None:
        async with store.engine.begin() as conn:
            await conn.execute(text("update conversations set status = 'human'"))

    echo.before_return = staff_take_over
    ingest, worker, _ = build(store, clock, echo)
    await ingest.ingest([inbound(clock, "wamid.1")], kind=ChannelKind.WHATSAPP_CLOUD)
    assert await worker.run_once()
    assert len(echo.turns) == 1
    assert await scalar(store, "select count(*) from outbox") == 0


async def test_failing_turn_retries_with_backoff_then_dead_letters(store: SqlStore, clock: FakeClock) -> None:
    ingest, worker, _ = build(store, clock, Exploding(), max_attempts=2)
    await ingest.ingest([inbound(clock, "wamid.1")], kind=ChannelKind.WHATSAPP_CLOUD)
    assert await worker.run_once()
    assert await scalar(store, "select status from jobs") == "queued"
    assert not await worker.run_once()  # not due yet: backoff
    clock.advance(seconds=5)
    assert await worker.run_once()
    assert await scalar(store, "select status from jobs") == "dead"
    assert "boom" in str(await scalar(store, "select last_error from jobs"))


async def test_jobs_of_one_conversation_wait_for_an_earlier_retry(store: SqlStore, clock: FakeClock) -> None:
    ingest, worker, _ = build(store, clock, Exploding(), max_attempts=2)
    await ingest.ingest(
        [inbound(clock, "wamid.1"), inbound(clock, "wamid.2")], kind=ChannelKind.WHATSAPP_CLOUD
    )
    assert await worker.run_once()  # job 1 fails, waits for its retry
    assert not await worker.run_once()  # job 2 must not overtake it
    await ingest.ingest([inbound(clock, "wamid.3", sender="447700900102")], kind=ChannelKind.WHATSAPP_CLOUD)
    assert await worker.run_once()  # another conversation is not blocked
    assert await scalar(store, "select count(*) from jobs where attempts = 1") == 2


async def test_a_lost_lease_rolls_back_the_reply(store: SqlStore, clock: FakeClock) -> None:
    echo = Echo()

    async def another_worker_steals_the_job() -> None:
        async with store.engine.begin() as conn:
            await conn.execute(text("update jobs set locked_by = 'w2'"))

    echo.before_return = another_worker_steals_the_job
    ingest, worker, _ = build(store, clock, echo)
    await ingest.ingest([inbound(clock, "wamid.1")], kind=ChannelKind.WHATSAPP_CLOUD)
    assert await worker.run_once()
    assert await scalar(store, "select count(*) from outbox") == 0


async def test_free_form_reply_outside_the_window_fails_without_sending(
    store: SqlStore, clock: FakeClock
) -> None:
    sender = FakeSender()
    ingest, worker, dispatcher = build(store, clock, Echo(), sender)
    await ingest.ingest([inbound(clock, "wamid.1")], kind=ChannelKind.WHATSAPP_CLOUD)
    await worker.run_once()
    clock.advance(hours=24, seconds=1)
    assert await dispatcher.send_once()
    assert sender.sent == []
    assert await scalar(store, "select error_code from messages where direction = 'out'") == "window_closed"


async def test_templates_may_be_sent_outside_the_window(store: SqlStore, clock: FakeClock) -> None:
    sender = FakeSender()

    class TemplateResponder:
        async def respond(self, turn: Turn) -> Answer:
            return Answer(messages=[Template(name="order_update", language="en_GB")])

    ingest, worker, dispatcher = build(store, clock, TemplateResponder(), sender)
    await ingest.ingest([inbound(clock, "wamid.1")], kind=ChannelKind.WHATSAPP_CLOUD)
    await worker.run_once()
    clock.advance(days=3)
    assert await dispatcher.send_once()
    assert len(sender.sent) == 1


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ChannelError("rate", code="130429", transient=True), "pending"),
        (ChannelError("re-engagement", code="131047", transient=False), "failed"),
    ],
)
async def test_send_failures_retry_only_when_transient(
    store: SqlStore, clock: FakeClock, error: ChannelError, status: str
) -> None:
    sender = FakeSender()
    sender.errors = [error]
    ingest, worker, dispatcher = build(store, clock, Echo(), sender)
    await ingest.ingest([inbound(clock, "wamid.1")], kind=ChannelKind.WHATSAPP_CLOUD)
    await worker.run_once()
    assert await dispatcher.send_once()
    assert await scalar(store, "select status from outbox") == status
    clock.advance(seconds=10)
    await dispatcher.send_once()
    expected = 1 if error.transient else 0
    assert len(sender.sent) == expected


async def test_transient_failures_give_up_after_max_attempts(store: SqlStore, clock: FakeClock) -> None:
    sender = FakeSender()
    sender.errors = [ChannelError("down", code="http_503", transient=True) for _ in range(3)]
    ingest, worker, dispatcher = build(store, clock, Echo(), sender, send_attempts=2)
    await ingest.ingest([inbound(clock, "wamid.1")], kind=ChannelKind.WHATSAPP_CLOUD)
    await worker.run_once()
    for _ in range(3):
        await dispatcher.send_once()
        clock.advance(seconds=10)
    assert await scalar(store, "select status from outbox") == "failed"
    assert await scalar(store, "select error_code from messages where direction = 'out'") == "http_503"


def test_backoff_grows_and_is_capped() -> None:
    backoff = Backoff(base=2.0, cap=10.0)
    for attempt, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (4, 10.0), (9, 10.0)]:
        delays = [backoff.delay(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)


async def test_stale_job_lease_is_reclaimed(store: SqlStore, clock: FakeClock) -> None:
    ingest, _, _ = build(store, clock, Echo())
    await ingest.ingest([inbound(clock, "wamid.1")], kind=ChannelKind.WHATSAPP_CLOUD)
    job = await store.claim_job(worker="dead-worker", now=clock.now(), lease_seconds=10)
    assert job is not None
    assert await store.claim_job(worker="w2", now=clock.now(), lease_seconds=10) is None
    clock.advance(seconds=11)
    again = await store.claim_job(worker="w2", now=clock.now(), lease_seconds=10)
    assert again is not None and again.id == job.id and again.attempts == 2


async def test_window_follows_the_latest_inbound_message(store: SqlStore, clock: FakeClock) -> None:
    ingest, _, _ = build(store, clock, Echo())
    await ingest.ingest([inbound(clock, "wamid.new")], kind=ChannelKind.WHATSAPP_CLOUD)
    older = inbound(clock, "wamid.old").model_copy(update={"timestamp": clock.now() - timedelta(hours=30)})
    await ingest.ingest(
        [older], kind=ChannelKind.WHATSAPP_CLOUD
    )  # a late, out-of-order delivery must not close the window
    last = await scalar(store, "select last_inbound_at from conversations")
    assert str(last).startswith(clock.now().strftime("%Y-%m-%d %H:%M"))
