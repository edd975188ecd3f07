"""The agents' tools, by name: typed arguments, scoped by context, JSON schemas for tool calling.

`TOOLS` maps each tool's name to it; `allowed_tool(name, agent.tools)` is the tool an agent may run.
A tool runs as `await TOOLS[name].call(ctx, arguments, confirmed=...)`; see `base` for the contract.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from frontdesk.services.agents.tools import account, booking, commands, orders, products, support
from frontdesk.services.agents.tools.base import (
    KnowledgeSearch,
    NoArgs,
    Tool,
    ToolArgs,
    ToolContext,
    ToolError,
    ToolResult,
)

TOOLS: dict[str, Tool[Any]] = {
    tool.name: tool
    for module in (orders, products, support, account, booking, commands)
    for tool in module.TOOLS
}


def allowed_tool(name: str, allowed: Collection[str]) -> Tool[Any] | None:
    """The tool `name` when the agent's list `allowed` names it and it exists; None otherwise (whatever a
    model asks, only this decides which of our tools runs)."""
    return TOOLS.get(name) if name in allowed else None


__all__ = [
    "TOOLS",
    "KnowledgeSearch",
    "NoArgs",
    "Tool",
    "ToolArgs",
    "ToolContext",
    "ToolError",
    "ToolResult",
    "allowed_tool",
]
