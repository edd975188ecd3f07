"""Our tool registry as the model's tools, and what a model's tool call may run.

The model sees each tool's JSON schema (`tool_specs`), but every call runs through `Tool.call` with the
run's `ToolContext`: validation, capping, tenant and contact scoping and the confirmation rule stay in our
tool layer whatever the model asks. A side-effect tool is never run confirmed here; the model gets its
`needs_confirmation` answer and must ask the customer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from frontdesk.domain.errors import ConfigurationError
from frontdesk.domain.language_model import ToolSpec
from frontdesk.domain.team import HANDOFF_TOOL
from frontdesk.services.agents.brains.contract import ToolCall
from frontdesk.services.agents.tools import TOOLS, ToolContext, ToolResult, allowed_tool

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


HANDOFF_SPEC = ToolSpec(
    name=HANDOFF_TOOL,
    description=HANDOFF_DESCRIPTION,
    parameters={
        "additionalProperties": False,
        "properties": {"reason": {"default": "", "description": "Why, in a few words.", "type": "string"}},
        "type": "object",
    },
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

    async def call(self, name: str, raw: dict[str, Any]) -> dict[str, Any]:
        """Run the tool `name` as the model asked (never confirmed) and record it; the result as the
        model sees it."""
        if name == HANDOFF_TOOL and name in self.allowed:
            return self._hand_off(HandoffArgs.model_validate(raw))
        tool = allowed_tool(name, self.allowed)
        if tool is None:  # not offered to this agent: refuse rather than trust the name
            return {"ok": False, "error": "not_allowed", "summary": f"{name} is not available."}
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


def tool_specs(names: Iterable[str]) -> tuple[ToolSpec, ...]:
    """The named tools as the model is offered them (`handoff` last); `ConfigurationError` for an
    unknown name."""
    names = tuple(names)
    unknown = [name for name in names if name not in TOOLS and name != HANDOFF_TOOL]
    if unknown:
        known = ", ".join(sorted(TOOLS))
        raise ConfigurationError(f"unknown tools: {', '.join(unknown)} (known: {known}, {HANDOFF_TOOL})")
    specs = [TOOLS[name].spec() for name in names if name != HANDOFF_TOOL]
    if HANDOFF_TOOL in names:
        specs.append(HANDOFF_SPEC)
    return tuple(specs)
