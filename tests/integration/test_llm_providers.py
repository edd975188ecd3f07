"""The `llm` brain against real local HTTP servers speaking each provider's wire protocol.

For each provider: one conversation where the model calls a real tool (`order_status` over the seeded
demo store, for the demo customer) and answers with its facts; and an outage that raises
`BrainUnavailableError` and falls through the chain to a last brain.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from frontdesk.adapters.db.demo_seed import seed_business
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.llm import ProviderConfig, build_language_model
from frontdesk.domain.models import Direction, Message, MessageStatus
from frontdesk.domain.outbound import Buttons, Text
from frontdesk.domain.team import Agent
from frontdesk.domain.turns import Turn
from frontdesk.services.agents.brains.chain import run_chain
from frontdesk.services.agents.brains.contract import AgentReply, AgentRequest, BrainUnavailableError
from frontdesk.services.agents.brains.llm import LlmBrain
from frontdesk.services.agents.tools import ToolContext
from tests.support.agents import AMELIA, Agents, FakeKnowledge
from tests.support.fake_llm import FakeAnthropic, FakeBedrock, FakeGemini, FakeLlm, FakeOpenAI, call, say
from tests.support.model_guard import require_loopback
from tests.support.servers import serve_app
from tests.unit.conftest import FakeClock

pytestmark = pytest.mark.usefixtures("fake_models_allowed")

ORDERS = Agent(
    name="orders",
    description="The customer's orders.",
    instructions="You help customers with their own orders. Look orders up only with the tools.",
    tools=("list_orders", "order_status", "start_return", "handoff"),
    models=("openai:gpt-4o-mini", "local"),
)
FINAL = "Your order *LH-100245* has shipped with DPD, tracking 15501234567890."


@dataclass
class Provider:
    spec: str
    fake: FakeLlm
    url: str

    def config(self, **overrides: Any) -> ProviderConfig:
        base = require_loopback(self.url)
        return ProviderConfig(
            openai_api_key="sk-test",
            openai_base_url=f"{base}/v1",
            anthropic_api_key="sk-ant-test",
            anthropic_base_url=base,
            gemini_api_key="gemini-test",
            gemini_base_url=base,
            bedrock_region="eu-west-2",
            bedrock_base_url=base,
            bedrock_access_key_id="AKIDTEST",
            bedrock_secret_access_key="secret-test",
            timeout=5.0,
            **overrides,
        )

    def brain(self, **config: Any) -> LlmBrain:
        model = build_language_model(self.spec, self.config(**config))
        assert model is not None
        return LlmBrain(self.spec, model)


FAKES: dict[str, type[FakeLlm]] = {
    "openai:gpt-4o-mini": FakeOpenAI,
    "anthropic:claude-haiku-4-5": FakeAnthropic,
    "bedrock:anthropic.claude-3-haiku-20240307-v1:0": FakeBedrock,
    "gemini:gemini-2.0-flash": FakeGemini,
}


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, Provider]]:
    fakes = {spec: cls() for spec, cls in FAKES.items()}
    with (
        serve_app(fakes["openai:gpt-4o-mini"].app()) as openai_url,
        serve_app(fakes["anthropic:claude-haiku-4-5"].app()) as anthropic_url,
        serve_app(fakes["bedrock:anthropic.claude-3-haiku-20240307-v1:0"].app()) as bedrock_url,
        serve_app(fakes["gemini:gemini-2.0-flash"].app()) as gemini_url,
    ):
        urls = dict(zip(FAKES, (openai_url, anthropic_url, bedrock_url, gemini_url), strict=True))
        yield {spec: Provider(spec, fakes[spec], urls[spec]) for spec in FAKES}


@pytest.fixture(params=list(FAKES))
def provider(request: pytest.FixtureRequest, servers: dict[str, Provider]) -> Provider:
    chosen = servers[request.param]
    chosen.fake.reset()
    return chosen


@pytest.fixture
async def agents(tmp_path: Path) -> AsyncIterator[Agents]:
    clock = FakeClock()
    store = SqlStore(make_engine(f"sqlite+aiosqlite:///{tmp_path / 'llm.db'}"))
    await upgrade(store.engine)
    await seed_business(store, now=clock.now())
    yield Agents(store, clock, _business(store), _messages(store), FakeKnowledge())
    await store.dispose()


def _business(store: SqlStore) -> Any:
    from frontdesk.adapters.db.business import SqlBusinessData

    return SqlBusinessData(store)


def _messages(store: SqlStore) -> Any:
    from frontdesk.adapters.db.conversation_data import SqlMessageSearch

    return SqlMessageSearch(store)


def _message(ctx: ToolContext, n: int, direction: Direction, text: str) -> Message:
    return Message(
        id=n,
        tenant_id=ctx.tenant.id,
        conversation_id=ctx.conversation.id,
        direction=direction,
        type="text",
        text=text,
        status=MessageStatus.RECEIVED if direction == Direction.IN else MessageStatus.SENT,
        created_at=ctx.now() - timedelta(minutes=5 - n),
    )


def _request(ctx: ToolContext, text: str, *, state: dict[str, Any] | None = None) -> AgentRequest:
    history = [
        _message(ctx, 1, Direction.IN, "hi there"),
        _message(ctx, 2, Direction.OUT, "Hello! How can I help?"),
    ]
    turn = Turn(
        tenant=ctx.tenant,
        contact=ctx.contact,
        conversation=ctx.conversation,
        message=_message(ctx, 3, Direction.IN, text),
        history=history,
    )
    return AgentRequest(agent=ORDERS, text=text, turn=turn, tools=ctx, state=state or {})


async def test_a_conversation_with_a_tool_call(provider: Provider, agents: Agents) -> None:
    fake = provider.fake
    fake.script(call("order_status", order_ref="LH-100245"), say(FINAL))
    request = _request(await agents.ctx(AMELIA), "where is my order LH-100245?")

    reply = await provider.brain().reply(request)

    assert [m.body for m in reply.messages if isinstance(m, Text)] == [FINAL]
    assert reply.brain == provider.spec and reply.state is None
    [tool] = reply.tools
    assert (tool.name, tool.args, tool.ok) == ("order_status", {"order_ref": "LH-100245"}, True)
    assert len(fake.requests) == 2
    assert set(fake.offered_tools(0)) == {"list_orders", "order_status", "start_return", "handoff"}
    assert "order_ref" in fake.tool_parameters(0, "order_status")["properties"]
    assert fake.user_texts(0) == ["hi there", "where is my order LH-100245?"]
    assert fake.tool_results(0) == []
    [result] = fake.tool_results(1)
    assert "15501234567890" in result and "DPD" in result
    assert reply.usage is not None and reply.usage.model == provider.spec
    assert (reply.usage.input_tokens, reply.usage.output_tokens) == (240, 60)
    assert reply.usage.cost > 0


async def test_another_customers_order_is_not_found_whatever_the_model_asks(
    provider: Provider, agents: Agents
) -> None:
    provider.fake.script(
        call("order_status", order_ref="LH-100245", customer_id="447700900102"), say("Not found, sorry.")
    )
    ctx = await agents.ctx("447700900102")  # Oliver asks for Amelia's order

    reply = await provider.brain().reply(_request(ctx, "status of LH-100245 please"))

    [tool] = reply.tools
    assert tool.ok is False
    assert "15501234567890" not in provider.fake.tool_results(1)[0]


@pytest.mark.parametrize("status", [500, 503])
async def test_an_outage_falls_through_the_chain(provider: Provider, agents: Agents, status: int) -> None:
    provider.fake.outage = 529 if provider.spec.startswith("anthropic") and status == 503 else status
    request = _request(await agents.ctx(AMELIA), "where is my order LH-100245?")
    brain = provider.brain()

    with pytest.raises(BrainUnavailableError):
        await brain.reply(request)
    reply = await run_chain([brain, LastBrain()], request)

    assert reply.brain == "local"
    assert len(provider.fake.requests) == 2  # one request per attempt: no provider-side retries


async def test_provider_side_retries_follow_the_setting(provider: Provider, agents: Agents) -> None:
    provider.fake.outage = 503
    request = _request(await agents.ctx(AMELIA), "where is my order LH-100245?")

    with pytest.raises(BrainUnavailableError):
        await provider.brain(max_retries=2).reply(request)

    assert len(provider.fake.requests) == 3  # the first attempt and two retries


async def test_a_side_effect_waits_for_the_customers_yes(provider: Provider, agents: Agents) -> None:
    fake = provider.fake
    question = "Shall I start a return for LH-100231?"
    fake.script(call("start_return", order_ref="LH-100231", reason="changed my mind"), say(question))
    ctx = await agents.ctx(AMELIA)
    before = await agents.snapshot()

    asked = await provider.brain().reply(_request(ctx, "I want to return LH-100231"))

    assert await agents.snapshot() == before
    [buttons] = asked.messages
    assert isinstance(buttons, Buttons) and buttons.body == question
    assert asked.state is not None and asked.state["pending_confirmation"]["tool"] == "start_return"
    assert "needs_confirmation" in fake.tool_results(1)[0]

    done = await provider.brain().reply(_request(ctx, "yes please", state=asked.state))

    [tool] = done.tools
    assert tool.confirmed and tool.ok and done.state is None
    assert await agents.snapshot() != before
    assert len(fake.requests) == 2  # the confirmation ran the tool itself, without asking the model


async def test_a_no_changes_nothing(provider: Provider, agents: Agents) -> None:
    ctx = await agents.ctx(AMELIA)
    state = {"pending_confirmation": {"tool": "start_return", "args": {"order_ref": "LH-100231"}}}
    before = await agents.snapshot()

    reply = await provider.brain().reply(_request(ctx, "no, don't", state=state))

    assert reply.state is None and reply.tools == ()
    assert await agents.snapshot() == before and provider.fake.requests == []


class LastBrain:
    """Stands for `local` at the end of the chain."""

    name = "local"

    async def reply(self, request: AgentRequest) -> AgentReply:
        return AgentReply(messages=[Text(body="local answer")], brain=self.name)
