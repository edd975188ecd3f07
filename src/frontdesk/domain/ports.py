"""Ports: what services need from the outside world, as small Protocols.

Adapters implement them (SQLAlchemy, the Graph API, ...); tests give fakes. A service receives ports
through its constructor from the composition root (`frontdesk.wiring`).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from frontdesk.domain.events import InboundMessage, StatusUpdate
from frontdesk.domain.models import (
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    Job,
    Message,
    OutboxItem,
    Tenant,
)
from frontdesk.domain.outbound import OutboundMessage
from frontdesk.domain.turns import Answer, Turn, Usage


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class ChannelSender(Protocol):
    """Sends on a messaging channel. Raises `ChannelError` (with `transient`) when it cannot."""

    async def send(self, *, channel: Channel, to: str, message: OutboundMessage) -> str:
        """Send one message and return the channel's id for it (wamid)."""
        ...


class Responder(Protocol):
    """Decides what the business answers to one inbound message. The agent team implements it."""

    async def respond(self, turn: Turn) -> Answer: ...


TURN_KEY_PREFIX = "conversation:"


def turn_key(conversation_id: int) -> str:
    """Jobs with the same key run one at a time: a conversation's turns never overlap or reorder."""
    return f"{TURN_KEY_PREFIX}{conversation_id}"


@dataclass(frozen=True, kw_only=True)
class QueuedJob:
    """A job `Tx.store_inbound` enqueues with a new message it stores (its turn, or the fetch of its
    file): key `turn_key(conversation_id)`, payload `{"message_id": ..., "conversation_id": ..., **extra}`."""

    kind: str
    max_attempts: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Inbound:
    """A customer's message for `Tx.store_inbound`: the number it came to, the job running its turn
    (`turn_job`, None: no turn) and the job fetching its file (`media_job`, None: it has none), enqueued
    just before the turn under the same key, so the turn runs once the file is stored (or given up on)."""

    channel: Channel
    event: InboundMessage
    turn_job: QueuedJob | None
    media_job: QueuedJob | None = None


class Tx(Protocol):
    """One database transaction. Everything done through it commits together or not at all."""

    # -- tenants, channels, contacts, conversations
    async def channel_by_key(self, phone_number_id: str) -> Channel | None:
        """The number, or None; not `enabled` if it or its business is disabled."""
        ...

    async def channel_by_id(self, channel_id: int) -> Channel:
        """The number a conversation belongs to (`NotFoundError` when there is none)."""
        ...

    async def tenant(self, tenant_id: int) -> Tenant: ...
    async def tenant_by_slug(self, slug: str) -> Tenant | None: ...
    async def contact(self, contact_id: int) -> Contact: ...
    async def conversation(self, conversation_id: int) -> Conversation: ...
    async def save_agent_state(
        self, conversation_id: int, *, state: dict[str, Any] | None, agent: str | None, now: datetime
    ) -> None:
        """Remember the team's state for the next turn and the agent that answered last."""
        ...

    async def set_status(self, conversation_id: int, status: ConversationStatus, *, now: datetime) -> None:
        """Move the conversation to `status` (bot, human or closed)."""
        ...

    async def add_event(self, *, tenant_id: int, type: str, payload: dict[str, Any], now: datetime) -> int:
        """Record a live event for staff in this transaction; its id (ids only grow)."""
        ...

    # -- messages
    async def store_inbound(self, items: Sequence[Inbound], *, now: datetime) -> list[Message | None]:
        """Store inbound messages, in order, and everything each one changes, in as few round trips as
        the database allows: its contact (created, or its WhatsApp name learnt) and conversation
        (created, or reopened if closed), the conversation's 24-hour window (opened at the message's
        time, capped at `now`, never moved back) and unread count, a `message.created` live event and,
        when the item has them, its media job and then its turn job. One result per item: the stored
        message, or None when its channel message id is already stored (a redelivery changes nothing)."""
        ...

    async def message(self, message_id: int) -> Message: ...
    async def recent_messages(self, conversation_id: int, *, before_id: int, limit: int) -> list[Message]: ...
    async def add_outbound(
        self,
        *,
        conversation: Conversation,
        message: OutboundMessage,
        to: str,
        agent: str | None,
        tools: Sequence[dict[str, Any]],
        latency_ms: int | None,
        now: datetime,
        usage: Sequence[Usage] = (),
    ) -> Message:
        """Store an outbound message as pending and put it in the outbox, in this transaction.

        `usage` (the model calls that produced it) is stored as its tokens and cost."""
        ...

    async def record_status(self, event: StatusUpdate, *, now: datetime) -> None:
        """Remember a status callback and move its message forward (never backward)."""
        ...

    async def reply_traceparent(self, channel_message_id: str) -> str | None:
        """The trace context stored with the reply the channel calls `channel_message_id` (its outbox
        row's, `domain.traces.OUTBOX_TRACEPARENT`), so its status links to its trace; None without."""
        ...

    # -- outbox: each outcome is written only if the row is still `sending` under `item.claim`, and
    # says whether it was (False: the attempt lost its row to a later claim, and nothing changed).
    async def outbox_sent(self, item: OutboxItem, *, channel_message_id: str, now: datetime) -> bool: ...
    async def outbox_retry(self, item: OutboxItem, *, error: str, run_at: datetime) -> bool: ...
    async def outbox_failed(
        self, item: OutboxItem, *, code: str | None, error: str, now: datetime
    ) -> bool: ...
    async def outbox_uncertain(self, item: OutboxItem, *, reason: str, now: datetime) -> bool:
        """Hold the reply for staff (`uncertain`): it may have been delivered; nothing sends it again."""
        ...


class Store(Protocol):
    """The database: units of work."""

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        """A transaction: commits when the block ends, rolls back if it raises."""
        ...


class JobQueue(Protocol):
    """Durable jobs. Jobs that share a key run one at a time, in the order they were enqueued.

    Jobs are enqueued inside a `Tx` (`Tx.store_inbound` adds a message's turn), so that a job exists if
    and only if the data it works on was committed.
    """

    async def claim_job(self, *, worker: str, now: datetime, lease_seconds: float) -> Job | None:
        """Take the next runnable job, or None. A claim is a lease: it expires unless extended."""
        ...

    async def extend_job(self, job_id: int, *, worker: str, until: datetime) -> None: ...

    async def finish_job(self, tx: Tx, job_id: int, *, worker: str, now: datetime) -> None:
        """Mark a job done inside `tx`, so that its effects and its completion commit together.

        Raises `ConflictError` when the lease was lost (another worker took the job): `tx` must roll back.
        """
        ...

    async def fail_job(
        self, job_id: int, *, worker: str, error: str, retry_at: datetime | None, now: datetime
    ) -> None:
        """Record a failure: back to the queue at `retry_at`, or dead-lettered when it is None."""
        ...


class Outbox(Protocol):
    async def claim_outbox(self, *, now: datetime, lease_seconds: float) -> OutboxItem | None:
        """Take the next reply due for sending (replies of one conversation leave in order), marking it
        `sending` with the attempt's time in its own commit, before the channel is called."""
        ...

    def outcome(self) -> AbstractAsyncContextManager[Tx]:
        """A transaction for a send's outcome: a few rows, written ahead of the writes already waiting
        for the database, since until it commits a crash would leave the send's result unknown."""
        ...
