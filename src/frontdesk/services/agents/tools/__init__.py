"""The agents' tools, by name: typed arguments, scoped by context, JSON schemas for tool calling.

`TOOLS` maps each tool's name to it; `tool_schemas(names)` describes some of them for a model.
A tool runs as `await TOOLS[name].call(ctx, arguments, confirmed=...)`; see `base` for the contract.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from frontdesk.domain.errors import ConfigurationError
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


def tool_schemas(names: Iterable[str]) -> list[dict[str, Any]]:
    """The named tools as tool-calling schemas; `ConfigurationError` for an unknown name."""
    unknown = [n for n in names if n not in TOOLS]
    if unknown:
        raise ConfigurationError(f"unknown tools: {', '.join(unknown)} (known: {', '.join(sorted(TOOLS))})")
    return [TOOLS[n].schema() for n in names]


__all__ = [
    "TOOLS",
    "KnowledgeSearch",
    "NoArgs",
    "Tool",
    "ToolArgs",
    "ToolContext",
    "ToolError",
    "ToolResult",
    "tool_schemas",
]
