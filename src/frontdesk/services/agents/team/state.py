"""Conversation-level dialogue state of the agent team, stored as JSON in `conversations.agent_state`.

`ConversationState` holds the current agent, the misunderstandings in a row, each agent's own
dialogue state (what `AgentRequest.state` carries) and the values the conversation has seen most
recently (`context`: order_ref, product, appointment_ref, service, city, start), which slot filling
uses for `from_context` slots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CONTEXT_KEYS = ("order_ref", "product", "products", "appointment_ref", "service", "city", "start")
"""Slot names whose last value the conversation remembers."""


@dataclass(kw_only=True)
class ConversationState:
    """What the team remembers between turns of one conversation."""

    agent: str | None = None
    skill: str | None = None
    """The current agent's skill of the last turn, which a bare follow-up ("and the mini?") continues."""
    misunderstood: int = 0
    agents: dict[str, dict[str, Any]] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ConversationState:
        """Read a stored state; anything malformed is dropped rather than trusted."""
        data = data or {}
        agents = data.get("agents")
        context = data.get("context")
        agent = data.get("agent")
        misunderstood = data.get("misunderstood")
        skill = data.get("skill")
        return cls(
            agent=agent if isinstance(agent, str) else None,
            skill=skill if isinstance(skill, str) else None,
            misunderstood=misunderstood if isinstance(misunderstood, int) else 0,
            agents={k: v for k, v in agents.items() if isinstance(v, dict)}
            if isinstance(agents, dict)
            else {},
            context=dict(context) if isinstance(context, dict) else {},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "agent": self.agent,
            "skill": self.skill,
            "misunderstood": self.misunderstood,
            "agents": {k: v for k, v in self.agents.items() if v},
            "context": self.context,
        }

    def agent_state(self, agent: str) -> dict[str, Any]:
        """The agent's own dialogue state (empty when it has none)."""
        return dict(self.agents.get(agent) or {})

    def set_agent_state(self, agent: str, state: dict[str, Any] | None) -> None:
        if state:
            self.agents[agent] = state
        else:
            self.agents.pop(agent, None)

    def remember(self, values: dict[str, Any]) -> None:
        """Keep the most recent value of each context slot."""
        for key in CONTEXT_KEYS:
            if values.get(key) not in (None, "", []):
                self.context[key] = values[key]

    def pending_agent(self) -> str | None:
        """The agent waiting for an answer from the customer, the current one first."""
        names = [self.agent, *self.agents] if self.agent else list(self.agents)
        return next((n for n in names if n and (self.agents.get(n) or {}).get("pending")), None)
