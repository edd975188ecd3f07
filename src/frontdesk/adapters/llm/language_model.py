"""pydantic-ai's models behind the `LanguageModel` port (`frontdesk.domain.language_model`).

The brain hands over plain `ToolSpec`s and stored messages; here they become pydantic-ai's tool
definitions (built once per agent, so the provider's schema adaptation is kept per definition, see
`tool_schemas`) and model messages, `loop.converse` asks the model, and the tokens are priced
(`prices`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, UserPromptPart
from pydantic_ai.models import Model
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition

from frontdesk.adapters.llm.loop import Prepared, converse
from frontdesk.adapters.llm.prices import cost
from frontdesk.domain.language_model import ArgumentCheck, ModelAnswer, ToolRunner, ToolSpec
from frontdesk.domain.models import Direction, Message


class PydanticAiModel:
    """A pydantic-ai `Model` as a `LanguageModel`; `spec` names it for the price table."""

    def __init__(self, spec: str, model: Model, *, timeout: float) -> None:
        self.spec = spec
        self.model = model
        self.settings = ModelSettings(request_timeout=timeout)
        """A deadline for each model request, retries included (per-attempt timeouts are the model's)."""

    def for_agent(self, instructions: str, tools: Sequence[ToolSpec]) -> PreparedAgent:
        """The model with an agent's instructions and tools, converted once."""
        return PreparedAgent(self, Prepared.of(instructions, [tool_definition(tool) for tool in tools]))


class PreparedAgent:
    """One agent's requests to one model: only the turn's messages are built per turn."""

    def __init__(self, model: PydanticAiModel, prepared: Prepared) -> None:
        self._model = model
        self._prepared = prepared

    async def answer(
        self,
        *,
        prompt: str,
        context: str,
        history: Sequence[Message],
        run_tool: ToolRunner,
        check_arguments: ArgumentCheck,
        request_limit: int,
    ) -> ModelAnswer:
        """The model's text answer after the tool calls it made, with the tokens and their cost."""
        answer = await converse(
            self._model.model,
            self._prepared,
            prompt=prompt,
            context=context,
            history=history_messages(history),
            settings=self._model.settings,
            run_tool=run_tool,
            check_arguments=check_arguments,
            request_limit=request_limit,
        )
        price = cost(self._model.spec, answer.input_tokens, answer.output_tokens)
        return dataclasses.replace(answer, cost=price)


def tool_definition(tool: ToolSpec) -> ToolDefinition:
    """A tool as pydantic-ai offers it to a model."""
    return ToolDefinition(
        name=tool.name, description=tool.description, parameters_json_schema=tool.parameters
    )


def history_messages(history: Sequence[Message]) -> list[ModelMessage]:
    """Stored messages (oldest first) as model messages: the customer's as requests, ours as responses."""
    out: list[ModelMessage] = []
    for message in history:
        if not message.text:
            continue
        if message.direction == Direction.IN:
            out.append(ModelRequest(parts=[UserPromptPart(content=message.text)]))
        elif out:  # a conversation given to a model starts with the customer
            out.append(ModelResponse(parts=[TextPart(content=message.text)]))
    return out
