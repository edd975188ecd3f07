"""Ingest: store what a channel delivered, exactly once, and queue a turn for each new message.

Deliveries are group-committed: those that arrive while a transaction is being written are stored
together in the next one. A webhook's answer still waits for the commit that holds its delivery (what
was acknowledged is stored), but under load one transaction, one lock and one commit serve many
webhooks instead of one each. A batch that fails is retried one delivery per transaction, so a bad
delivery fails alone and a good one is never lost with it.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from opentelemetry import context as otel_context
from opentelemetry.trace import Link

from frontdesk.domain import traces
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.domain.events import ChannelEvent, StatusUpdate, UnknownChange
from frontdesk.domain.models import Channel
from frontdesk.domain.ops import REQUEST_ID
from frontdesk.domain.ports import Clock, Inbound, QueuedJob, Store, Tx

log = logging.getLogger(__name__)

TURN = "turn"
MEDIA = "media"
"""The job fetching a received message's file into the file store (`services/media.py`), queued just
before the message's turn under the same key."""
# Messages that ask nothing of the business: stored and shown to staff, but no turn is run.
SILENT_TYPES = frozenset({"reaction", "system"})
MAX_BATCH = 256
"""Deliveries stored in one transaction at most (a bound on how long one commit holds the write lock)."""


@dataclass
class IngestResult:
    """What one webhook delivery changed."""

    stored: int = 0
    duplicates: int = 0
    statuses: int = 0
    unknown_channel: int = 0
    ignored: int = 0


@dataclass
class _Delivery:
    events: Sequence[ChannelEvent]
    kind: ChannelKind
    request_id: str | None
    trace: otel_context.Context
    """The context of the delivery's `ingest` span: the writer task stores it under that span."""
    done: asyncio.Future[IngestResult]
    result: IngestResult = field(default_factory=IngestResult)


