"""`WireOpenAI` sends what the OpenAI SDK's own client sends, over real HTTP to a fake OpenAI server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, Field
from pydantic_ai import Agent
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider
from pydantic_ai.settings import ModelSettings

from frontdesk.adapters.llm import ProviderConfig, build_model
from frontdesk.adapters.llm.openai_wire import wire_json
from tests.support.fake_llm import FakeOpenAI, call, say
from tests.support.servers import serve_app

pytestmark = pytest.mark.usefixtures("fake_models_allowed")


class Window(BaseModel):
    day: str = Field(description="ISO date")
    part: str | None = None


@pytest.fixture
def fake() -> Iterator[tuple[FakeOpenAI, str]]:
    llm = FakeOpenAI()
    with serve_app(llm.app()) as url:
        yield llm, f"{url}/v1"


async def _conversation(model: Any) -> str:
    """Two turns with instructions, a tool with nested optional arguments, its result, and history."""
    agent = Agent(model, instructions="You book visits. Be brief.", deps_type=None)

    @agent.tool_plain
    def free_slots(service: str, window: Window, max_results: int = 3) -> list[str]:
        """Free appointment slots for a service."""
        return [f"{window.day} 09:00 {service}"][:max_results]

    first = await agent.run("book an install next tuesday")
    second = await agent.run("and the one after?", message_history=first.all_messages())
    return second.output


async def test_wire_body_equals_the_sdk_body(fake: tuple[FakeOpenAI, str]) -> None:
    llm, url = fake
    settings = ModelSettings(timeout=5, max_retries=0, max_tokens=200)
    script = (
        call("free_slots", service="install", window={"day": "2026-11-24", "part": None}),
        say("Tuesday 09:00 is free."),
        say("Wednesday too."),
    )

    llm.script(*script)
    provider = OpenAIProvider(base_url=url, api_key="sk-x")
    sdk = OpenAIChatModel("gpt-4o-mini", provider=provider, settings=settings)
    sdk_output = await _conversation(sdk)
    sdk_bodies = list(llm.requests)

    llm.reset()
    llm.script(*script)
    config = ProviderConfig(openai_api_key="sk-x", openai_base_url=url, timeout=5, max_tokens=200)
    ours = build_model("openai:gpt-4o-mini", config)
    ours_output = await _conversation(ours)

    assert len(sdk_bodies) == 3
    assert llm.requests == sdk_bodies
    assert ours_output == sdk_output == "Wednesday too."
    assert llm.offered_tools(0) == ["free_slots"]
    first = llm.requests[0]
    assert first.get("max_completion_tokens", first.get("max_tokens")) == 200  # a set value is kept
    assert "stream_options" not in first and "seed" not in first  # omitted ones are not sent


def test_wire_json_drops_omitted_values_and_lists_iterables() -> None:
    from openai import NOT_GIVEN, omit

    data = {"a": omit, "b": NOT_GIVEN, "c": (1, 2), "d": {"e": omit, "f": iter(["x"])}, "g": "t", "h": None}
    assert wire_json(data) == {"c": [1, 2], "d": {"f": ["x"]}, "g": "t", "h": None}
