"""The port between the `llm` brain's policy (services) and a language model's mechanics (adapters.llm).

The brain decides what an agent may do: its instructions, the tools it is offered, what a tool call
runs, when a side effect waits for the customer's yes. A `LanguageModel` only carries that out with a
provider: it sends the requests, runs the loop of tool calls until the model answers in text, and
reports the tokens and their cost. `adapters.llm.build_language_model` makes one from a team file's
model spec.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from frontdesk.domain.models import Message


@dataclass(frozen=True, kw_only=True)
class ToolSpec:
    """A tool as a model is offered it: its name, what it does, the JSON schema of its arguments."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class ModelAnswer:
    """The model's final text, and the tokens and cost (US dollars) of all the requests it took."""

    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0


ToolRunner = Callable[[str, dict[str, Any]], Awaitable[Any]]
"""Runs a tool by name with the model's arguments; the result is what the model is told (JSON data)."""
ArgumentCheck = Callable[[str, dict[str, Any]], list[dict[str, Any]] | None]
"""What is wrong with a call's arguments (validation errors the model must repair), or None."""


class AgentModel(Protocol):
    """A language model prepared for one agent: its fixed instructions and the tools it is offered."""

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
        """Ask about `prompt` after `history` (stored messages, oldest first), running the tools the
        model calls with `run_tool`, until it answers in text; `context` is this turn's part of the
        instructions. Raises when the model fails, loops past `request_limit` requests or keeps
        calling tools wrongly."""
        ...


class LanguageModel(Protocol):
    """One provider's model, named by its spec (`openai:gpt-4o-mini`)."""

    def for_agent(self, instructions: str, tools: Sequence[ToolSpec]) -> AgentModel:
        """The model prepared for an agent (built once per version of the agent, then reused)."""
        ...
