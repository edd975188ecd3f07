"""Language models from a team file's model specs, built on pydantic-ai's providers.

A spec names a provider and a model: `openai:gpt-4o-mini`, `anthropic:claude-haiku-4-5`,
`bedrock:anthropic.claude-3-haiku-20240307-v1:0`, `gemini:gemini-2.0-flash`, or an OpenAI-compatible
server (Ollama, vLLM, LM Studio) as `openai-compatible:llama3.2@http://localhost:11434/v1`. `build_model`
returns pydantic-ai's `Model` for it, or `None` when the provider has no credentials configured (the
agent's chain then skips that link). Every provider takes a base URL, so tests point it at a local fake.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from anthropic import AsyncAnthropic
from botocore.config import Config as BotoConfig
from pydantic_ai.models import Model
from pydantic_ai.models.anthropic import AnthropicModel
from pydantic_ai.models.bedrock import BedrockConverseModel
from pydantic_ai.models.google import GoogleModel
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.anthropic import AnthropicProvider
from pydantic_ai.providers.bedrock import BedrockProvider
from pydantic_ai.providers.google import GoogleProvider
from pydantic_ai.providers.openai import OpenAIProvider
from pydantic_ai.settings import ModelSettings

from frontdesk.adapters.llm.language_model import PydanticAiModel
from frontdesk.adapters.llm.openai_wire import WireOpenAI
from frontdesk.adapters.llm.tool_schemas import AdaptsToolSchemasOnce
from frontdesk.domain.errors import ConfigurationError

log = logging.getLogger(__name__)

NO_KEY = "not-needed"
"""The API key sent to OpenAI-compatible servers that need none (Ollama, LM Studio)."""


@dataclass(frozen=True, kw_only=True)
class ProviderConfig:
    """Credentials and endpoints of the LLM providers (`None`: the provider's default / not configured)."""

    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_compatible_api_key: str | None = None
    anthropic_api_key: str | None = None
    anthropic_base_url: str | None = None
    gemini_api_key: str | None = None
    gemini_base_url: str | None = None
    bedrock_region: str | None = None
    bedrock_base_url: str | None = None
    bedrock_access_key_id: str | None = None
    """With `bedrock_secret_access_key`; both `None` uses boto3's default chain (env, profile, role)."""
    bedrock_secret_access_key: str | None = None
    timeout: float = 20.0
    """Seconds for connecting and reading one response, and the deadline of each request, retries
    included (`build_language_model`)."""
    max_retries: int = 0
    """Retries inside one provider; the fallback chain is the main recovery."""
    max_tokens: int = 1024
    """Longest answer, in tokens (WhatsApp answers are short; it also bounds the cost of a turn)."""


Builder = Callable[[str, ProviderConfig], Model | None]


# pydantic-ai's provider models, adapting each tool's schema once (see `tool_schemas`).
class _OpenAIChatModel(AdaptsToolSchemasOnce, OpenAIChatModel):
    pass


class _AnthropicModel(AdaptsToolSchemasOnce, AnthropicModel):
    pass


class _GoogleModel(AdaptsToolSchemasOnce, GoogleModel):
    pass


class _BedrockConverseModel(AdaptsToolSchemasOnce, BedrockConverseModel):
    pass


def build_model(spec: str, config: ProviderConfig) -> Model | None:
    """The model for `spec`, or `None` when its provider has no credentials (logged: the link is skipped).

    Raises `ConfigurationError` for an unknown provider or a malformed spec.
    """
    provider, sep, name = spec.partition(":")
    builder = _BUILDERS.get(provider)
    if not sep or not name.strip():
        raise ConfigurationError(f"model {spec!r}: expected provider:model, e.g. openai:gpt-4o-mini")
    if builder is None:
        known = ", ".join(sorted(_BUILDERS))
        raise ConfigurationError(f"model {spec!r}: unknown provider {provider!r} (known: {known}, or local)")
    model = builder(name.strip(), config)
    if model is None:
        log.warning("model %s skipped: %s is not configured", spec, provider, extra={"model": spec})
    return model


def build_language_model(spec: str, config: ProviderConfig) -> PydanticAiModel | None:
    """`build_model`'s model behind the `LanguageModel` port, each request given `config.timeout`."""
    model = build_model(spec, config)
    return PydanticAiModel(spec, model, timeout=config.timeout) if model is not None else None


def _openai(name: str, config: ProviderConfig) -> Model | None:
    if not config.openai_api_key:
        return None
    return _openai_model(name, config.openai_base_url, config.openai_api_key, config)


def _openai_model(name: str, base_url: str | None, api_key: str, config: ProviderConfig) -> Model:
    # WireOpenAI: the same wire body as the SDK's client, without its costly per-request type walk.
    client = WireOpenAI(base_url=base_url, api_key=api_key, max_retries=config.max_retries)
    provider = OpenAIProvider(openai_client=client)
    return _OpenAIChatModel(name, provider=provider, settings=_sdk_settings(config))


def _http_settings(config: ProviderConfig) -> ModelSettings:
    """Per-attempt timeout and SDK retries for the HTTP providers (Bedrock sets them on its boto3 client)."""
    return ModelSettings(timeout=config.timeout, max_retries=config.max_retries, max_tokens=config.max_tokens)


def _sdk_settings(config: ProviderConfig) -> ModelSettings:
    """Like `_http_settings`, for a client that carries the retries itself: a `max_retries` setting
    would make pydantic-ai copy the client for every request (a fresh copy also re-detects the
    platform in a thread each time)."""
    return ModelSettings(timeout=config.timeout, max_tokens=config.max_tokens)


def _openai_compatible(name: str, config: ProviderConfig) -> Model | None:
    model, at, base_url = name.rpartition("@")
    if not at or not model or not base_url.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"model 'openai-compatible:{name}': expected openai-compatible:<model>@<base_url>, "
            "e.g. openai-compatible:llama3.2@http://localhost:11434/v1"
        )
    return _openai_model(model, base_url, config.openai_compatible_api_key or NO_KEY, config)


