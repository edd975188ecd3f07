"""The team responder: parallel fan-out and merging, the fallback chain."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from frontdesk.domain.outbound import Text
from frontdesk.domain.team import Agent
from frontdesk.services.agents.brains.contract import AgentReply, AgentRequest, Brain, BrainUnavailableError
from tests.support.agents import AMELIA, Agents
from tests.support.team import chat_with, reply_text
from tests.unit.team_fixtures import clock, needs_minilm  # noqa: F401

pytest_plugins = ["tests.unit.agents_fixtures"]
pytestmark = needs_minilm


class MeetingBrain:
    """Answers only once `parties` brains are inside `reply` at the same time: it proves concurrency
    without timing (run one after the other, the first would wait for the second forever)."""

    name = "meeting"

    def __init__(self, barrier: asyncio.Barrier):
        self.barrier = barrier

    async def reply(self, request: AgentRequest) -> AgentReply:
        async with asyncio.timeout(5):
            await self.barrier.wait()
        return AgentReply(messages=[Text(body=f"{request.agent.name} here")], brain=self.name)


class BrokenBrain:
    name = "broken"

    async def reply(self, request: AgentRequest) -> AgentReply:
        raise BrainUnavailableError("provider down")


async def test_two_agents_answer_in_parallel_and_merge(agents: Agents) -> None:
    barrier = asyncio.Barrier(2)

    def chain(agent: Agent) -> Sequence[Brain]:
        return [MeetingBrain(barrier)]

    chat = await chat_with(agents, AMELIA, brains_for=chain)
    out = await chat.say("where is my order LH-100245, and is the GU10 in stock?")
    assert set(out.agent.split("+")) == {"orders", "products"}
    assert len(out.messages) == 1
    assert "orders here" in reply_text(out.messages) and "products here" in reply_text(out.messages)


async def test_local_fan_out_runs_both_tools(agents: Agents) -> None:
    out = await (await chat_with(agents, AMELIA)).say(
        "where is my order LH-100245, and is the GU10 in stock?"
    )
    assert {t["name"] for t in out.tools} >= {"order_status", "check_stock"}


async def test_a_failing_brain_falls_through_to_local(agents: Agents) -> None:
    chat = await chat_with(agents, AMELIA, brains_for=lambda agent: [BrokenBrain()])
    out = await chat.say("status of LH-100245")
    assert [t["name"] for t in out.tools] == ["order_status"]
    assert "DPD" in reply_text(out.messages)
