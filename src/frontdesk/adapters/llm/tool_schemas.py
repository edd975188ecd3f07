"""Provider models that adapt each tool's JSON schema to their provider once, not on every request.

pydantic-ai's `Model.customize_request_parameters` runs the provider profile's JSON-schema transformer
over every tool definition of every request (a deep copy and a walk of each schema): ~0.5 ms of CPU per
request for an agent's tools, a twentieth of what Frontdesk adds to an LLM turn (bench/turns.py). The
`llm` brain sends the same `ToolDefinition` objects on every request (`llm_tools` builds each one once),
so the adapted definition is kept per object; what is sent does not change.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.tools import ToolDefinition

MAX_KEPT = 512
"""Adapted definitions kept per model; past this (callers building new definitions per request) the
memory starts over."""


class AdaptsToolSchemasOnce(Model[Any]):
    """Mixin for a pydantic-ai model class: remembers each tool definition's adapted form."""

    def customize_request_parameters(
        self, model_request_parameters: ModelRequestParameters
    ) -> ModelRequestParameters:
        params = model_request_parameters
        if params.output_tools or params.output_object is not None or not params.function_tools:
            return super().customize_request_parameters(params)
        return replace(params, function_tools=[self._adapted(tool) for tool in params.function_tools])

    def _adapted(self, tool: ToolDefinition) -> ToolDefinition:
        kept: dict[int, tuple[ToolDefinition, ToolDefinition]] = self.__dict__.setdefault(
            "_adapted_tools", {}
        )
        entry = kept.get(id(tool))
        if entry is not None and entry[0] is tool:  # the same object, not a new one at a reused address
            return entry[1]
        if len(kept) >= MAX_KEPT:
            kept.clear()
        [adapted] = (
            super().customize_request_parameters(ModelRequestParameters(function_tools=[tool])).function_tools
        )
        kept[id(tool)] = (tool, adapted)
        return adapted
