"""The `llm` brain's policy over pydantic-ai's FunctionModel, through the adapter's tool-call loop."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel

from frontdesk.adapters.llm import ProviderConfig, PydanticAiModel, build_language_model
from frontdesk.domain.models import Direction, Message, MessageStatus
from frontdesk.domain.outbound import Text
from frontdesk.domain.team import Agent
from frontdesk.domain.turns import Turn
from frontdesk.services.agents.brains.chain import run_chain
from frontdesk.services.agents.brains.contract import AgentReply, AgentRequest, BrainUnavailableError
from frontdesk.services.agents.brains.llm import REQUEST_LIMIT, LlmBrain
from frontdesk.services.agents.tools import ToolContext
from tests.support.agents import AMELIA, Agents

pytest_plugins = ["tests.unit.agents_fixtures"]

ORDERS = Agent(
    name="orders",
    description="Orders.",
    instructions="Help with orders.",
    tools=("order_status", "handoff"),
    models=("openai:gpt-4o-mini", "local"),
)


def _message(ctx: ToolContext, n: int, direction: Direction, text: str) -> Message:
    status = MessageStatus.RECEIVED if direction == Direction.IN else MessageStatus.SENT
    return Message(
        id=n,
        tenant_id=ctx.tenant.id,
        conversation_id=ctx.conversation.id,
        direction=direction,
        type="text",
        text=text,
        status=status,
        created_at=ctx.now(),
    )


async def _request(agents: Agents, text: str) -> AgentRequest:
    ctx = await agents.ctx(AMELIA)
    message = _message(ctx, 9, Direction.IN, text)
    turn = Turn(
        tenant=ctx.tenant, contact=ctx.contact, conversation=ctx.conversation, message=message, history=[]
    )
    return AgentRequest(agent=ORDERS, text=text, turn=turn, tools=ctx)


def _brain(answer: Any, *, name: str = "test:function", timeout: float = 5.0) -> LlmBrain:
    return LlmBrain(name, PydanticAiModel(name, FunctionModel(answer), timeout=timeout))


async def test_the_model_is_offered_only_the_agents_tools(agents: Agents) -> None:
    seen: list[str] = []

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.extend(tool.name for tool in info.function_tools)
        return ModelResponse(parts=[TextPart("Hello")])

    reply = await _brain(answer).reply(await _request(agents, "hi"))

    assert sorted(seen) == ["handoff", "order_status"]
    assert [m.body for m in reply.messages if isinstance(m, Text)] == ["Hello"]


async def test_a_long_answer_is_split_for_whatsapp(agents: Agents) -> None:
    long = ("word " * 1500).strip()

    reply = await _brain(lambda m, i: ModelResponse(parts=[TextPart(long)])).reply(
        await _request(agents, "hi")
    )

    bodies = [m.body for m in reply.messages if isinstance(m, Text)]
    assert len(bodies) == 2 and all(len(b) <= 4096 for b in bodies)


async def test_the_handoff_tool_hands_the_conversation_to_staff(agents: Agents) -> None:
    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if len(messages) == 1:
            return ModelResponse(parts=[ToolCallPart("handoff", {"reason": "asked for a person"})])
        return ModelResponse(parts=[TextPart("Someone from the team will reply here soon.")])

    reply = await _brain(answer).reply(await _request(agents, "I want a human"))

    assert reply.handoff and [t.name for t in reply.tools] == ["handoff"]


async def test_scope_arguments_from_the_model_are_ignored(agents: Agents) -> None:
    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if len(messages) == 1:
            args = {"order_ref": "LH-100245", "contact_id": 999, "tenant_id": 42}
            return ModelResponse(parts=[ToolCallPart("order_status", args)])
        return ModelResponse(parts=[TextPart("It has shipped.")])

    reply = await _brain(answer).reply(await _request(agents, "where is LH-100245"))

    assert [t.ok for t in reply.tools] == [True]


@pytest.mark.parametrize(
    "call", [ToolCallPart("cancel_everything", {}), ToolCallPart("handoff", "{not json")]
)
async def test_a_wrong_tool_call_is_sent_back_once_for_the_model_to_repair(
    agents: Agents, call: ToolCallPart
) -> None:
    sent_back: list[ToolReturnPart] = []

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        last = messages[-1]
        if len(messages) == 1:
            return ModelResponse(parts=[call])
        assert isinstance(last, ModelRequest)
        sent_back.extend(p for p in last.parts if isinstance(p, ToolReturnPart))
        return ModelResponse(parts=[TextPart("Sorry, let me try that again.")])

    reply = await _brain(answer).reply(await _request(agents, "hi"))

    assert [p.outcome for p in sent_back] == ["retried"] and reply.tools == ()
    with pytest.raises(BrainUnavailableError, match="exceeded max retries"):
        await _brain(lambda m, i: ModelResponse(parts=[call])).reply(await _request(agents, "hi"))


async def test_an_answer_without_text_or_tool_call_is_asked_for_again_once(agents: Agents) -> None:
    requests: list[int] = []

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        requests.append(len(messages))
        return ModelResponse(parts=[] if len(requests) == 1 else [TextPart("Hello")])

    reply = await _brain(answer).reply(await _request(agents, "hi"))

    assert len(requests) == 2 and [m.body for m in reply.messages if isinstance(m, Text)] == ["Hello"]


async def test_a_model_that_keeps_calling_tools_is_stopped(agents: Agents) -> None:
    calls: list[int] = []

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        calls.append(1)
        return ModelResponse(parts=[ToolCallPart("order_status", {"order_ref": "LH-100245"})])

    with pytest.raises(BrainUnavailableError, match="request_limit"):
        await _brain(answer).reply(await _request(agents, "where is LH-100245"))
    assert len(calls) == REQUEST_LIMIT


@pytest.mark.parametrize("output", ["", "   "])
async def test_an_empty_answer_makes_the_brain_unavailable(agents: Agents, output: str) -> None:
    with pytest.raises(BrainUnavailableError):
        await _brain(lambda m, i: ModelResponse(parts=[TextPart(output)])).reply(await _request(agents, "hi"))


async def test_a_failing_model_makes_the_brain_unavailable(agents: Agents) -> None:
    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        raise ConnectionError("provider down")

    with pytest.raises(BrainUnavailableError, match="provider down"):
        await _brain(answer).reply(await _request(agents, "hi"))


async def test_the_chain_reports_every_failure_when_no_brain_answers(agents: Agents) -> None:
    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        raise ConnectionError("down")

    class Answers:
        name = "local"

        async def reply(self, request: AgentRequest) -> AgentReply:
            return AgentReply(messages=[Text(body="local")], brain="local")

    request = await _request(agents, "hi")
    with pytest.raises(BrainUnavailableError, match=r"a: .*b: "):
        await run_chain(
            [_brain(answer, name="a", timeout=1), _brain(answer, name="b", timeout=1)],
            request,
        )
    reply = await run_chain([_brain(answer, name="a", timeout=1), Answers()], request)
    assert reply.brain == "local"


async def test_the_guard_stops_any_real_model_request(agents: Agents) -> None:
    config = ProviderConfig(openai_api_key="sk-test", openai_base_url="http://127.0.0.1:9/v1", timeout=1)
    model = build_language_model("openai:gpt-4o-mini", config)
    assert model is not None

    with pytest.raises(BrainUnavailableError, match="not allowed"):
        await LlmBrain("openai:gpt-4o-mini", model).reply(await _request(agents, "hi"))