def _anthropic(name: str, config: ProviderConfig) -> Model | None:
    if not config.anthropic_api_key:
        return None
    client = AsyncAnthropic(
        api_key=config.anthropic_api_key, base_url=config.anthropic_base_url, max_retries=config.max_retries
    )
    provider = AnthropicProvider(anthropic_client=client)
    return _AnthropicModel(name, provider=provider, settings=_sdk_settings(config))


def _gemini(name: str, config: ProviderConfig) -> Model | None:
    if not config.gemini_api_key:
        return None
    provider = GoogleProvider(api_key=config.gemini_api_key, base_url=config.gemini_base_url)
    return _GoogleModel(name, provider=provider, settings=_http_settings(config))


def _bedrock(name: str, config: ProviderConfig) -> Model | None:
    if not config.bedrock_region:
        return None
    client = boto3.client("bedrock-runtime", **_bedrock_client_options(config))
    provider = BedrockProvider(bedrock_client=client)
    return _BedrockConverseModel(
        name, provider=provider, settings=ModelSettings(max_tokens=config.max_tokens)
    )


def _bedrock_client_options(config: ProviderConfig) -> dict[str, Any]:
    options: dict[str, Any] = {
        "region_name": config.bedrock_region,
        "config": BotoConfig(
            read_timeout=config.timeout,
            connect_timeout=min(config.timeout, 5.0),
            retries={"total_max_attempts": config.max_retries + 1, "mode": "standard"},
        ),
    }
    if config.bedrock_base_url:
        options["endpoint_url"] = config.bedrock_base_url
    if config.bedrock_access_key_id and config.bedrock_secret_access_key:
        options["aws_access_key_id"] = config.bedrock_access_key_id
        options["aws_secret_access_key"] = config.bedrock_secret_access_key
    return options


_BUILDERS: dict[str, Builder] = {
    "openai": _openai,
    "openai-compatible": _openai_compatible,
    "anthropic": _anthropic,
    "bedrock": _bedrock,
    "gemini": _gemini,
}
