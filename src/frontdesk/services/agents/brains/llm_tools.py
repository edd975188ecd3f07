"""Our tool registry as the model's tools, and a conversation's history as model messages.

The model sees each tool's JSON schema (`Tool.schema()`), but every call runs through `Tool.call` with the
run's `ToolContext`: validation, capping, tenant and contact scoping and the confirmation rule stay in our
tool layer whatever the model asks. A side-effect tool is never run confirmed here; the model gets its
`needs_confirmation` answer and must ask the customer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, UserPromptPart
from pydantic_ai.tools import ToolDefinition

from frontdesk.domain.errors import ConfigurationError
from frontdesk.domain.models import Direction, Message
from frontdesk.domain.team import HANDOFF_TOOL
from frontdesk.services.agents.brains.contract import ToolCall
from frontdesk.services.agents.tools import TOOLS, ToolContext, ToolResult

CONFIRM_NOTE = (
    "Nothing was done yet. Ask the customer exactly this question and wait for their explicit yes; "
    "the system runs the action after they confirm."
)
HANDOFF_DESCRIPTION = (
    "Hand this conversation to a person on the team: when the customer asks for one, is upset, or needs "
    "something the other tools cannot do. Then tell the customer someone will reply here soon."
)


class HandoffArgs(BaseModel):
    """The `handoff` tool's arguments."""

    model_config = ConfigDict(extra="forbid")
    reason: str = ""


HANDOFF_SCHEMA: dict[str, Any] = {
    "additionalProperties": False,
    "properties": {"reason": {"default": "", "description": "Why, in a few words.", "type": "string"}},
    "type": "object",
}


@dataclass
class ToolRun:
    """One brain run's tool context and what its tools did (the model's calls, in order)."""

    ctx: ToolContext
    allowed: frozenset[str]
    calls: list[ToolCall] = field(default_factory=list)
    pending: dict[str, Any] | None = None
    """The side-effect call waiting for the customer's yes: `{"tool", "args", "question"}`."""
    handoff: bool = False

    async def call(self, name: str, raw: dict[str, Any]) -> dict[str, Any]:
        """Run the tool `name` as the model asked (never confirmed) and record it; the result as the
        model sees it."""
        tool = TOOLS.get(name)
        if name not in self.allowed or (tool is None and name != HANDOFF_TOOL):
            # Not offered to this agent: refuse rather than trust the name.
            return {"ok": False, "error": "not_allowed", "summary": f"{name} is not available."}
        if tool is None:
            return self._hand_off(HandoffArgs.model_validate(raw))
        result = await tool.call(self.ctx, raw)
        self.calls.append(ToolCall(name=name, args=dict(raw), ok=result.ok, summary=result.summary))
        if result.needs_confirmation:
            self.pending = {"tool": name, "args": dict(raw), "question": result.summary}
        self.handoff = self.handoff or result.handoff
        return for_model(result)

    def _hand_off(self, args: HandoffArgs) -> dict[str, Any]:
        self.handoff = True
        reason = args.reason[:200]
        self.calls.append(ToolCall(name=HANDOFF_TOOL, args={"reason": reason}, ok=True, summary="handed off"))
        return {"ok": True, "summary": "A person from the team will take over this conversation."}


def argument_errors(name: str, raw: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Why the model must repair a call's arguments before it runs, or None. Only `handoff` is checked
    here: our tools validate their own arguments and answer a failed result the model can read."""
    if name != HANDOFF_TOOL:
        return None
    try:
        HandoffArgs.model_validate(raw)
    except ValidationError as exc:
        return [
            {**error, "loc": list(error["loc"])}
            for error in exc.errors(include_url=False, include_context=False)
        ]
    return None


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


def tool_definitions(names: Iterable[str]) -> tuple[ToolDefinition, ...]:
    """The named tools as the model sees them (`handoff` included); `ConfigurationError` for unknown
    names."""
    names = tuple(names)
    unknown = [name for name in names if name not in TOOLS and name != HANDOFF_TOOL]
    if unknown:
        raise ConfigurationError(f"unknown tools: {', '.join(unknown)}")
    tools = [_definition(name) for name in names if name != HANDOFF_TOOL]
    if HANDOFF_TOOL in names:
        tools.append(_definition(HANDOFF_TOOL))
    return tuple(tools)


@cache
def _definition(name: str) -> ToolDefinition:
    """A tool's definition, built once: its schema does not change while the process runs."""
    if name == HANDOFF_TOOL:
        return ToolDefinition(
            name=name, description=HANDOFF_DESCRIPTION, parameters_json_schema=HANDOFF_SCHEMA
        )
    schema = TOOLS[name].schema()
    return ToolDefinition(
        name=name, description=schema["description"], parameters_json_schema=schema["parameters"]
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
