"""What a responder receives for one turn, and what it gives back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from frontdesk.domain.models import Contact, Conversation, Message, Tenant
from frontdesk.domain.outbound import OutboundMessage


@dataclass(frozen=True, kw_only=True)
class Turn:
    """Everything a responder sees: who writes, in which conversation, the message and recent history."""

    tenant: Tenant
    contact: Contact
    conversation: Conversation
    message: Message
    history: Sequence[Message]


@dataclass(frozen=True, kw_only=True)
class Answer:
    """A responder's reply: the messages to send, the agent that wrote them and the tools it ran."""

    messages: Sequence[OutboundMessage]
    agent: str | None = None
    tools: Sequence[dict[str, Any]] = field(default_factory=tuple)