class IngestService:
    """Stores normalized channel events atomically per delivery and enqueues the turns they call for."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        max_attempts: int,
        on_enqueued: Callable[[], None] | None = None,
        on_live: Callable[[], None] | None = None,
    ):
        self._on_live = on_live
        self._store = store
        self._clock = clock
        self._max_attempts = max_attempts
        self._on_enqueued = on_enqueued
        self._waiting: list[_Delivery] = []
        self._writer: asyncio.Task[None] | None = None

    async def ingest(self, events: Sequence[ChannelEvent], *, kind: ChannelKind) -> IngestResult:
        """Store `events` (one webhook delivery) atomically; a redelivered message is a no-op.

        `kind` is the door the delivery came in by: its events reach only numbers of that kind (a Cloud
        API webhook naming an AWS number's id, or a bridge event naming a Cloud number, is refused like
        an unknown number). Required, with no default: a new door that forgot it must not have its
        events silently reach Cloud API numbers. Returns once the transaction holding the delivery has
        committed.
        """
        with traces.span("ingest", attributes={traces.CHANNEL_KIND: kind.value}) as span:
            loop = asyncio.get_running_loop()
            delivery = _Delivery(
                events, kind, REQUEST_ID.get(), otel_context.get_current(), loop.create_future()
            )
            self._waiting.append(delivery)
            if self._writer is None or self._writer.done():
                # Its own context: the writer outlives this delivery and stores others under theirs.
                self._writer = asyncio.create_task(
                    self._write_waiting(), name="ingest-writer", context=contextvars.Context()
                )
            result = await delivery.done
            span.set_attributes(
                {"frontdesk.ingest.stored": result.stored, "frontdesk.ingest.statuses": result.statuses}
            )
            return result

    async def _write_waiting(self) -> None:
        """Store what is waiting, batch by batch, until nothing is."""
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                await self._write_batch(batch)
            except BaseException:
                for delivery in batch:  # cancelled (shutdown): nobody may wait forever
                    delivery.done.cancel()
                raise

    async def _write_batch(self, batch: list[_Delivery]) -> None:
        try:
            await self._store_together(batch)
        except Exception as error:
            if len(batch) == 1:
                _settle(batch[0], error)
                return
            log.warning("ingest batch failed, storing its deliveries one by one", extra={"size": len(batch)})
            for delivery in batch:
                delivery.result = IngestResult()
                try:
                    await self._store_together([delivery])
                except Exception as alone:
                    _settle(delivery, alone)
                else:
                    self._finish([delivery])
            return
        self._finish(batch)

    async def _store_together(self, batch: list[_Delivery]) -> None:
        async with self._store.transaction() as tx:
            channels: dict[str, Channel | None] = {}
            inbound: list[tuple[_Delivery, Inbound]] = []
            for delivery in batch:
                # Log lines and the turn jobs carry the request id of the webhook that brought the event.
                token = REQUEST_ID.set(delivery.request_id)
                attached = otel_context.attach(delivery.trace)  # and spans and turn jobs its trace
                try:
                    for event in delivery.events:
                        if item := await self._one(tx, event, channels, delivery):
                            inbound.append((delivery, item))
                finally:
                    otel_context.detach(attached)
                    REQUEST_ID.reset(token)
            stored = await tx.store_inbound([item for _, item in inbound], now=self._clock.now())
            for (delivery, _), message in zip(inbound, stored, strict=True):
                if message is None:
                    delivery.result.duplicates += 1
                else:
                    delivery.result.stored += 1

    def _finish(self, batch: list[_Delivery]) -> None:
        for delivery in batch:
            _settle(delivery, delivery.result)
        if self._on_enqueued and any(delivery.result.stored for delivery in batch):
            self._on_enqueued()  # wakes the workers, and the live feeds (a message carries its event)
        elif self._on_live and any(delivery.result.statuses for delivery in batch):
            self._on_live()  # statuses only: their live events are committed

    async def _status(self, tx: Tx, event: StatusUpdate, channel: Channel) -> None:
        """Record a delivery status, in a span linked to the trace of the reply it is about."""
        attributes = {
            traces.TENANT: channel.tenant_id,
            traces.CHANNEL: channel.id,
            traces.CHANNEL_KIND: channel.kind.value,
            traces.OUTCOME: event.status.value,
        }
        with traces.span("status", links=await _status_links(tx, event), attributes=attributes):
            await tx.record_status(event, now=self._clock.now())

    async def _one(
        self, tx: Tx, event: ChannelEvent, channels: dict[str, Channel | None], delivery: _Delivery
    ) -> Inbound | None:
        """Handle a status or an unknown change now; return a message, to be stored with its batch."""
        result = delivery.result
        if isinstance(event, UnknownChange):
            log.info("webhook change ignored", extra={"field": event.field, "channel_key": event.channel_key})
            result.ignored += 1
            return None
        if event.channel_key not in channels:
            channels[event.channel_key] = await tx.channel_by_key(event.channel_key)
        channel = channels[event.channel_key]
        if channel is None or not channel.enabled or channel.kind is not delivery.kind:
            log.warning("webhook for an unknown or disabled number", extra={"channel_key": event.channel_key})
            result.unknown_channel += 1
            return None
        if isinstance(event, StatusUpdate):
            await self._status(tx, event, channel)
            result.statuses += 1
            return None
        turn_job = media_job = None
        extra = {"request_id": REQUEST_ID.get()}
        if traceparent := traces.current_traceparent():  # the turn's span continues this trace
            extra[traces.TRACEPARENT] = traceparent
        # A group's chatter is kept for staff; the bot joins in only where the number allows it.
        if event.type not in SILENT_TYPES and (not event.group or channel.groups):
            turn_job = QueuedJob(kind=TURN, max_attempts=self._max_attempts, extra=extra)
        if event.media is not None and (event.media.id or event.media.link):
            media_job = QueuedJob(kind=MEDIA, max_attempts=self._max_attempts, extra=extra)
        return Inbound(channel=channel, event=event, turn_job=turn_job, media_job=media_job)


async def _status_links(tx: Tx, event: StatusUpdate) -> list[Link]:
    """A link to the trace of the reply a status is about (looked up only when traces are recorded)."""
    if not traces.recording():
        return []
    return traces.links_to(await tx.reply_traceparent(event.message_id))


def _settle(delivery: _Delivery, outcome: IngestResult | Exception) -> None:
    """Answer the webhook waiting for `delivery` (unless it stopped waiting: the client went away)."""
    if delivery.done.done():
        return
    if isinstance(outcome, Exception):
        delivery.done.set_exception(outcome)
    else:
        delivery.done.set_result(outcome)
