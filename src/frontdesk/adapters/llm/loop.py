"""One agent's exchange with its model: ask, run the tools it calls, ask again, until it answers.

This is what pydantic-ai's `Agent.run` does for a text answer, on pydantic-ai's direct API
(`pydantic_ai.direct.model_request`: the model's own request preparation and the `request_timeout`
deadline, for every provider). The agent's run machinery (graph, capabilities, toolsets, per-step tool
preparation, genai-prices lookups) cost ~10 ms of CPU per two-request turn, a quarter of what Frontdesk
added to an LLM turn (bench/turns.py); here an agent's instructions and tool definitions are prepared
once (`Prepared`) and a turn only builds its messages.

The messages sent are the ones `Agent.run` sends, including its feedback to a call of an unknown tool
or with unreadable arguments (once per tool) and to a response with neither text nor a tool call (once
per run); past that the run fails, as the agent's does. `tests/integration/test_llm_providers.py` runs
this loop against all four providers' wire formats, `tests/unit/test_llm_brain.py` the feedback. The
tools it runs and their arguments' checks come from the `llm` brain (services), through the
`LanguageModel` port (`language_model.PydanticAiModel`).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pydantic_core
from pydantic_ai.direct import model_request
from pydantic_ai.exceptions import UnexpectedModelBehavior, UsageLimitExceeded
from pydantic_ai.messages import (
    InstructionPart,
    ModelMessage,
    ModelRequest,
    ModelRequestPart,
    RetryFeedbackCause,
    RetryFeedbackPart,
    RetryInfo,
    ToolCallPart,
    ToolRetryCause,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition

from frontdesk.domain.language_model import ArgumentCheck, ModelAnswer, ToolRunner

TOOL_RETRIES = 1
"""Calls of an unknown tool, or with unreadable arguments, the model may repair per tool (pydantic-ai's
default); one more fails the run."""
OUTPUT_RETRIES = 1
"""Responses with neither text nor a tool call the model may repair (pydantic-ai's default)."""


@dataclass(frozen=True)
class Prepared:
    """What an agent sends with every request, built once: its fixed instructions and its tools."""

    instructions: str
    parameters: ModelRequestParameters

    @classmethod
    def of(cls, instructions: str, tools: Sequence[ToolDefinition]) -> Prepared:
        """An agent with these instructions and tools, answering in text."""
        return cls(instructions, ModelRequestParameters(function_tools=list(tools), allow_text_output=True))

    @property
    def tool_names(self) -> list[str]:
        return [tool.name for tool in self.parameters.function_tools]


async def converse(
    model: Model,
    prepared: Prepared,
    *,
    prompt: str,
    context: str,
    history: list[ModelMessage],
    settings: ModelSettings,
    run_tool: ToolRunner,
    check_arguments: ArgumentCheck | None = None,
    request_limit: int,
) -> ModelAnswer:
    """Ask `model` about `prompt` after `history`, running the tools it calls with `run_tool`, until
    it answers in text. `context` is this turn's part of the instructions (after the agent's own).

    Raises `UsageLimitExceeded` when the model would need more than `request_limit` requests, and
    `UnexpectedModelBehavior` when it keeps calling a tool wrongly; provider errors propagate.
    """
    instructions = f"{prepared.instructions}\n\n{context}"
    parameters = dataclasses.replace(
        prepared.parameters,
        instruction_parts=[
            InstructionPart(content=prepared.instructions),
            InstructionPart(content=context, dynamic=True),
        ],
    )
    messages = [*history, ModelRequest(parts=[UserPromptPart(content=prompt)], instructions=instructions)]
    calls = _ToolCalls(prepared.tool_names, run_tool, check_arguments)
    input_tokens = output_tokens = empty_answers = 0
    for _ in range(request_limit):
        response = await model_request(
            model, messages, model_settings=settings, model_request_parameters=parameters
        )
        input_tokens += response.usage.input_tokens
        output_tokens += response.usage.output_tokens
        requested = response.tool_calls
        if requested:
            results: list[ModelRequestPart] = list(
                await asyncio.gather(*(calls.answer(part) for part in requested))
            )
        elif response.text:
            return ModelAnswer(text=response.text, input_tokens=input_tokens, output_tokens=output_tokens)
        else:  # neither text nor a tool call: ask once more, as `Agent.run` does
            empty_answers += 1
            if empty_answers > OUTPUT_RETRIES:
                raise UnexpectedModelBehavior(f"Exceeded maximum output retries ({OUTPUT_RETRIES})")
            results = [_ask_for_an_answer(prepared, empty_answers)]
        messages += [response, ModelRequest(parts=results, instructions=instructions)]
    raise UsageLimitExceeded(f"The next request would exceed the request_limit of {request_limit}")


def _ask_for_an_answer(prepared: Prepared, attempt: int) -> RetryFeedbackPart:
    """pydantic-ai's feedback to a response without text or tool calls."""
    wanted = "return text or call a tool" if prepared.tool_names else "return text"
    retry: RetryInfo[RetryFeedbackCause] = RetryInfo("no_output", attempt=attempt, max_retries=OUTPUT_RETRIES)
    return RetryFeedbackPart(content=f"Please {wanted}.", retry=retry)


class _ToolCalls:
    """Answers the model's tool calls of one run: the tool's result, or a retry it must repair."""

    def __init__(self, names: list[str], run_tool: ToolRunner, check: ArgumentCheck | None) -> None:
        self._names = names
        self._run_tool = run_tool
        self._check = check
        self._retries: Counter[str] = Counter()

    async def answer(self, part: ToolCallPart) -> ToolReturnPart:
        name = part.tool_name
        if name not in self._names:
            available = ", ".join(repr(n) for n in sorted(self._names))
            return self._retry(
                part, "unknown_tool", f"Unknown tool name: {name!r}. Available tools: {available}"
            )
        args, errors = _arguments(part)
        if errors:
            return self._retry(part, "validation_error", errors)
        problem = self._check(name, args) if self._check else None
        if problem is not None:
            return self._retry(part, "validation_error", problem)
        content = await self._run_tool(name, args)
        return ToolReturnPart(tool_name=name, content=content, tool_call_id=part.tool_call_id)

    def _retry(self, part: ToolCallPart, cause: ToolRetryCause, content: Any) -> ToolReturnPart:
        name = part.tool_name
        self._retries[name] += 1
        if self._retries[name] > TOOL_RETRIES:
            raise UnexpectedModelBehavior(f"Tool {name!r} exceeded max retries count of {TOOL_RETRIES}")
        return ToolReturnPart(
            tool_name=name,
            content=content,
            tool_call_id=part.tool_call_id,
            outcome="retried",
            retry=RetryInfo(cause, attempt=self._retries[name], max_retries=TOOL_RETRIES),
        )


def _arguments(part: ToolCallPart) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The call's arguments as a dict, or pydantic-ai's validation errors when they are not a JSON object."""
    if not part.args:
        return {}, []
    if isinstance(part.args, dict):
        return part.args, []
    try:
        args = pydantic_core.from_json(part.args)
    except ValueError as exc:
        return {}, [{"type": "json_invalid", "loc": [], "msg": f"Invalid JSON: {exc}", "input": part.args}]
    if not isinstance(args, dict):
        return {}, [{"type": "dict_type", "loc": [], "msg": "Input should be an object", "input": args}]
    return args, []
