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
    team_version: int | None = None
    """The team version pinned on the number the customer wrote to; None: the tenant's current team."""


@dataclass(frozen=True, kw_only=True)
class Usage:
    """What one model call cost; a turn that used no model has none."""

    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Answer:
    """A responder's reply: the messages to send, the agent that wrote them and the tools it ran.

    `state` is what the responder wants remembered for the conversation's next turn (stored on the
    conversation, given back as `turn.conversation.agent_state`); `handoff` hands the conversation to
    staff; `usage` lists the model calls the answer took.
    """

    messages: Sequence[OutboundMessage]
    agent: str | None = None
    tools: Sequence[dict[str, Any]] = field(default_factory=tuple)
    state: dict[str, Any] | None = None
    handoff: bool = False
    usage: Sequence[Usage] = ()
