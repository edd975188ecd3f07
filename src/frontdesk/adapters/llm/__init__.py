"""Language-model providers (OpenAI and compatible, Anthropic, Bedrock, Gemini) for the `llm` brain.

`build_language_model(spec, config)` gives the `LanguageModel` port (`domain/language_model.py`) the
brain talks to; the mechanics stay here: pydantic-ai's providers (`models`), the tool-call loop (`loop`),
tool definitions and history as pydantic-ai messages (`language_model`), schemas adapted once
(`tool_schemas`), the OpenAI wire client (`openai_wire`) and the price table (`prices`).
"""

from frontdesk.adapters.llm.language_model import PydanticAiModel
from frontdesk.adapters.llm.models import ProviderConfig, build_language_model, build_model

__all__ = ["ProviderConfig", "PydanticAiModel", "build_language_model", "build_model"]
