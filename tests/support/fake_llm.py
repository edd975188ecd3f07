"""Fake LLM provider servers: real HTTP apps speaking each provider's wire protocol, scripted by tests.

    fake = FakeOpenAI()
    fake.script(call("order_status", order_ref="LH-100245"), say("It has shipped."))
    with serve_app(fake.app()) as url: ...           # OpenAIProvider(base_url=f"{url}/v1")
    fake.offered_tools(0), fake.tool_results(1)       # what request 0 offered, what request 1 sent back

Each answer is taken from the script in order (a plain "OK." when it runs out); `fake.outage = 500` makes
every request fail with that status in the provider's error format, until set back to `None`. Every
request body is recorded in `fake.requests`. Served shapes:

- OpenAI: `POST /v1/chat/completions` -> `choices[0].message` with `content` or `tool_calls`.
- Anthropic: `POST /v1/messages` -> `content` blocks `text` / `tool_use`, `stop_reason`.
- Bedrock Converse: `POST /model/{modelId}/converse` -> `output.message.content[]` `text` / `toolUse`,
  `stopReason`, errors with `x-amzn-ErrorType` (SigV4 is not checked).
- Gemini: `POST /v1beta/models/{model}:generateContent` -> `candidates[0].content.parts[]` `text` /
  `functionCall`, `usageMetadata`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

INPUT_TOKENS, OUTPUT_TOKENS = 120, 30


@dataclass(frozen=True)
class Answer:
    """One scripted model answer: a text, tool calls, or both."""

    text: str | None = None
    calls: tuple[tuple[str, dict[str, Any]], ...] = ()


def say(text: str) -> Answer:
    return Answer(text=text)


def call(tool: str, **args: Any) -> Answer:
    return Answer(calls=((tool, args),))


@dataclass
class FakeLlm:
    """The script, the outage switch and the recorded requests; subclasses speak one protocol."""

    answers: list[Answer] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    outage: int | None = None

    def script(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def reset(self) -> None:
        self.answers.clear()
        self.requests.clear()
        self.paths.clear()
        self.outage = None

    def app(self) -> FastAPI:
        app = FastAPI()
        for path in self.routes():
            app.add_api_route(path, self._handle, methods=["POST"])
        return app

    async def _handle(self, request: Request) -> JSONResponse:
        self.requests.append(json.loads(await request.body() or b"{}"))
        self.paths.append(request.url.path)
        if self.outage is not None:
            return self.error(self.outage)
        answer = self.answers.pop(0) if self.answers else say("OK.")
        return JSONResponse(self.render(answer, len(self.requests)))

    def routes(self) -> list[str]:
        raise NotImplementedError

    def render(self, answer: Answer, n: int) -> dict[str, Any]:
        raise NotImplementedError

    def error(self, status: int) -> JSONResponse:
        raise NotImplementedError

    def offered_tools(self, i: int) -> list[str]:
        """The tool names request `i` offered the model."""
        raise NotImplementedError

    def tool_results(self, i: int) -> list[str]:
        """The tool results request `i` sent back to the model, as text."""
        raise NotImplementedError

    def tool_parameters(self, i: int, name: str) -> dict[str, Any]:
        """The JSON schema of tool `name`'s arguments as request `i` offered it."""
        raise NotImplementedError

    def user_texts(self, i: int) -> list[str]:
        """The customer's texts in request `i`, oldest first."""
        raise NotImplementedError


class FakeOpenAI(FakeLlm):
    def routes(self) -> list[str]:
        return ["/v1/chat/completions"]

    def render(self, answer: Answer, n: int) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": answer.text}
        if answer.calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{n}_{i}",
                    "type": "function",
                    "function": {"name": t, "arguments": json.dumps(a)},
                }
                for i, (t, a) in enumerate(answer.calls)
            ]
        return {
            "id": f"chatcmpl-{n}",
            "object": "chat.completion",
            "created": 1_790_000_000,
            "model": self.requests[-1].get("model", "fake"),
            "choices": [
                {"index": 0, "message": message, "finish_reason": "tool_calls" if answer.calls else "stop"}
            ],
            "usage": {
                "prompt_tokens": INPUT_TOKENS,
                "completion_tokens": OUTPUT_TOKENS,
                "total_tokens": INPUT_TOKENS + OUTPUT_TOKENS,
            },
        }

    def error(self, status: int) -> JSONResponse:
        body = {"error": {"message": "The server had an error", "type": "server_error", "code": None}}
        return JSONResponse(body, status_code=status)

    def offered_tools(self, i: int) -> list[str]:
        return [t["function"]["name"] for t in self.requests[i].get("tools", [])]

    def tool_results(self, i: int) -> list[str]:
        return [str(m["content"]) for m in self.requests[i]["messages"] if m["role"] == "tool"]

    def tool_parameters(self, i: int, name: str) -> dict[str, Any]:
        tools = self.requests[i].get("tools", [])
        return next(t["function"]["parameters"] for t in tools if t["function"]["name"] == name)

    def user_texts(self, i: int) -> list[str]:
        return [str(m["content"]) for m in self.requests[i]["messages"] if m["role"] == "user"]


