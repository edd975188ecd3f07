"""Our tool registry as pydantic-ai tools, and a conversation's history as model messages.

The model sees each tool's JSON schema (`Tool.schema()`), but every call runs through `Tool.call` with the
run's `ToolContext`: validation, capping, tenant and contact scoping and the confirmation rule stay in our
tool layer whatever the model asks. A side-effect tool is never run confirmed here; the model gets its
`needs_confirmation` answer and must ask the customer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic_ai import RunContext
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, UserPromptPart
from pydantic_ai.tools import Tool as ModelTool

from frontdesk.domain.errors import ConfigurationError
from frontdesk.domain.models import Direction, Message
from frontdesk.domain.team import HANDOFF_TOOL
from frontdesk.services.agents.brain import ToolCall
from frontdesk.services.agents.tools import TOOLS, Tool, ToolContext, ToolResult

CONFIRM_NOTE = (
    "Nothing was done yet. Ask the customer exactly this question and wait for their explicit yes; "
    "the system runs the action after they confirm."
)


@dataclass
class ToolRun:
    """One brain run's tool context and what its tools did (the model's calls, in order)."""

    ctx: ToolContext
    allowed: frozenset[str]
    calls: list[ToolCall] = field(default_factory=list)
    pending: dict[str, Any] | None = None
    """The side-effect call waiting for the customer's yes: `{"tool", "args", "question"}`."""
    handoff: bool = False

    async def call(self, tool: Tool[Any], raw: dict[str, Any]) -> dict[str, Any]:
        """Run `tool` as the model asked (never confirmed) and record it; the result as the model sees it."""
        if tool.name not in self.allowed:  # the model was not offered it; refuse rather than trust the name
            return {"ok": False, "error": "not_allowed", "summary": f"{tool.name} is not available."}
        result = await tool.call(self.ctx, raw)
        self.calls.append(ToolCall(name=tool.name, args=dict(raw), ok=result.ok, summary=result.summary))
        if result.needs_confirmation:
            self.pending = {"tool": tool.name, "args": dict(raw), "question": result.summary}
        self.handoff = self.handoff or result.handoff
        return for_model(result)


def for_model(result: ToolResult) -> dict[str, Any]:
    """A tool result as JSON for the model: the summary and facts, the error, and what to do next."""
    out: dict[str, Any] = {"ok": result.ok, "summary": result.summary, "facts": result.facts}
    if result.error is not None:
        out["error"] = result.error.value
    if result.needs_confirmation:
        out["needs_confirmation"] = True
        out["note"] = CONFIRM_NOTE
    if result.handoff:
        out["handoff"] = True
    return out


HANDOFF_DESCRIPTION = (
    "Hand this conversation to a person on the team: when the customer asks for one, is upset, or needs "
    "something the other tools cannot do. Then tell the customer someone will reply here soon."
)


def model_tools(names: Iterable[str]) -> list[ModelTool[ToolRun]]:
    """The named tools as pydantic-ai tools over a `ToolRun` (`handoff` included); `ConfigurationError`
    for unknown names."""
    names = list(names)
    unknown = [name for name in names if name not in TOOLS and name != HANDOFF_TOOL]
    if unknown:
        raise ConfigurationError(f"unknown tools: {', '.join(unknown)}")
    tools = [_model_tool(TOOLS[name]) for name in names if name != HANDOFF_TOOL]
    if HANDOFF_TOOL in names:
        tools.append(ModelTool(_handoff, name=HANDOFF_TOOL, description=HANDOFF_DESCRIPTION, takes_ctx=True))
    return tools


async def _handoff(ctx: RunContext[ToolRun], reason: str = "") -> dict[str, Any]:
    """Hand the conversation to staff.

    Args:
        reason: Why, in a few words.
    """
    run = ctx.deps
    run.handoff = True
    run.calls.append(
        ToolCall(name=HANDOFF_TOOL, args={"reason": reason[:200]}, ok=True, summary="handed off")
    )
    return {"ok": True, "summary": "A person from the team will take over this conversation."}


def _model_tool(tool: Tool[Any]) -> ModelTool[ToolRun]:
    schema = tool.schema()

    async def run(ctx: RunContext[ToolRun], **raw: Any) -> dict[str, Any]:
        return await ctx.deps.call(tool, raw)

    return ModelTool.from_schema(
        run, name=tool.name, description=tool.description, json_schema=schema["parameters"], takes_ctx=True
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
