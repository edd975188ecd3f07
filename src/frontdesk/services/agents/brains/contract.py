"""The contract between the supervisor and the brains that answer for an agent.

A *brain* answers one agent's part of a turn: `local` (offline, deterministic: NLU + dialogue state +
tool call + templated reply) or an LLM (pydantic-ai, with tool calling). Each agent has a chain of
brains from its team file (`models`); the chain falls through on failure and always ends in `local`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from frontdesk.domain.errors import FrontdeskError
from frontdesk.domain.outbound import OutboundMessage
from frontdesk.domain.team import Agent
from frontdesk.domain.turns import Turn, Usage
from frontdesk.services.agents.tools.base import ToolContext


@dataclass(frozen=True, kw_only=True)
class ToolCall:
    """A tool the brain ran, for the inbox ("which tools ran", with arguments and results)."""

    name: str
    args: dict[str, Any]
    ok: bool
    summary: str
    confirmed: bool = False


@dataclass(frozen=True, kw_only=True)
class AgentRequest:
    """One agent's share of a turn.

    `text` is the part of the customer's message routed to this agent (the whole message unless the
    supervisor split a multi-intent message); `state` is this agent's dialogue state from earlier turns
    (empty on a fresh conversation); `tools` is scoped to this tenant and contact.
    """

    agent: Agent
    text: str
    turn: Turn
    tools: ToolContext
    state: dict[str, Any] = field(default_factory=dict)
    skill: str | None = None
    """The skill the supervisor's classifier chose for `text`, a hint a brain may ignore."""
    context: dict[str, Any] = field(default_factory=dict)
    """Values the conversation has seen most recently (order_ref, product, appointment_ref, service,
    city), for slots that may come from the conversation."""
    opening_hours: str = ""
    """The business's opening hours as a reply writes them (`Tue-Fri 9:00-19:00, Sat 9:00-16:00`), for
    the `{opening_hours}` of templates; the local brain reads them from the business's rules."""


@dataclass(frozen=True, kw_only=True)
class AgentReply:
    """A brain's answer. `state=None` clears the agent's dialogue state; `understood=False` counts
    towards the supervisor's handoff-after-misunderstandings rule."""

    messages: Sequence[OutboundMessage]
    brain: str
    tools: Sequence[ToolCall] = ()
    state: dict[str, Any] | None = None
    understood: bool = True
    handoff: bool = False
    usage: Usage | None = None
    context: dict[str, Any] = field(default_factory=dict)
    """Values worth remembering for later turns (the references and names this reply was about)."""


class Brain(Protocol):
    """Answers for one agent. Raises `BrainUnavailableError` when it cannot (the chain then falls through)."""

    name: str

    async def reply(self, request: AgentRequest) -> AgentReply: ...


class BrainUnavailableError(FrontdeskError):
    """A provider failed, timed out or is not configured: try the next brain in the chain."""