class FakeAnthropic(FakeLlm):
    def routes(self) -> list[str]:
        return ["/v1/messages"]

    def render(self, answer: Answer, n: int) -> dict[str, Any]:
        content: list[dict[str, Any]] = [{"type": "text", "text": answer.text}] if answer.text else []
        content += [
            {"type": "tool_use", "id": f"toolu_{n}_{i}", "name": t, "input": a}
            for i, (t, a) in enumerate(answer.calls)
        ]
        return {
            "id": f"msg_{n}",
            "type": "message",
            "role": "assistant",
            "model": self.requests[-1].get("model", "fake"),
            "content": content,
            "stop_reason": "tool_use" if answer.calls else "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": INPUT_TOKENS, "output_tokens": OUTPUT_TOKENS},
        }

    def error(self, status: int) -> JSONResponse:
        kind = "overloaded_error" if status == 529 else "api_error"
        return JSONResponse(
            {"type": "error", "error": {"type": kind, "message": "Overloaded"}}, status_code=status
        )

    def _blocks(self, i: int, role: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for message in self.requests[i]["messages"]:
            if message["role"] == role:
                content = message["content"]
                out += [{"type": "text", "text": content}] if isinstance(content, str) else content
        return out

    def offered_tools(self, i: int) -> list[str]:
        return [t["name"] for t in self.requests[i].get("tools", [])]

    def tool_parameters(self, i: int, name: str) -> dict[str, Any]:
        return next(t["input_schema"] for t in self.requests[i].get("tools", []) if t["name"] == name)

    def tool_results(self, i: int) -> list[str]:
        return [_text(b["content"]) for b in self._blocks(i, "user") if b["type"] == "tool_result"]

    def user_texts(self, i: int) -> list[str]:
        return [b["text"] for b in self._blocks(i, "user") if b["type"] == "text"]


class FakeBedrock(FakeLlm):
    def routes(self) -> list[str]:
        return ["/model/{model_id}/converse"]

    def render(self, answer: Answer, n: int) -> dict[str, Any]:
        content: list[dict[str, Any]] = [{"text": answer.text}] if answer.text else []
        content += [
            {"toolUse": {"toolUseId": f"tooluse_{n}_{i}", "name": t, "input": a}}
            for i, (t, a) in enumerate(answer.calls)
        ]
        return {
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": "tool_use" if answer.calls else "end_turn",
            "usage": {
                "inputTokens": INPUT_TOKENS,
                "outputTokens": OUTPUT_TOKENS,
                "totalTokens": INPUT_TOKENS + OUTPUT_TOKENS,
            },
            "metrics": {"latencyMs": 12},
        }

    def error(self, status: int) -> JSONResponse:
        kind = "ServiceUnavailableException" if status == 503 else "InternalServerException"
        return JSONResponse(
            {"message": "fake outage"}, status_code=status, headers={"x-amzn-ErrorType": kind}
        )

    def _blocks(self, i: int, role: str) -> list[dict[str, Any]]:
        return [b for m in self.requests[i]["messages"] if m["role"] == role for b in m["content"]]

    def offered_tools(self, i: int) -> list[str]:
        tools = self.requests[i].get("toolConfig", {}).get("tools", [])
        return [t["toolSpec"]["name"] for t in tools]

    def tool_parameters(self, i: int, name: str) -> dict[str, Any]:
        tools = self.requests[i].get("toolConfig", {}).get("tools", [])
        return next(t["toolSpec"]["inputSchema"]["json"] for t in tools if t["toolSpec"]["name"] == name)

    def tool_results(self, i: int) -> list[str]:
        results = [b["toolResult"] for b in self._blocks(i, "user") if "toolResult" in b]
        return [_text(r["content"]) for r in results]

    def user_texts(self, i: int) -> list[str]:
        return [b["text"] for b in self._blocks(i, "user") if "text" in b]


class FakeGemini(FakeLlm):
    def routes(self) -> list[str]:
        return ["/v1beta/models/{model}:generateContent"]

    def render(self, answer: Answer, n: int) -> dict[str, Any]:
        parts: list[dict[str, Any]] = [{"text": answer.text}] if answer.text else []
        parts += [{"functionCall": {"name": t, "args": a}} for t, a in answer.calls]
        return {
            "candidates": [
                {"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}
            ],
            "usageMetadata": {
                "promptTokenCount": INPUT_TOKENS,
                "candidatesTokenCount": OUTPUT_TOKENS,
                "totalTokenCount": INPUT_TOKENS + OUTPUT_TOKENS,
            },
            "modelVersion": "fake",
            "responseId": f"resp-{n}",
        }

    def error(self, status: int) -> JSONResponse:
        state = {500: "INTERNAL", 503: "UNAVAILABLE", 429: "RESOURCE_EXHAUSTED"}.get(status, "UNKNOWN")
        return JSONResponse(
            {"error": {"code": status, "message": "fake outage", "status": state}}, status_code=status
        )

    def _parts(self, i: int, role: str) -> list[dict[str, Any]]:
        return [p for c in self.requests[i]["contents"] if c.get("role") == role for p in c["parts"]]

    def offered_tools(self, i: int) -> list[str]:
        tools = self.requests[i].get("tools", [])
        return [d["name"] for t in tools for d in t.get("functionDeclarations", [])]

    def tool_parameters(self, i: int, name: str) -> dict[str, Any]:
        tools = self.requests[i].get("tools", [])
        found = next(d for t in tools for d in t.get("functionDeclarations", []) if d["name"] == name)
        return dict(next(v for k, v in found.items() if k.startswith("parameters")))

    def tool_results(self, i: int) -> list[str]:
        return [
            json.dumps(p["functionResponse"]["response"])
            for p in self._parts(i, "user")
            if "functionResponse" in p
        ]

    def user_texts(self, i: int) -> list[str]:
        return [p["text"] for p in self._parts(i, "user") if "text" in p]


def _text(content: Any) -> str:
    """A tool result's content (a string, or a list of text/json blocks) as one text."""
    if isinstance(content, str):
        return content
    return " ".join(b["text"] if "text" in b else json.dumps(b.get("json", b)) for b in content)
