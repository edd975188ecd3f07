"""An OpenAI client whose chat-completions call sends pydantic-ai's request as it is.

The OpenAI SDK passes every request body through its type-driven `transform`, which walks each
message and tool schema against the SDK's TypedDict annotations. For chat completions that walk
only drops omitted parameters and turns iterables into lists (no parameter has an alias or a
format), yet it costs several milliseconds of CPU per call: a third of what Frontdesk adds to an
LLM turn (bench/turns.py). `WireOpenAI` does the same two things with a plain recursive copy.
`tests/unit/test_openai_wire.py` checks the bytes on the wire equal the SDK's own for real requests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from openai import AsyncOpenAI, AsyncStream, NotGiven, Omit, not_given
from openai._base_client import make_request_options
from openai._compat import cached_property
from openai.resources.chat import AsyncChat
from openai.resources.chat.completions import AsyncCompletions
from openai.types.chat import ChatCompletion, ChatCompletionChunk


def wire_json(value: Any) -> Any:
    """`value` as plain JSON data: omitted entries dropped, mappings as dicts, iterables as lists."""
    if isinstance(value, Mapping):
        return {key: wire_json(item) for key, item in value.items() if not _omitted(item)}
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return value
    return [wire_json(item) for item in value]


def _omitted(value: Any) -> bool:
    return isinstance(value, Omit | NotGiven)


class _WireCompletions(AsyncCompletions):
    async def create(  # type: ignore[override]  # same call, fewer overloads
        self,
        *,
        extra_headers: Any = None,
        extra_query: Any = None,
        extra_body: Any = None,
        timeout: Any = not_given,  # noqa: ASYNC109  # the SDK's per-request HTTP timeout
        **params: Any,
    ) -> ChatCompletion | AsyncStream[ChatCompletionChunk]:
        stream = bool(params.get("stream"))
        return await self._post(
            "/chat/completions",
            body=wire_json(params),
            options=make_request_options(
                extra_headers=extra_headers,
                extra_query=extra_query,
                extra_body=extra_body,
                timeout=timeout,
                security={"bearer_auth": True},
            ),
            cast_to=ChatCompletion,
            stream=stream,
            stream_cls=AsyncStream[ChatCompletionChunk],
        )


class _WireChat(AsyncChat):
    @cached_property
    def completions(self) -> AsyncCompletions:
        return _WireCompletions(self._client)


class WireOpenAI(AsyncOpenAI):
    """`AsyncOpenAI` whose `chat.completions.create` skips the SDK's per-request type walk."""

    @cached_property
    def chat(self) -> AsyncChat:
        return _WireChat(self)
