"""Ingest: store what a channel delivered, exactly once, and queue a turn for each new message."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from frontdesk.domain.events import ChannelEvent, InboundMessage, StatusUpdate, UnknownChange
from frontdesk.domain.models import Channel
from frontdesk.domain.ops import REQUEST_ID
from frontdesk.domain.ports import Clock, Store, TurnJob, Tx

log = logging.getLogger(__name__)

TURN = "turn"
# Messages that ask nothing of the business: stored and shown to staff, but no turn is run.
SILENT_TYPES = frozenset({"reaction", "system"})


@dataclass
class IngestResult:
    """What one webhook delivery changed."""

    stored: int = 0
    duplicates: int = 0
    statuses: int = 0
    unknown_channel: int = 0
    ignored: int = 0


class IngestService:
    """Stores normalized channel events in one transaction and enqueues the turns they call for."""

    def __init__(
        self, *, store: Store, clock: Clock, max_attempts: int, on_enqueued: Callable[[], None] | None = None
    ):
        self._store = store
        self._clock = clock
        self._max_attempts = max_attempts
        self._on_enqueued = on_enqueued

    async def ingest(self, events: Sequence[ChannelEvent]) -> IngestResult:
        """Store `events` (one webhook delivery) atomically; a redelivered message is a no-op."""
        result = IngestResult()
        async with self._store.transaction() as tx:
            channels: dict[str, Channel | None] = {}
            for event in events:
                await self._one(tx, event, channels, result)
        if result.stored and self._on_enqueued:
            self._on_enqueued()
        return result

    async def _one(
        self, tx: Tx, event: ChannelEvent, channels: dict[str, Channel | None], result: IngestResult
    ) -> None:
        if isinstance(event, UnknownChange):
            log.info("webhook change ignored", extra={"field": event.field, "channel_key": event.channel_key})
            result.ignored += 1
            return
        if event.channel_key not in channels:
            channels[event.channel_key] = await tx.channel_by_key(event.channel_key)
        channel = channels[event.channel_key]
        if channel is None or not channel.enabled:
            log.warning("webhook for an unknown or disabled number", extra={"channel_key": event.channel_key})
            result.unknown_channel += 1
            return
        if isinstance(event, StatusUpdate):
            await tx.record_status(event, now=self._clock.now())
            result.statuses += 1
        elif await self._store_message(tx, channel, event):
            result.stored += 1
        else:
            result.duplicates += 1

    async def _store_message(self, tx: Tx, channel: Channel, event: InboundMessage) -> bool:
        turn = None
        if event.type not in SILENT_TYPES:
            # The turn's log lines carry the webhook's request id.
            extra = {"request_id": REQUEST_ID.get()}
            turn = TurnJob(kind=TURN, max_attempts=self._max_attempts, extra=extra)
        message = await tx.store_inbound(channel=channel, event=event, now=self._clock.now(), turn=turn)
        return message is not None
