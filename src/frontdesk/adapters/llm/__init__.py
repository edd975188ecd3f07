"""Language-model providers (OpenAI and compatible, Anthropic, Bedrock, Gemini) for the `llm` brain."""

from frontdesk.adapters.llm.models import ProviderConfig, build_model

__all__ = ["ProviderConfig", "build_model"]
