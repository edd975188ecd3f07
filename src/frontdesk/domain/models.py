"""Records the services work with. Adapters map their storage rows to these."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from frontdesk.domain.channel_kinds import ChannelKind


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class ConversationStatus(StrEnum):
    BOT = "bot"
    HUMAN = "human"
    CLOSED = "closed"


class MessageStatus(StrEnum):
    """Lifecycle of a message. Inbound messages are `received`; outbound ones move forward only."""

    RECEIVED = "received"
    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"

    @property
    def rank(self) -> int:
        """Order used to move statuses forward only; `failed` is terminal and outranks all."""
        return _STATUS_RANK[self]


_STATUS_RANK = {
    MessageStatus.RECEIVED: 0,
    MessageStatus.PENDING: 0,
    MessageStatus.SENT: 1,
    MessageStatus.DELIVERED: 2,
    MessageStatus.READ: 3,
    MessageStatus.FAILED: 4,
}


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    """Claimed, and the channel may have been called: after a crash this row was possibly sent."""
    SENT = "sent"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    """Held for staff: an attempt may have reached the customer without Frontdesk hearing the outcome
    (the process stopped while sending, or the channel timed out), and the channel says `hold`."""


UNCERTAIN_SEND = "uncertain"
"""The error code on a reply held as `uncertain` (the message itself stays `pending`)."""


class UncertainSends(StrEnum):
    """What a channel does with a send whose outcome is unknown (a crash mid-send, a channel timeout)."""

    RESEND = "resend"
    """Send it again: delivered at least once, perhaps twice."""
    HOLD = "hold"
    """Send nothing more; hold it (`uncertain`) for staff to resend or discard: at most once."""


class Tenant(Frozen):
    id: int
    slug: str
    name: str
    timezone: str = "UTC"
    currency: str = "GBP"
    """ISO 4217 code of the business's prices (its pack's `business.yaml`)."""
    disabled: bool = False
    """Switched off by an operator: its staff cannot sign in, its numbers are ignored, no turn runs."""


class ChannelSettings(Frozen):
    """What is set on a WhatsApp number: a new channel is just these (`admin.NewChannel`).

    `phone_number_id` is the key the number's webhooks name it by: Meta's phone number id for the Cloud
    API and AWS, the zapw session id for a bridge number (the API shows it as `session_id`)."""

    kind: ChannelKind = ChannelKind.WHATSAPP_CLOUD
    phone_number_id: str
    waba_id: str | None = None
    display_phone_number: str | None = None
    name: str | None = None
    access_token: str | None = None
    enabled: bool = True
    uncertain_sends: UncertainSends = UncertainSends.RESEND
    aws_phone_number_id: str | None = None
    """AWS End User Messaging's id of the number (`phone-number-id-…`, or its ARN): aws_social only."""
    region: str | None = None
    """The AWS region the number is linked in: aws_social only."""
    groups: bool = False
    """Bridge only: group messages start turns (they are always stored)."""
    team_version: int | None = None
    """The tenant's team version that answers on this number; None: the tenant's current team."""


class Channel(ChannelSettings):
    """A WhatsApp number of a tenant. `access_token` is None when the global setting applies."""

    id: int
    tenant_id: int


class Contact(Frozen):
    id: int
    tenant_id: int
    wa_id: str
    name: str | None = None
    opted_out: bool = False


class Conversation(Frozen):
    id: int
    tenant_id: int
    channel_id: int
    contact_id: int
    status: ConversationStatus
    assigned_agent: str | None = None
    last_inbound_at: datetime | None = None
    agent_state: dict[str, Any] | None = None
    """The agent team's memory of this conversation (current agent, pending questions); opaque here."""


class Message(Frozen):
    """A stored message, inbound or outbound. `content` holds the type-specific JSON."""

    id: int
    tenant_id: int
    conversation_id: int
    direction: Direction
    type: str
    text: str | None = None
    content: dict[str, Any] = {}
    channel_message_id: str | None = None
    reply_to: str | None = None
    status: MessageStatus
    error_code: str | None = None
    error_message: str | None = None
    agent: str | None = None
    created_at: datetime


class Job(Frozen):
    """A durable unit of background work. Jobs with the same `key` run one at a time, in id order."""

    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


class OutboxItem(Frozen):
    """A reply waiting to be sent, joined with what the dispatcher needs to send it."""

    id: int
    message_id: int
    conversation_id: int
    channel: Channel
    to: str
    payload: dict[str, Any]
    attempts: int
    last_inbound_at: datetime | None
    claim: str
    """This attempt's token: its outcome is recorded only while the row is still `sending` under it (a
    send that outlived its lease and was claimed again must not overwrite the newer attempt's outcome)."""
    traceparent: str | None = None
    """The trace context of the turn that wrote this reply (`domain.traces`), for the send's span."""
    interrupted: bool = False
    """An earlier attempt was claimed and its outcome never recorded (its process stopped, its lease
    expired): the channel may already have delivered this reply."""
