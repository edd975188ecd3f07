"""Ingest: store what a channel delivered, exactly once, and queue a turn for each new message."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from frontdesk.domain.events import ChannelEvent, InboundMessage, StatusUpdate, UnknownChange
from frontdesk.domain.models import Channel
from frontdesk.domain.ports import Clock, Store, Tx

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


def turn_key(conversation_id: int) -> str:
    """Jobs with the same key run one at a time: a conversation's turns never overlap or reorder."""
    return f"conversation:{conversation_id}"


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
        now = self._clock.now()
        contact = await tx.upsert_contact(
            tenant_id=channel.tenant_id, wa_id=event.sender, name=event.sender_name
        )
        conversation = await tx.open_conversation(
            tenant_id=channel.tenant_id, channel_id=channel.id, contact_id=contact.id, now=now
        )
        message = await tx.insert_inbound(conversation=conversation, event=event, now=now)
        if message is None:
            return False
        await tx.note_inbound(conversation.id, at=min(event.timestamp, now))
        if event.type in SILENT_TYPES:
            return True
        await tx.enqueue(
            kind=TURN,
            key=turn_key(conversation.id),
            payload={"message_id": message.id, "conversation_id": conversation.id},
            run_at=now,
            max_attempts=self._max_attempts,
        )
        return True
