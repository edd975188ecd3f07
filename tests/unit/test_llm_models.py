"""The LLM adapter: models from specs, stored messages as model messages, prices, schemas adapted once."""

from __future__ import annotations

import logging

import pytest
from pydantic_ai.messages import ModelRequest, ModelResponse
from pydantic_ai.models import Model, ModelRequestParameters

from frontdesk.adapters.llm import ProviderConfig, build_model
from frontdesk.adapters.llm.language_model import history_messages, tool_definition
from frontdesk.adapters.llm.prices import cost
from frontdesk.domain.errors import ConfigurationError
from frontdesk.domain.models import Direction, Message, MessageStatus
from frontdesk.services.agents.brains.llm_tools import tool_specs
from frontdesk.services.agents.tools import ToolContext
from tests.support.agents import AMELIA, Agents

pytest_plugins = ["tests.unit.agents_fixtures"]

ORDERS_TOOLS = ("order_status", "handoff")


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


async def test_history_starts_with_the_customer(agents: Agents) -> None:
    ctx = await agents.ctx(AMELIA)
    history = [
        _message(ctx, 1, Direction.OUT, "Welcome!"),
        _message(ctx, 2, Direction.IN, "hi"),
        _message(ctx, 3, Direction.OUT, "Hello"),
    ]

    messages = history_messages(history)

    assert [type(m) for m in messages] == [ModelRequest, ModelResponse]


def test_cost_from_the_price_table() -> None:
    assert cost("openai:gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert cost("bedrock:anthropic.claude-3-haiku-20240307-v1:0", 1_000_000, 0) == pytest.approx(0.25)
    assert cost("openai-compatible:llama3.2@http://localhost:11434/v1", 1000, 1000) == 0.0


@pytest.mark.parametrize(
    "spec",
    ["openai", "mystery:model-1", "openai:", "openai-compatible:llama3.2", "openai-compatible:llama@ftp://x"],
)
def test_a_bad_spec_is_a_configuration_error_naming_it(spec: str) -> None:
    with pytest.raises(ConfigurationError, match=spec.split("@")[0]):
        build_model(spec, ProviderConfig(openai_api_key="sk-test"))


@pytest.mark.parametrize(
    "spec",
    [
        "openai:gpt-4o-mini",
        "anthropic:claude-haiku-4-5",
        "gemini:gemini-2.0-flash",
        "bedrock:amazon.nova-lite-v1:0",
    ],
)
def test_a_provider_without_credentials_is_skipped(spec: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert build_model(spec, ProviderConfig()) is None
    assert f"model {spec} skipped" in caplog.text


@pytest.mark.parametrize(
    "spec",
    [
        "openai:gpt-4o-mini",
        "anthropic:claude-haiku-4-5",
        "gemini:gemini-2.0-flash",
        "bedrock:anthropic.claude-3-haiku-20240307-v1:0",
    ],
)
def test_each_tool_schema_is_adapted_to_the_provider_once(spec: str) -> None:
    config = ProviderConfig(
        openai_api_key="sk-test",
        anthropic_api_key="sk-ant-test",
        gemini_api_key="gemini-test",
        bedrock_region="eu-west-2",
        bedrock_access_key_id="AKIDTEST",
        bedrock_secret_access_key="secret-test",
    )
    model = build_model(spec, config)
    assert model is not None
    params = ModelRequestParameters(function_tools=[tool_definition(t) for t in tool_specs(ORDERS_TOOLS)])

    first = model.customize_request_parameters(params)
    again = model.customize_request_parameters(params)

    assert first.function_tools == Model.customize_request_parameters(model, params).function_tools
    assert all(a is b for a, b in zip(first.function_tools, again.function_tools, strict=True))


def test_an_openai_compatible_server_needs_no_key() -> None:
    model = build_model("openai-compatible:llama3.2@http://127.0.0.1:11434/v1", ProviderConfig())
    assert model is not None and model.model_name == "llama3.2"
