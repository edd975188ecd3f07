"""The agent team as a responder: the supervisor routes, agents answer in parallel, replies merge.

`TeamResponder.respond_with_state(turn, state)` takes the conversation's stored agent state (a dict,
see `state.ConversationState`) and returns the `Answer` with the new state, whether the conversation
goes to staff and the models' usage; `respond(turn)` does the same from `turn.conversation.agent_state`
(what the turn service stores).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, replace
from typing import Any

from frontdesk.domain import traces
from frontdesk.domain.team import SUPERVISOR, Agent, Team
from frontdesk.domain.turns import Answer, Turn
from frontdesk.services.agents.brains.chain import run_chain
from frontdesk.services.agents.brains.contract import AgentReply, AgentRequest, Brain, BrainUnavailableError
from frontdesk.services.agents.brains.local import LocalBrain
from frontdesk.services.agents.brains.pending import reply_id
from frontdesk.services.agents.brains.replies import render, texts
from frontdesk.services.agents.brains.slot_fill import history_context
from frontdesk.services.agents.team.merge import merge_messages
from frontdesk.services.agents.team.state import ConversationState
from frontdesk.services.agents.team.supervisor import Part, Route, Supervisor
from frontdesk.services.agents.tools import ToolContext

HANDOFF_AGENT = "handoff"
ToolContextFactory = Callable[[Turn], ToolContext | Awaitable[ToolContext]]


class TeamResponder:
    """Answers a turn with the team: supervisor routing, agent brains (fallback chains), merging."""

    def __init__(
        self,
        team: Team,
        *,
        supervisor: Supervisor,
        local: LocalBrain,
        brains_for: Callable[[Agent], Sequence[Brain]],
        tool_context: ToolContextFactory,
        brain_timeout: float = 20.0,
    ):
        self.team = team
        self.supervisor = supervisor
        self.local = local
        self.brains_for = brains_for
        """An agent's chain before `local`: its model brains, in order (the chain's `local` link and
        anything after it are dropped when the chain is built)."""
        self.tool_context = tool_context
        self.brain_timeout = brain_timeout

    async def respond(self, turn: Turn) -> Answer:
        """The turn's answer, continuing from the conversation's stored state, with the state to store."""
        return await self.respond_with_state(turn, turn.conversation.agent_state)

    async def respond_with_state(self, turn: Turn, stored: dict[str, Any] | None) -> Answer:
        """The turn's answer from the `stored` agent state, with the next state to store."""
        state = ConversationState.from_dict(stored)
        ctx = await self._context(turn)
        text = (turn.message.text or "").strip()
        with traces.span("supervisor", attributes={traces.AGENT: SUPERVISOR}) as span:
            route = self.supervisor.route(text, state, tapped=reply_id(turn), now=ctx.now())
            span.set_attributes(
                {
                    "frontdesk.route.agents": [part.agent for part in route.parts],
                    "frontdesk.route.understood": route.understood,
                    "frontdesk.route.handoff": route.handoff,
                }
            )
        if not route.understood:
            return await self._not_understood(turn, ctx, state)
        known = _Once(lambda: self._known(turn, ctx, state))
        replies = await asyncio.gather(*(self._answer(p, turn, ctx, state, known) for p in route.parts))
        return self._outcome(route, list(zip(route.parts, replies, strict=True)), state)

    async def _context(self, turn: Turn) -> ToolContext:
        made = self.tool_context(turn)
        return await made if inspect.isawaitable(made) else made

    async def _known(self, turn: Turn, ctx: ToolContext, state: ConversationState) -> dict[str, Any]:
        """What slots may take from the conversation: history, remembered values, the contact's city."""
        known = {**history_context(turn.history), **state.context}
        if "city" not in known:
            profile = await ctx.data.profile(ctx.tenant.id, ctx.contact.id)
            if profile is not None and profile.city:
                known["city"] = profile.city
        return known

    async def _answer(
        self, part: Part, turn: Turn, ctx: ToolContext, state: ConversationState, known: _Once
    ) -> AgentReply:
        """One agent's reply to its part, in a span of its own (its model and tool calls inside)."""
        with traces.span(f"agent {part.agent}", attributes={traces.AGENT: part.agent}) as span:
            reply = await self._agent_reply(part, turn, ctx, state, known)
            outcome = "handoff" if reply.handoff else "understood" if reply.understood else "not_understood"
            span.set_attributes({traces.OUTCOME: outcome, "frontdesk.agent.skill": part.skill or ""})
            return reply

    async def _agent_reply(
        self, part: Part, turn: Turn, ctx: ToolContext, state: ConversationState, known: _Once
    ) -> AgentReply:
        agent = self.supervisor.agent if part.agent == SUPERVISOR else self.team.agent(part.agent)
        assert agent is not None  # the classifier only knows the team's agents
        request = AgentRequest(
            agent=agent,
            text=part.text,
            turn=turn,
            tools=ctx,
            skill=part.skill,
            state=state.agent_state(agent.name) if part.pending else {},
        )
        remote = [] if part.local_only or agent.name == SUPERVISOR else self.brains_for(agent)
        if remote:
            with contextlib.suppress(BrainUnavailableError):  # each failure is logged by the chain
                return await run_chain(remote, request, per_brain_seconds=self.brain_timeout)
        # Only the offline brain fills slots from the conversation: look that up when it answers.
        request = replace(request, context=await known.value())
        return await run_chain([self.local], request, per_brain_seconds=self.brain_timeout)

    async def _not_understood(self, turn: Turn, ctx: ToolContext, state: ConversationState) -> Answer:
        state.misunderstood += 1
        if state.misunderstood >= self.team.supervisor.handoff.max_misunderstandings:
            route = self.supervisor.handoff(turn.message.text or "")
            reply = await self._answer(route.parts[0], turn, ctx, state, _Once(_nothing_known))
            return self._outcome(route, [(route.parts[0], reply)], state)
        body = render(self.team.supervisor.not_understood, {})
        return Answer(messages=texts(body), agent=SUPERVISOR, state=state.to_dict())

    def _outcome(
        self, route: Route, answered: list[tuple[Part, AgentReply]], state: ConversationState
    ) -> Answer:
        handoff = route.handoff or any(reply.handoff for _, reply in answered)
        if not any(part.pending for part, _ in answered):
            state.agents = {}  # a new topic: earlier unanswered questions are dropped
        previous = state.agent
        for part, reply in answered:
            state.set_agent_state(part.agent, reply.state)
            state.remember(reply.context)
        understood = any(reply.understood for _, reply in answered)
        state.misunderstood = 0 if understood else state.misunderstood + 1
        names = list(dict.fromkeys(part.agent for part, _ in answered))
        state.agent = next((n for n in names if state.agents.get(n)), names[-1] if names else state.agent)
        if state.agent == SUPERVISOR:
            state.agent = previous
        state.skill = _skill_of(route, answered, state.skill)
        label = HANDOFF_AGENT if route.handoff else "+".join(names)
        messages = merge_messages([reply.messages for _, reply in answered])
        tools = [asdict(call) for _, reply in answered for call in reply.tools]
        usage = tuple(reply.usage for _, reply in answered if reply.usage is not None)
        return Answer(
            messages=messages, agent=label, tools=tools, state=state.to_dict(), handoff=handoff, usage=usage
        )


class _Once:
    """A turn's lookup shared by its parts: made when first awaited, then reused."""

    def __init__(self, make: Callable[[], Awaitable[dict[str, Any]]]):
        self._make = make
        self._value: dict[str, Any] | None = None
        self._lock = asyncio.Lock()

    async def value(self) -> dict[str, Any]:
        async with self._lock:
            if self._value is None:
                self._value = await self._make()
            return self._value


async def _nothing_known() -> dict[str, Any]:
    return {}


def _skill_of(route: Route, answered: list[tuple[Part, AgentReply]], previous: str | None) -> str | None:
    """The skill a follow-up would continue: this turn's, when one agent answered with a known skill."""
    if route.handoff or len(answered) != 1:
        return None if len(answered) > 1 else previous
    part, reply = answered[0]
    if part.agent == SUPERVISOR:
        return previous
    chosen = part.skill or (reply.state or {}).get("skill")
    return str(chosen) if chosen else previous
